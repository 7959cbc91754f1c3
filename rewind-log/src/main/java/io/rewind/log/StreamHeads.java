package io.rewind.log;

import io.rewind.api.StreamInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The head of every stream (its {@link StreamInfo}), looked up by name and listed in
 * {@link StreamNameOrder}.
 *
 * <p>Every append reads and replaces the head of its stream, so lookups go through a hash map
 * (one hash look-up, no name comparisons); the names in order are kept apart and touched only
 * when a stream is new. The names known at open come sorted from the newest index file and are
 * kept as a sorted array (built in one pass, no per-name insertion); names of streams created
 * since are kept in a concurrent sorted set; listing merges the two. A name is in exactly one of
 * them.
 *
 * <p>Thread-safety: one thread puts (the opening thread during recovery, then the writer thread);
 * any number of threads look up and list concurrently. A stream's head is in the map before its
 * name is in the ordered set, so a listed name always has a head.
 */
final class StreamHeads {

    private final ConcurrentHashMap<String, StreamInfo> byName;
    private final String[] loadedNames;
    private final ConcurrentSkipListSet<String> addedNames = new ConcurrentSkipListSet<>(StreamNameOrder.ORDER);

    private StreamHeads(ConcurrentHashMap<String, StreamInfo> byName, String[] loadedNames) {
        this.byName = byName;
        this.loadedNames = loadedNames;
    }

    /** No streams. */
    static StreamHeads empty() {
        return new StreamHeads(new ConcurrentHashMap<>(), new String[0]);
    }

    /**
     * The heads stored in an index file. They are stored in {@link StreamNameOrder}; should they
     * not be (only a writer bug could cause it), they are sorted here instead of trusted.
     */
    static StreamHeads loaded(List<StreamInfo> heads) {
        ConcurrentHashMap<String, StreamInfo> byName = new ConcurrentHashMap<>(Math.max(16, heads.size() * 2));
        String[] names = new String[heads.size()];
        boolean ordered = true;
        for (int i = 0; i < names.length; i++) {
            StreamInfo head = heads.get(i);
            names[i] = head.stream();
            byName.put(head.stream(), head);
            ordered &= i == 0 || StreamNameOrder.compare(names[i - 1], names[i]) < 0;
        }
        if (!ordered) {
            names = byName.keySet().toArray(new String[0]);
            Arrays.sort(names, StreamNameOrder.ORDER);
        }
        return new StreamHeads(byName, names);
    }

    /** The head of {@code stream}, or null if it has no events. */
    StreamInfo get(String stream) {
        return byName.get(stream);
    }

    /** Sets the head of {@code head.stream()}. One thread only (see the class comment). */
    void put(StreamInfo head) {
        if (byName.put(head.stream(), head) == null) {
            addedNames.add(head.stream());
        }
    }

    /** Every head, in stream name order. */
    List<StreamInfo> all() {
        List<StreamInfo> all = new ArrayList<>(byName.size());
        for (Iterator<String> names = namesFrom("", true); names.hasNext(); ) {
            all.add(byName.get(names.next()));
        }
        return all;
    }

    /**
     * The names of the streams, in order, from {@code from} on (including it when
     * {@code inclusive}). Weakly consistent: streams created while iterating may or may not
     * appear.
     */
    Iterator<String> namesFrom(String from, boolean inclusive) {
        Iterator<String> added = addedNames.tailSet(from, inclusive).iterator();
        int start = firstLoadedFrom(from, inclusive);
        return new Iterator<>() {
            private int loaded = start;
            private String nextAdded = added.hasNext() ? added.next() : null;

            @Override
            public boolean hasNext() {
                return loaded < loadedNames.length || nextAdded != null;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                if (nextAdded == null
                        || loaded < loadedNames.length && StreamNameOrder.compare(loadedNames[loaded], nextAdded) < 0) {
                    return loadedNames[loaded++];
                }
                String name = nextAdded;
                nextAdded = added.hasNext() ? added.next() : null;
                return name;
            }
        };
    }

    /** The index of the first loaded name at or after {@code from} (after it, if not inclusive). */
    private int firstLoadedFrom(String from, boolean inclusive) {
        int low = 0;
        int high = loadedNames.length;
        while (low < high) {
            int middle = (low + high) >>> 1;
            int order = StreamNameOrder.compare(loadedNames[middle], from);
            if (order < 0 || order == 0 && !inclusive) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }
}
