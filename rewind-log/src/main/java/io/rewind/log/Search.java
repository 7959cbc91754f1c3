package io.rewind.log;

import java.util.function.IntToLongFunction;

/** Binary search over sorted ranges (segments, index generations). Stateless and thread-safe. */
final class Search {

    private Search() {
    }

    /**
     * The index of the last of {@code count} ranges, sorted by start, whose start is at or before
     * {@code position}; 0 if none is (the caller guarantees the first range starts at or before it).
     */
    static int floor(int count, IntToLongFunction startOf, long position) {
        int low = 0;
        int high = count - 1;
        while (low < high) {
            int middle = (low + high + 1) >>> 1;
            if (startOf.applyAsLong(middle) <= position) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        return low;
    }
}
