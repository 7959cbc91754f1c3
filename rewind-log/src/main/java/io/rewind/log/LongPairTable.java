package io.rewind.log;

import java.util.function.LongConsumer;

/**
 * An open-addressing hash table from a pair of longs to a position (a non-negative long), kept
 * in three parallel primitive arrays: about 48 bytes per entry at its load factor, no object per
 * entry. Keys may repeat (the stream/version index can hold a hash collision); lookups visit every
 * entry with the key. There is no removal.
 *
 * <p>Thread-safety: one writer thread puts, any number of threads look up without locking. A
 * slot's key is written before its value, and a reader trusts only values at or below a bound
 * it read from a volatile field published after the entry was put (the store's visible head), so
 * it never acts on a half-written slot. Growing builds a new table and publishes it through a
 * volatile field; the old one stays valid for readers that still hold it.
 */
final class LongPairTable {

    private static final int MINIMUM_CAPACITY = 1024;

    /** An immutable-after-publication set of slots; value 0 marks an empty slot, else position + 1. */
    private static final class Slots {
        final long[] first;
        final long[] second;
        final long[] values;
        final int mask;

        Slots(int capacity) {
            first = new long[capacity];
            second = new long[capacity];
            values = new long[capacity];
            mask = capacity - 1;
        }
    }

    private volatile Slots slots = new Slots(MINIMUM_CAPACITY);
    private int size;

    /** Adds an entry. Writer thread only. */
    void put(long first, long second, long position) {
        Slots current = slots;
        if ((size + 1) * 2L > current.values.length) {
            current = grow(current);
        }
        insert(current, first, second, position + 1);
        size++;
    }

    /** The position stored for the key that is at most {@code maxPosition}, or -1. */
    long find(long first, long second, long maxPosition) {
        Slots current = slots;
        for (int slot = slotOf(first, second, current.mask); ; slot = (slot + 1) & current.mask) {
            long value = current.values[slot];
            if (value == 0) {
                return -1;
            }
            if (value - 1 <= maxPosition && current.first[slot] == first && current.second[slot] == second) {
                return value - 1;
            }
        }
    }

    /** Calls {@code action} with every position stored for the key that is at most {@code maxPosition}. */
    void forEach(long first, long second, long maxPosition, LongConsumer action) {
        Slots current = slots;
        for (int slot = slotOf(first, second, current.mask); ; slot = (slot + 1) & current.mask) {
            long value = current.values[slot];
            if (value == 0) {
                return;
            }
            if (value - 1 <= maxPosition && current.first[slot] == first && current.second[slot] == second) {
                action.accept(value - 1);
            }
        }
    }

    /**
     * Copies every entry into the arrays (key first, key second, position), which must hold
     * {@link #size()} entries. Writer thread only.
     */
    void copyTo(long[] firsts, long[] seconds, long[] positions) {
        Slots current = slots;
        int count = 0;
        for (int slot = 0; slot < current.values.length; slot++) {
            if (current.values[slot] != 0) {
                firsts[count] = current.first[slot];
                seconds[count] = current.second[slot];
                positions[count] = current.values[slot] - 1;
                count++;
            }
        }
    }

    private Slots grow(Slots current) {
        Slots larger = new Slots(current.values.length * 2);
        for (int slot = 0; slot < current.values.length; slot++) {
            if (current.values[slot] != 0) {
                insert(larger, current.first[slot], current.second[slot], current.values[slot]);
            }
        }
        slots = larger;
        return larger;
    }

    private static void insert(Slots target, long first, long second, long value) {
        int slot = slotOf(first, second, target.mask);
        while (target.values[slot] != 0) {
            slot = (slot + 1) & target.mask;
        }
        target.first[slot] = first;
        target.second[slot] = second;
        target.values[slot] = value;
    }

    private static int slotOf(long first, long second, int mask) {
        return (int) StreamHash.mix(first * 31 + second) & mask;
    }
}
