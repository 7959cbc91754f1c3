package io.rewind.log;

/**
 * Sorts three parallel long arrays by (first, second, third), signed, in place: the order of the
 * persisted index files. Stateless.
 *
 * <p>Large inputs (an index flush sorts hundreds of thousands of entries on the flusher thread,
 * which shares the machine with the writer) are sorted by a least-significant-digit radix sort on
 * the first key, 11 bits per pass, skipping the passes whose digit is the same in every entry.
 * Each run of entries with equal first keys is then sorted by (second, third): a long run (the
 * many versions of one stream) by the same radix sort on the second key and insertion of the rare
 * ties by the third, a short one (random event ids hardly ever share their first 64 bits) by the
 * quicksort. Small inputs use a quicksort with median-of-three pivots and insertion sort for short
 * runs, recursing only into the smaller half so the stack stays logarithmic.
 */
final class TripleSort {

    private static final int INSERTION_THRESHOLD = 16;
    /** Below this many entries the quicksort is faster than the radix sort's fixed cost. */
    private static final int RADIX_THRESHOLD = 4096;
    private static final int DIGIT_BITS = 11;
    private static final int DIGIT_VALUES = 1 << DIGIT_BITS;
    private static final int DIGIT_MASK = DIGIT_VALUES - 1;
    /** Passes per 64-bit key: ceil(64 / 11). */
    private static final int DIGITS_PER_KEY = (Long.SIZE + DIGIT_BITS - 1) / DIGIT_BITS;

    private TripleSort() {
    }

    static void sort(long[] first, long[] second, long[] third, int count) {
        if (count >= RADIX_THRESHOLD) {
            radixSort(first, second, third, count, RADIX_THRESHOLD);
        } else {
            sortSlice(first, second, third, 0, count - 1);
        }
    }

    /**
     * The radix sort, with runs of equal first keys of at least {@code longRun} entries sorted by
     * radix too (the tests pass small values to check both paths on small inputs).
     */
    static void radixSort(long[] first, long[] second, long[] third, int count, int longRun) {
        long[][] arrays = {first, second, third};
        long[][] scratch = {new long[count], new long[count], new long[count]};
        int[] counts = new int[DIGIT_VALUES];
        radixSortSlice(arrays, scratch, 0, 0, count, counts);
        int runStart = 0;
        for (int i = 1; i <= count; i++) {
            if (i == count || first[i] != first[runStart]) {
                int length = i - runStart;
                if (length >= longRun) {
                    radixSortSlice(arrays, scratch, 1, runStart, length, counts);
                    orderTiesByThird(first, second, third, runStart, i);
                } else if (length > 1) {
                    sortSlice(first, second, third, runStart, i - 1);
                }
                runStart = i;
            }
        }
    }

    /** Stable sort of entries [from, from + length) by one key, through the same slice of {@code scratch}. */
    private static void radixSortSlice(long[][] arrays, long[][] scratch, int key, int from, int length, int[] counts) {
        long[][] source = arrays;
        long[][] target = scratch;
        for (int digit = 0; digit < DIGITS_PER_KEY; digit++) {
            if (radixPass(source, target, key, digit * DIGIT_BITS, from, length, counts)) {
                long[][] swap = source;
                source = target;
                target = swap;
            }
        }
        if (source != arrays) {
            for (int array = 0; array < arrays.length; array++) {
                System.arraycopy(source[array], from, arrays[array], from, length);
            }
        }
    }

    /**
     * Stable scatter of the slice by one digit of one key into the same slice of {@code target};
     * false (and nothing moved) when every entry has the same digit there.
     */
    private static boolean radixPass(long[][] source, long[][] target, int key, int shift, int from, int length,
            int[] counts) {
        long[] keys = source[key];
        int end = from + length;
        // The top digit's sign bit is flipped so that negative keys come first (signed order).
        int flip = shift + DIGIT_BITS >= Long.SIZE ? 1 << (Long.SIZE - 1 - shift) : 0;
        java.util.Arrays.fill(counts, 0);
        for (int i = from; i < end; i++) {
            counts[digitOf(keys[i], shift, flip)]++;
        }
        int at = from;
        for (int value = 0; value < DIGIT_VALUES; value++) {
            int entries = counts[value];
            if (entries == length) {
                return false;
            }
            counts[value] = at;
            at += entries;
        }
        long[] fromFirst = source[0];
        long[] fromSecond = source[1];
        long[] fromThird = source[2];
        long[] toFirst = target[0];
        long[] toSecond = target[1];
        long[] toThird = target[2];
        for (int i = from; i < end; i++) {
            int to = counts[digitOf(keys[i], shift, flip)]++;
            toFirst[to] = fromFirst[i];
            toSecond[to] = fromSecond[i];
            toThird[to] = fromThird[i];
        }
        return true;
    }

    private static int digitOf(long key, int shift, int flip) {
        return ((int) (key >>> shift) & DIGIT_MASK) ^ flip;
    }

    /** Sorts each run of entries in [from, to) equal in (first, second) by the third key. */
    private static void orderTiesByThird(long[] first, long[] second, long[] third, int from, int to) {
        int runStart = from;
        for (int i = from + 1; i <= to; i++) {
            if (i == to || first[i] != first[runStart] || second[i] != second[runStart]) {
                if (i - runStart > 1) {
                    sortSlice(first, second, third, runStart, i - 1);
                }
                runStart = i;
            }
        }
    }

    private static void sortSlice(long[] first, long[] second, long[] third, int low, int high) {
        int from = low;
        int to = high;
        while (to - from >= INSERTION_THRESHOLD) {
            int split = partition(first, second, third, from, to);
            if (split - from < to - split) {
                sortSlice(first, second, third, from, split);
                from = split + 1;
            } else {
                sortSlice(first, second, third, split + 1, to);
                to = split;
            }
        }
        insertionSort(first, second, third, from, to);
    }

    /** Hoare partition; returns j such that [low, j] &lt;= pivot &lt;= [j + 1, high]. */
    private static int partition(long[] first, long[] second, long[] third, int low, int high) {
        int middle = (low + high) >>> 1;
        if (compare(first, second, third, middle, low) < 0) {
            swap(first, second, third, middle, low);
        }
        if (compare(first, second, third, high, low) < 0) {
            swap(first, second, third, high, low);
        }
        if (compare(first, second, third, high, middle) < 0) {
            swap(first, second, third, high, middle);
        }
        long pivotFirst = first[middle];
        long pivotSecond = second[middle];
        long pivotThird = third[middle];
        int i = low - 1;
        int j = high + 1;
        while (true) {
            do {
                i++;
            } while (compare(first[i], second[i], third[i], pivotFirst, pivotSecond, pivotThird) < 0);
            do {
                j--;
            } while (compare(first[j], second[j], third[j], pivotFirst, pivotSecond, pivotThird) > 0);
            if (i >= j) {
                return j;
            }
            swap(first, second, third, i, j);
        }
    }

    private static void insertionSort(long[] first, long[] second, long[] third, int low, int high) {
        for (int i = low + 1; i <= high; i++) {
            for (int j = i; j > low && compare(first, second, third, j, j - 1) < 0; j--) {
                swap(first, second, third, j, j - 1);
            }
        }
    }

    private static int compare(long[] first, long[] second, long[] third, int a, int b) {
        return compare(first[a], second[a], third[a], first[b], second[b], third[b]);
    }

    static int compare(long a1, long a2, long a3, long b1, long b2, long b3) {
        int result = Long.compare(a1, b1);
        if (result == 0) {
            result = Long.compare(a2, b2);
        }
        return result != 0 ? result : Long.compare(a3, b3);
    }

    private static void swap(long[] first, long[] second, long[] third, int a, int b) {
        long t = first[a];
        first[a] = first[b];
        first[b] = t;
        t = second[a];
        second[a] = second[b];
        second[b] = t;
        t = third[a];
        third[a] = third[b];
        third[b] = t;
    }
}
