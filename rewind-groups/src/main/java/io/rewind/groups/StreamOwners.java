package io.rewind.groups;

import java.util.Optional;

/**
 * Who owns a stream in pinned mode: rendezvous (highest random weight) hashing of (stream,
 * consumer). Every member scores the stream and the highest score wins, so the owner depends only
 * on the stream and the set of members — not on join order or history — and a join or leave moves
 * only the streams whose winner changes (about 1/n of them on a join). Thread-safe (no state).
 */
final class StreamOwners {

    private StreamOwners() {
    }

    /** The owner of {@code stream} among {@code members}; empty when there are none. Ties go to the first. */
    static Optional<String> ownerOf(String stream, Iterable<String> members) {
        String best = null;
        long bestScore = 0;
        for (String consumer : members) {
            long score = mix(stream.hashCode() * 0x9E3779B97F4A7C15L + consumer.hashCode());
            if (best == null || Long.compareUnsigned(score, bestScore) > 0) {
                best = consumer;
                bestScore = score;
            }
        }
        return Optional.ofNullable(best);
    }

    /** A 64-bit finalizer (MurmurHash3's), so that similar names spread over owners. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9e53a63fe53L;
        h ^= h >>> 33;
        return h;
    }
}
