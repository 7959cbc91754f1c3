package io.rewind.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The index as readers see it at one moment: the persisted generations, the frozen tails being
 * written to new generations in the background, and the live tail the writer adds to. Immutable;
 * published through a volatile field, so a reader that takes one snapshot sees every indexed
 * position exactly once, whatever flushes happen meanwhile. Thread-safe.
 *
 * <p>Invariant: generations, then frozen tails, then the live tail cover contiguous ranges of
 * positions starting at 0, in that order.
 */
final class IndexSnapshot {

    private final IndexGeneration[] generations;
    private final TailIndex[] frozen;
    private final TailIndex tail;

    IndexSnapshot(List<IndexGeneration> generations, TailIndex tail) {
        this(generations.toArray(new IndexGeneration[0]), new TailIndex[0], tail);
    }

    private IndexSnapshot(IndexGeneration[] generations, TailIndex[] frozen, TailIndex tail) {
        this.generations = generations;
        this.frozen = frozen;
        this.tail = tail;
    }

    /** The live tail: the only part of the index that still changes (writer thread only). */
    TailIndex tail() {
        return tail;
    }

    /** The persisted generations, oldest first. */
    List<IndexGeneration> generations() {
        return List.of(generations);
    }

    /** The generations {@code merged} covers replaced by it (they must be a contiguous run of them). */
    IndexSnapshot withMerged(IndexGeneration merged) {
        List<IndexGeneration> kept = new ArrayList<>();
        boolean inserted = false;
        for (IndexGeneration generation : generations) {
            boolean covered = generation.from() >= merged.from() && generation.to() <= merged.to();
            if (!covered) {
                kept.add(generation);
            } else if (!inserted) {
                kept.add(merged);
                inserted = true;
            }
        }
        if (!inserted) {
            throw new IllegalStateException("merged index " + merged.path() + " covers no generation");
        }
        return new IndexSnapshot(kept.toArray(new IndexGeneration[0]), frozen, tail);
    }

    /** The live tail frozen (to be flushed) and a new live tail starting after it. */
    IndexSnapshot withFrozenTail() {
        TailIndex[] moreFrozen = Arrays.copyOf(frozen, frozen.length + 1);
        moreFrozen[frozen.length] = tail;
        return new IndexSnapshot(generations, moreFrozen, new TailIndex(tail.basePosition() + tail.count()));
    }

    /** The oldest frozen tail replaced by the generation written from it. */
    IndexSnapshot withFlushed(IndexGeneration flushed) {
        if (frozen.length == 0 || frozen[0].basePosition() != flushed.from()) {
            throw new IllegalStateException("index generation " + flushed.path() + " does not replace the oldest frozen"
                    + " tail");
        }
        List<IndexGeneration> all = new ArrayList<>(List.of(generations));
        all.add(flushed);
        return new IndexSnapshot(all.toArray(new IndexGeneration[0]), Arrays.copyOfRange(frozen, 1, frozen.length),
                tail);
    }

    /** The offset of a visible {@code position} in its segment. */
    int offsetOf(long position) {
        if (position >= tail.basePosition()) {
            return tail.offsetOf(position);
        }
        if (frozen.length > 0 && position >= frozen[0].basePosition()) {
            return frozen[Search.floor(frozen.length, i -> frozen[i].basePosition(), position)].offsetOf(position);
        }
        return generations[Search.floor(generations.length, i -> generations[i].from(), position)].offsetOf(position);
    }

    /** The position of the event with this id, at most {@code maxPosition}, or -1. */
    long positionOfId(long idMost, long idLeast, long maxPosition) {
        long position = tail.positionOfId(idMost, idLeast, maxPosition);
        for (int i = frozen.length - 1; position < 0 && i >= 0; i--) {
            position = frozen[i].positionOfId(idMost, idLeast, maxPosition);
        }
        for (int i = generations.length - 1; position < 0 && i >= 0; i--) {
            position = generations[i].positionOfId(idMost, idLeast);
        }
        return position <= maxPosition ? position : -1;
    }

    /** Every position indexed for (stream hash, version) at most {@code maxPosition}. */
    void forEachStreamCandidate(long streamHash, long version, long maxPosition, LongConsumer action) {
        tail.forEachStreamCandidate(streamHash, version, maxPosition, action);
        for (TailIndex frozenTail : frozen) {
            frozenTail.forEachStreamCandidate(streamHash, version, maxPosition, action);
        }
        for (IndexGeneration generation : generations) {
            generation.forEachStreamCandidate(streamHash, version, action);
        }
    }
}
