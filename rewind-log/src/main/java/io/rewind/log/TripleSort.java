package io.rewind.log;

/**
 * Sorts three parallel long arrays by (first, second, third), signed, in place: the order of the
 * persisted index files. A quicksort with median-of-three pivots and insertion sort for short
 * runs, recursing only into the smaller half so the stack stays logarithmic. Stateless.
 */
final class TripleSort {

    private static final int INSERTION_THRESHOLD = 16;

    private TripleSort() {
    }

    static void sort(long[] first, long[] second, long[] third, int count) {
        sortSlice(first, second, third, 0, count - 1);
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
