package io.rewind.log;

import io.rewind.api.StreamInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * The content of one generation file that replaces several contiguous ones: offsets concatenated,
 * id and stream entries merged in sorted order (a k-way merge over the mapped files), the
 * checkpoint and stream heads of the newest. Keeps the number of files a lookup searches small.
 * Used on the index flusher thread; not thread-safe.
 */
final class GenerationMerge implements IndexWriter.Content {

    private final List<IndexGeneration> merged;
    private final IndexGeneration newest;

    /** @param merged contiguous generations in position order, at least two */
    GenerationMerge(List<IndexGeneration> merged) {
        this.merged = List.copyOf(merged);
        this.newest = merged.get(merged.size() - 1);
    }

    @Override
    public long from() {
        return merged.get(0).from();
    }

    @Override
    public long to() {
        return newest.to();
    }

    @Override
    public long endSegmentBase() {
        return newest.endSegmentBase();
    }

    @Override
    public long endOffset() {
        return newest.endOffset();
    }

    @Override
    public long lastTimestampMicros() {
        return newest.lastTimestampMicros();
    }

    @Override
    public int offsetOf(long position) {
        return merged.get(Search.floor(merged.size(), i -> merged.get(i).from(), position)).offsetOf(position);
    }

    @Override
    public IndexWriter.Entries ids() {
        return mergeOf(true);
    }

    @Override
    public IndexWriter.Entries streams() {
        return mergeOf(false);
    }

    @Override
    public List<StreamInfo> heads() {
        List<StreamInfo> heads = new ArrayList<>();
        newest.forEachHead(heads::add);
        return heads;
    }

    /** The sorted union of one section of every merged generation. */
    private IndexWriter.Entries mergeOf(boolean ids) {
        int sources = merged.size();
        int[] cursors = new int[sources];
        long[][] current = new long[sources][3];
        for (int i = 0; i < sources; i++) {
            load(ids, i, 0, current[i]);
        }
        return entry -> {
            int smallest = -1;
            for (int i = 0; i < sources; i++) {
                if (cursors[i] < merged.get(i).count() && (smallest < 0 || TripleSort.compare(
                        current[i][0], current[i][1], current[i][2],
                        current[smallest][0], current[smallest][1], current[smallest][2]) < 0)) {
                    smallest = i;
                }
            }
            if (smallest < 0) {
                return false;
            }
            System.arraycopy(current[smallest], 0, entry, 0, 3);
            if (++cursors[smallest] < merged.get(smallest).count()) {
                load(ids, smallest, cursors[smallest], current[smallest]);
            }
            return true;
        };
    }

    private void load(boolean ids, int source, int index, long[] entry) {
        if (ids) {
            merged.get(source).idEntry(index, entry);
        } else {
            merged.get(source).streamEntry(index, entry);
        }
    }
}
