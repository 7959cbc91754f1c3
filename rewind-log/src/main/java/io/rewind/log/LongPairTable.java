package io.rewind.log;

import java.util.function.LongConsumer;

/**
 * An open-addressing hash table from a pair of longs to a position (a non-negative long), kept
 * in one primitive array of (first, second, value) triples: about 48 bytes per entry at its load
 * factor, no object per entry. Keys may repeat (the stream/version index can hold a hash
 * collision); lookups visit every entry with the key. There is no removal.
 *
 * <p>The three longs of a slot sit side by side so that an insert into a table far larger than
 * the CPU caches (the tail of a busy log holds hundreds of thousands of entries) touches one cache
 * line, not three: the writer thread inserts two entries per event, and separate arrays made
 * those cache misses its largest cost. Entries are inserted a group at a time ({@link #putAll}):
 * first the home slot of every entry of the group is read, loads that do not depend on each
 * other so the CPU overlaps their cache misses, then the entries are inserted into slots that are
 * now in the cache.
 *
 * <p>Thread-safety: one writer thread puts, any number of threads look up without locking. A
 * slot's key is written before its value, and a reader trusts only values at or below a bound
 * it read from a volatile field published after the entry was put (the store's visible head), so
 * it never acts on a half-written slot. Growing builds a new table and publishes it through a
 * volatile field; the old one stays valid for readers that still hold it.
 */
final class LongPairTable {

    private static final int MINIMUM_CAPACITY = 1024;
    /** Longs per slot: first key, second key, value. */
    private static final int SLOT_LONGS = 3;
    private static final int SECOND = 1;
    private static final int VALUE = 2;
    /** Entries whose home slots are loaded ahead of inserting them; enough to overlap many misses. */
    private static final int GROUP = 64;

    /**
     * An immutable-after-publication set of slots, slot {@code s} at {@code 3 * s}; value 0
     * marks an empty slot, else position + 1.
     */
    private static final class Slots {
        final long[] longs;
        final int capacity;
        final int mask;

        Slots(int capacity) {
            longs = new long[capacity * SLOT_LONGS];
            this.capacity = capacity;
            mask = capacity - 1;
        }
    }

    private volatile Slots slots = new Slots(MINIMUM_CAPACITY);
    private int size;
    private final int[] groupSlots = new int[GROUP];
    private final long[] groupFirsts = new long[GROUP];
    private final long[] groupSeconds = new long[GROUP];
    private final long[] groupValues = new long[GROUP];
    /** Sums what the look-ahead loads read, so that the compiler cannot drop them. */
    private long lookedAhead;

    /** Adds an entry. Writer thread only. */
    void put(long first, long second, long position) {
        Slots current = slots;
        if ((size + 1) * 2L > current.capacity) {
            current = grow(current);
        }
        insert(current, first, second, position + 1);
        size++;
    }

    /**
     * Adds {@code count} entries, entry {@code i} being ({@code firsts[i]}, {@code seconds[i]}) at
     * position {@code firstPosition + i}. Writer thread only.
     */
    void putAll(long[] firsts, long[] seconds, long firstPosition, int count) {
        Slots current = slots;
        while ((size + (long) count) * 2L > current.capacity) {
            current = grow(current);
        }
        for (int from = 0; from < count; from += GROUP) {
            int group = Math.min(GROUP, count - from);
            for (int i = 0; i < group; i++) {
                groupValues[i] = firstPosition + from + i + 1;
            }
            System.arraycopy(firsts, from, groupFirsts, 0, group);
            System.arraycopy(seconds, from, groupSeconds, 0, group);
            insertGroup(current, group);
        }
        size += count;
    }

    /** The position stored for the key that is at most {@code maxPosition}, or -1. */
    long find(long first, long second, long maxPosition) {
        Slots current = slots;
        long[] longs = current.longs;
        for (int slot = slotOf(first, second, current.mask); ; slot = (slot + 1) & current.mask) {
            int at = slot * SLOT_LONGS;
            long value = longs[at + VALUE];
            if (value == 0) {
                return -1;
            }
            if (value - 1 <= maxPosition && longs[at] == first && longs[at + SECOND] == second) {
                return value - 1;
            }
        }
    }

    /** Calls {@code action} with every position stored for the key that is at most {@code maxPosition}. */
    void forEach(long first, long second, long maxPosition, LongConsumer action) {
        Slots current = slots;
        long[] longs = current.longs;
        for (int slot = slotOf(first, second, current.mask); ; slot = (slot + 1) & current.mask) {
            int at = slot * SLOT_LONGS;
            long value = longs[at + VALUE];
            if (value == 0) {
                return;
            }
            if (value - 1 <= maxPosition && longs[at] == first && longs[at + SECOND] == second) {
                action.accept(value - 1);
            }
        }
    }

    /**
     * Copies every entry into the arrays (key first, key second, position), which must hold
     * every entry put. Writer thread, or a thread that took over the table after the writer
     * stopped putting.
     */
    void copyTo(long[] firsts, long[] seconds, long[] positions) {
        long[] longs = slots.longs;
        int count = 0;
        for (int at = 0; at < longs.length; at += SLOT_LONGS) {
            long value = longs[at + VALUE];
            if (value != 0) {
                firsts[count] = longs[at];
                seconds[count] = longs[at + SECOND];
                positions[count] = value - 1;
                count++;
            }
        }
    }

    private Slots grow(Slots current) {
        Slots larger = new Slots(current.capacity * 2);
        long[] longs = current.longs;
        int group = 0;
        for (int at = 0; at < longs.length; at += SLOT_LONGS) {
            if (longs[at + VALUE] != 0) {
                groupFirsts[group] = longs[at];
                groupSeconds[group] = longs[at + SECOND];
                groupValues[group++] = longs[at + VALUE];
                if (group == GROUP) {
                    insertGroup(larger, group);
                    group = 0;
                }
            }
        }
        insertGroup(larger, group);
        slots = larger;
        return larger;
    }

    /** Inserts the first {@code group} entries of the group arrays, loading their home slots first. */
    private void insertGroup(Slots target, int group) {
        long[] longs = target.longs;
        long sum = 0;
        for (int i = 0; i < group; i++) {
            int slot = slotOf(groupFirsts[i], groupSeconds[i], target.mask);
            groupSlots[i] = slot;
            sum += longs[slot * SLOT_LONGS + VALUE];
        }
        lookedAhead += sum;
        for (int i = 0; i < group; i++) {
            insertFrom(target, groupSlots[i], groupFirsts[i], groupSeconds[i], groupValues[i]);
        }
    }

    private static void insert(Slots target, long first, long second, long value) {
        insertFrom(target, slotOf(first, second, target.mask), first, second, value);
    }

    private static void insertFrom(Slots target, int homeSlot, long first, long second, long value) {
        long[] longs = target.longs;
        int slot = homeSlot;
        while (longs[slot * SLOT_LONGS + VALUE] != 0) {
            slot = (slot + 1) & target.mask;
        }
        int at = slot * SLOT_LONGS;
        longs[at] = first;
        longs[at + SECOND] = second;
        longs[at + VALUE] = value;
    }

    private static int slotOf(long first, long second, int mask) {
        return (int) StreamHash.mix(first * 31 + second) & mask;
    }
}
