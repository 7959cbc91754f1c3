package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The merge policy's bounds, by applying it after every flush of a simulated store (the same loop
 * the flusher runs, without files): the number of generations, the entries one flush rewrites, and
 * the times each entry is rewritten, none of which may grow with the store beyond the largest file.
 */
class MergePolicyTest {

    private static final long UNIT = 500_000;
    private static final long HEADS_BYTES = 16 * 40;
    private final MergePolicy policy = new MergePolicy(UNIT, MergePolicy.MAX_FILE_BYTES);

    /** A simulated index: generation sizes, oldest first, and what merging them cost. */
    private final class Store {
        final List<Long> generations = new ArrayList<>();
        long indexed;
        long mergedEntries;

        /** Adds one flushed generation and runs the policy as the flusher does; returns the entries merges rewrote. */
        long flush(long entries) {
            generations.add(entries);
            indexed += entries;
            long rewritten = 0;
            MergePolicy.Run run;
            while ((run = policy.next(generations.stream().mapToLong(Long::longValue).toArray(),
                    heads(generations.size(), HEADS_BYTES))) != null) {
                List<Long> merged = generations.subList(run.first(), run.end());
                long sum = merged.stream().mapToLong(Long::longValue).sum();
                merged.clear();
                generations.add(run.first(), sum);
                rewritten += sum;
            }
            mergedEntries += rewritten;
            return rewritten;
        }
    }

    private static long[] heads(int generations, long bytes) {
        long[] heads = new long[generations];
        Arrays.fill(heads, bytes);
        return heads;
    }

    private MergePolicy.Run next(long[] entries, long headsBytes) {
        return policy.next(entries, heads(entries.length, headsBytes));
    }

    @Test
    void tiersAreFactorsOfFourOfTheFlushSize() {
        assertThat(policy.tier(1)).isZero();
        assertThat(policy.tier(UNIT)).isZero();
        assertThat(policy.tier(4 * UNIT - 1)).isZero();
        assertThat(policy.tier(4 * UNIT)).isEqualTo(1);
        assertThat(policy.tier(16 * UNIT - 1)).isEqualTo(1);
        assertThat(policy.tier(16 * UNIT)).isEqualTo(2);
        assertThat(policy.tier(Long.MAX_VALUE)).isPositive();
    }

    @Test
    void fourGenerationsOfOneTierAreMergedAndFewerAreNot() {
        assertThat(next(new long[] {UNIT, UNIT, UNIT}, HEADS_BYTES)).isNull();
        assertThat(next(new long[] {UNIT, UNIT, UNIT, UNIT}, HEADS_BYTES)).isEqualTo(new MergePolicy.Run(0, 4));
        // The newest four must share a tier: a big one among them stops the merge.
        assertThat(next(new long[] {4 * UNIT, UNIT, UNIT, UNIT}, HEADS_BYTES)).isNull();
        assertThat(next(new long[] {16 * UNIT, UNIT, UNIT, UNIT, UNIT}, HEADS_BYTES))
                .isEqualTo(new MergePolicy.Run(1, 5));
    }

    @Test
    void aMergeWhoseFileWouldExceedTheLimitMergesFewerOrNone() {
        long quarter = 8_000_000;
        assertThat(next(new long[] {quarter, quarter, quarter, quarter}, HEADS_BYTES))
                .isEqualTo(new MergePolicy.Run(0, 4));
        // Four files of 16 M entries would make one of 3.3 GB; the oldest two fit in 1.7 GB.
        long twice = 2 * quarter;
        assertThat(next(new long[] {twice, twice, twice, twice}, HEADS_BYTES)).isEqualTo(new MergePolicy.Run(0, 2));
        // Two files of 32 M entries do not fit at all.
        long largest = 4 * quarter;
        assertThat(next(new long[] {largest, largest, largest, largest}, HEADS_BYTES)).isNull();
        // The heads count too: with 600 MB of them, 32 M entries do not fit, 24 M do.
        assertThat(next(new long[] {quarter, quarter, quarter, quarter}, 600_000_000L))
                .isEqualTo(new MergePolicy.Run(0, 3));
        // The oldest of a longer run are merged, so that the newer ones stay the smaller.
        assertThat(next(new long[] {largest, twice, twice, twice, twice, twice}, HEADS_BYTES))
                .isEqualTo(new MergePolicy.Run(1, 3));
    }

    @Test
    void generationsRewritesAndPerFlushWorkStayBoundedAsTheStoreGrows() {
        // 0.5 M, 2 M, 8 M, 32 M entries: 32 M is the largest file under 2 GiB, so tiers 0..2 hold
        // at most 3 files each and files of 32 M accumulate, one per 64 flushes.
        Store store = new Store();
        long largest = 64 * UNIT;
        long mostRewrittenByOneFlush = 0;
        for (int flush = 1; flush <= 2_000; flush++) { // a store of 1 G events
            long rewritten = store.flush(UNIT);
            mostRewrittenByOneFlush = Math.max(mostRewrittenByOneFlush, rewritten);
            int largestFiles = (int) Math.ceil(store.indexed / (double) largest);
            assertThat(store.generations).hasSizeLessThanOrEqualTo(3 * 3 + largestFiles);
            assertThat(store.generations.stream().mapToLong(Long::longValue).max().orElseThrow())
                    .isLessThanOrEqualTo(largest);
        }
        // One flush rewrites at most a largest file and the tiers below it (4 + 16 + 64 units),
        // never the whole index.
        assertThat(mostRewrittenByOneFlush).isEqualTo(84 * UNIT);
        // Each entry is rewritten once per tier it climbs: three times.
        assertThat(store.mergedEntries).isLessThanOrEqualTo(3 * store.indexed);
        // 2,000 = 31 × 64 + 16 flushes: 31 files of 32 M entries and one of 8 M.
        assertThat(store.generations).hasSize(31 + 1);
    }

    @Test
    void smallFlushesFromClosesKeepTheBounds() {
        // Closes flush whatever the tail holds; those files are smaller but of tier 0 like the rest.
        Store store = new Store();
        Random random = new Random(7);
        for (int flush = 1; flush <= 3_000; flush++) {
            store.flush(random.nextInt(4) == 0 ? 1 + random.nextInt((int) UNIT) : UNIT);
            List<Integer> tiers = store.generations.stream().map(policy::tier).toList();
            for (int i = 1; i < tiers.size(); i++) {
                assertThat(tiers.get(i)).as("tiers never grow towards the newest: %s", tiers)
                        .isLessThanOrEqualTo(tiers.get(i - 1));
            }
            // Tiers 0 and 1 always merge (4 files of tier 1 are under 32 M entries); files of
            // tier 2 and up hold at least 16 flushes' worth (8 M entries) each.
            for (int tier = 0; tier < 2; tier++) {
                int t = tier;
                assertThat(tiers.stream().filter(x -> x == t).count()).as("tier %d in %s", tier, tiers).isLessThan(4);
            }
            assertThat(tiers.stream().filter(x -> x >= 2).count()).isLessThanOrEqualTo(3 + store.indexed / (16 * UNIT));
        }
        long largestTier = policy.tier(64 * UNIT);
        assertThat(store.mergedEntries).isLessThanOrEqualTo((largestTier + 1) * store.indexed);
    }
}
