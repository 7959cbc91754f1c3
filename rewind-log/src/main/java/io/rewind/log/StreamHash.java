package io.rewind.log;

/**
 * The 64-bit hash of a stream name that keys the stream/version index. It is persisted, so it
 * must never change: FNV-1a (64-bit) over the name's UTF-16 code units, each fed as two bytes
 * (high byte first), then the SplitMix64 finalizer to spread the bits. Collisions are possible
 * in principle; every index lookup checks the stream name of the record it finds.
 * Stateless and thread-safe.
 */
final class StreamHash {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private StreamHash() {
    }

    static long of(String stream) {
        long hash = FNV_OFFSET;
        for (int i = 0; i < stream.length(); i++) {
            char unit = stream.charAt(i);
            hash = (hash ^ (unit >>> 8)) * FNV_PRIME;
            hash = (hash ^ (unit & 0xFF)) * FNV_PRIME;
        }
        return mix(hash);
    }

    /** The SplitMix64 finalizer. */
    static long mix(long value) {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
