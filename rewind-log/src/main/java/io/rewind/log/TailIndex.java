package io.rewind.log;

import io.rewind.api.StreamInfo;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The in-memory index of the positions written since the last index flush, from
 * {@link #basePosition()} on: position → offset in its segment, event id → position and
 * (stream hash, version) → position. About 100 bytes per event, no object per event.
 *
 * <p>Thread-safety: one writer thread adds; readers look up concurrently without locks. Readers
 * pass the visible head they read (a volatile published after the entries were added) as the
 * bound of every lookup, and entries beyond it are ignored (see {@link LongPairTable}).
 */
final class TailIndex {

    private static final int INITIAL_OFFSETS = 4096;

    private final long basePosition;
    private final LongPairTable ids = new LongPairTable();
    private final LongPairTable streams = new LongPairTable();
    private volatile int[] offsets = new int[INITIAL_OFFSETS];
    private int count;

    TailIndex(long basePosition) {
        this.basePosition = basePosition;
    }

    long basePosition() {
        return basePosition;
    }

    /** The number of positions indexed. Writer thread only. */
    int count() {
        return count;
    }

    /** Indexes the next position ({@code basePosition + count}). Writer thread only. */
    void add(int offset, long idMost, long idLeast, long streamHash, long version) {
        long position = basePosition + count;
        int[] current = offsets;
        if (count == current.length) {
            int[] larger = java.util.Arrays.copyOf(current, current.length * 2);
            larger[count] = offset;
            offsets = larger;
        } else {
            current[count] = offset;
        }
        ids.put(idMost, idLeast, position);
        streams.put(streamHash, version, position);
        count++;
    }

    /**
     * Indexes the next {@code entries.count()} positions, in the order they were added to
     * {@code entries}. Writer thread only.
     */
    void addAll(Entries entries) {
        int added = entries.count;
        int[] current = offsets;
        if (count + added > current.length) {
            int[] larger = java.util.Arrays.copyOf(current, Math.max(current.length * 2, count + added));
            System.arraycopy(entries.offsets, 0, larger, count, added);
            offsets = larger;
        } else {
            System.arraycopy(entries.offsets, 0, current, count, added);
        }
        long position = basePosition + count;
        ids.putAll(entries.idMosts, entries.idLeasts, position, added);
        streams.putAll(entries.streamHashes, entries.versions, position, added);
        count += added;
    }

    /**
     * The index entries of the events of one group commit, gathered while they are encoded and
     * added to the tail together when the commit is published (together, so that the tail's hash
     * tables can overlap the cache misses of many inserts). Writer thread only; reused.
     */
    static final class Entries {
        private int[] offsets = new int[1024];
        private long[] idMosts = new long[1024];
        private long[] idLeasts = new long[1024];
        private long[] streamHashes = new long[1024];
        private long[] versions = new long[1024];
        private int count;

        /** Adds the entry of the next event. */
        void add(int offset, long idMost, long idLeast, long streamHash, long version) {
            if (count == offsets.length) {
                int larger = count * 2;
                offsets = java.util.Arrays.copyOf(offsets, larger);
                idMosts = java.util.Arrays.copyOf(idMosts, larger);
                idLeasts = java.util.Arrays.copyOf(idLeasts, larger);
                streamHashes = java.util.Arrays.copyOf(streamHashes, larger);
                versions = java.util.Arrays.copyOf(versions, larger);
            }
            offsets[count] = offset;
            idMosts[count] = idMost;
            idLeasts[count] = idLeast;
            streamHashes[count] = streamHash;
            versions[count] = version;
            count++;
        }

        int count() {
            return count;
        }

        /** Forgets every entry. */
        void clear() {
            count = 0;
        }
    }

    /** The offset of {@code position} in its segment; the caller ensures it is indexed and visible. */
    int offsetOf(long position) {
        return offsets[(int) (position - basePosition)];
    }

    /** The position of the event with this id, at most {@code maxPosition}, or -1. */
    long positionOfId(long idMost, long idLeast, long maxPosition) {
        return ids.find(idMost, idLeast, maxPosition);
    }

    /** Every position indexed for (stream hash, version), at most {@code maxPosition}. */
    void forEachStreamCandidate(long streamHash, long version, long maxPosition, LongConsumer action) {
        streams.forEach(streamHash, version, maxPosition, action);
    }

    /**
     * This tail, frozen, as the content of a generation file with the given checkpoint and stream
     * heads. Sorts the entries when asked for them (on the flusher thread).
     */
    IndexWriter.Content asContent(long endSegmentBase, long endOffset, long lastTimestampMicros,
            List<StreamInfo> heads) {
        TailIndex tail = this;
        return new IndexWriter.Content() {
            @Override
            public long from() {
                return basePosition;
            }

            @Override
            public long to() {
                return basePosition + count;
            }

            @Override
            public long endSegmentBase() {
                return endSegmentBase;
            }

            @Override
            public long endOffset() {
                return endOffset;
            }

            @Override
            public long lastTimestampMicros() {
                return lastTimestampMicros;
            }

            @Override
            public int offsetOf(long position) {
                return tail.offsetOf(position);
            }

            @Override
            public IndexWriter.Entries ids() {
                return sorted(tail.ids);
            }

            @Override
            public IndexWriter.Entries streams() {
                return sorted(tail.streams);
            }

            @Override
            public List<StreamInfo> heads() {
                return heads;
            }
        };
    }

    private IndexWriter.Entries sorted(LongPairTable table) {
        long[] first = new long[count];
        long[] second = new long[count];
        long[] positions = new long[count];
        table.copyTo(first, second, positions);
        TripleSort.sort(first, second, positions, count);
        int[] next = {0};
        return entry -> {
            int i = next[0]++;
            if (i >= count) {
                return false;
            }
            entry[0] = first[i];
            entry[1] = second[i];
            entry[2] = positions[i];
            return true;
        };
    }
}
