package io.rewind.log;

/**
 * Which index generations the flusher merges after a flush: size-tiered, so that merge work does
 * not grow with the store. Immutable and thread-safe; a pure function of the generations' sizes.
 *
 * <p>A generation's <em>tier</em> is {@code floor(log4(entries / unit))} (0 below {@code 4 * unit}),
 * where the unit is the index flush threshold, the size of a regular flush. After every flush, if
 * at least {@value #FAN_IN} of the newest generations share the tier of the newest one, the oldest
 * {@value #FAN_IN} of that run are merged into one (of the next tier, or of the same one when they
 * are small); this is repeated while it applies (a cascade). A merged file may not exceed
 * {@code maxFileBytes} (the 2 GiB a mapped index file may have): when {@value #FAN_IN} would, as
 * many of them as fit are merged (at least two); files too large to merge with each other stay.
 *
 * <p>Consequences, with flushes of about one unit (the writer flushes at the threshold; a close
 * flushes less, which only makes a file smaller): generations stay ordered by tier, largest
 * (oldest) first; after each flush at most {@code FAN_IN - 1} generations of each tier remain below
 * the largest tier the size limit allows, so a lookup consults at most
 * {@code (FAN_IN - 1) * tiers + ceil(indexed / largest file)} files; every entry is rewritten once
 * per tier it climbs, {@code log4(indexed / unit)} times in all; and one flush rewrites at most
 * the entries of one largest file plus its smaller tiers ({@code 4/3} of the largest file), however
 * large the store is. Only a store smaller than the largest file is ever rewritten whole, at the
 * flushes where it reaches {@code 4^k} units.
 */
final class MergePolicy {

    /** How many generations of one tier are merged into one of the next. */
    static final int FAN_IN = 4;

    /** The largest index file: one read-only mapping, addressed with int offsets. */
    static final long MAX_FILE_BYTES = Integer.MAX_VALUE;

    private final long unit;
    private final long maxFileBytes;

    /**
     * @param unit         the entries of one regular flush (the index flush threshold), at least 1
     * @param maxFileBytes the largest merged file allowed, in bytes
     */
    MergePolicy(long unit, long maxFileBytes) {
        if (unit < 1) {
            throw new IllegalArgumentException("the merge unit must be at least 1 entry, was " + unit);
        }
        this.unit = unit;
        this.maxFileBytes = maxFileBytes;
    }

    /** The tier of a generation of {@code entries} entries. */
    int tier(long entries) {
        int tier = 0;
        long bound = unit;
        while (bound <= Long.MAX_VALUE / FAN_IN && entries >= bound * FAN_IN) {
            bound *= FAN_IN;
            tier++;
        }
        return tier;
    }

    /** A run of generations to merge: indexes {@code [first, end)} in oldest-first order. */
    record Run(int first, int end) {
    }

    /**
     * The run to merge next, or null if none.
     *
     * @param entries    the entry count of each generation, oldest first
     * @param headsBytes the size of each generation's stream-heads section (a merged file carries
     *                   the heads of its newest input)
     */
    Run next(long[] entries, long[] headsBytes) {
        int count = entries.length;
        if (count < FAN_IN) {
            return null;
        }
        int tier = tier(entries[count - 1]);
        int first = count - 1;
        while (first > 0 && tier(entries[first - 1]) == tier) {
            first--;
        }
        if (count - first < FAN_IN) {
            return null;
        }
        // The oldest of the run, so that what is left stays ordered by tier, largest first. When
        // FAN_IN of them would make too large a file, as many as fit (at least two).
        for (int merged = FAN_IN; merged >= 2; merged--) {
            if (fits(entries, headsBytes, first, first + merged)) {
                return new Run(first, first + merged);
            }
        }
        return null;
    }

    private boolean fits(long[] entries, long[] headsBytes, int first, int end) {
        long sum = 0;
        for (int i = first; i < end; i++) {
            sum += entries[i];
        }
        return IndexGeneration.fileBytes(sum, headsBytes[end - 1]) <= maxFileBytes;
    }
}
