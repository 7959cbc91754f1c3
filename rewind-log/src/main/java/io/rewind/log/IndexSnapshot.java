package io.rewind.log;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The persisted index generations and the in-memory tail after them, as one immutable pair
 * published by the writer through a volatile field: a reader that takes one snapshot sees every
 * indexed position exactly once, whether or not a flush happens meanwhile. Thread-safe.
 *
 * <p>Invariant: generations are sorted and contiguous, the first starts at 0, and the tail
 * starts where the last generation ends.
 */
final class IndexSnapshot {

    private final IndexGeneration[] generations;
    private final TailIndex tail;

    IndexSnapshot(List<IndexGeneration> generations, TailIndex tail) {
        this.generations = generations.toArray(new IndexGeneration[0]);
        this.tail = tail;
    }

    TailIndex tail() {
        return tail;
    }

    List<IndexGeneration> generations() {
        return List.of(generations);
    }

    /** A snapshot with {@code flushed} appended to the generations and a new empty tail after it. */
    IndexSnapshot withFlushed(IndexGeneration flushed) {
        List<IndexGeneration> all = new ArrayList<>(List.of(generations));
        all.add(flushed);
        return new IndexSnapshot(all, new TailIndex(flushed.to()));
    }

    /** The offset of a visible {@code position} in its segment. */
    int offsetOf(long position) {
        if (position >= tail.basePosition()) {
            return tail.offsetOf(position);
        }
        return generations[Search.floor(generations.length, i -> generations[i].from(), position)].offsetOf(position);
    }

    /** The position of the event with this id, at most {@code maxPosition}, or -1. */
    long positionOfId(long idMost, long idLeast, long maxPosition) {
        long position = tail.positionOfId(idMost, idLeast, maxPosition);
        for (int i = generations.length - 1; position < 0 && i >= 0; i--) {
            position = generations[i].positionOfId(idMost, idLeast);
        }
        return position <= maxPosition ? position : -1;
    }

    /** Every position indexed for (stream hash, version) at most {@code maxPosition}. */
    void forEachStreamCandidate(long streamHash, long version, long maxPosition, LongConsumer action) {
        tail.forEachStreamCandidate(streamHash, version, maxPosition, action);
        for (IndexGeneration generation : generations) {
            generation.forEachStreamCandidate(streamHash, version, action);
        }
    }
}
