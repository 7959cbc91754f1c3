package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The primitive structures behind the indexes, against plain Java models. */
class IndexStructuresTest {

    record Entry(long first, long second, long third) {
    }

    private static final Comparator<Entry> ORDER = Comparator.comparingLong(Entry::first)
            .thenComparingLong(Entry::second).thenComparingLong(Entry::third);

    @Property
    void tripleSortSortsLikeAComparator(@ForAll @Size(max = 300) List<@IntRange(min = 0, max = 7) Integer> small,
            @ForAll @Size(max = 300) List<Long> large) {
        // Few distinct small keys force ties on the first and second key; large keys spread.
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < small.size(); i++) {
            entries.add(new Entry(small.get(i) % 3, small.get(i), i < large.size() ? large.get(i) : i));
        }
        long[] first = entries.stream().mapToLong(Entry::first).toArray();
        long[] second = entries.stream().mapToLong(Entry::second).toArray();
        long[] third = entries.stream().mapToLong(Entry::third).toArray();
        TripleSort.sort(first, second, third, entries.size());
        entries.sort(ORDER);
        for (int i = 0; i < entries.size(); i++) {
            assertThat(new Entry(first[i], second[i], third[i])).isEqualTo(entries.get(i));
        }
    }

    @Property
    void radixSortSortsLikeAComparator(@ForAll @Size(max = 400) List<@IntRange(min = 0, max = 7) Integer> small,
            @ForAll @Size(max = 400) List<Long> large, @ForAll @IntRange(min = 1, max = 50) int longRun) {
        // Keys of every sign and size, with ties in (first, second) that only the third breaks.
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < Math.max(small.size(), large.size()); i++) {
            int tie = i < small.size() ? small.get(i) : i;
            long spread = i < large.size() ? large.get(i) : -i;
            long firstKey = tie % 2 == 0 ? spread : tie - 4;
            long secondKey = tie % 3 == 0 ? -spread : tie;
            entries.add(new Entry(firstKey, secondKey, tie % 4 == 0 ? -i : spread ^ i));
        }
        long[] first = entries.stream().mapToLong(Entry::first).toArray();
        long[] second = entries.stream().mapToLong(Entry::second).toArray();
        long[] third = entries.stream().mapToLong(Entry::third).toArray();
        TripleSort.radixSort(first, second, third, entries.size(), longRun);
        entries.sort(ORDER);
        for (int i = 0; i < entries.size(); i++) {
            assertThat(new Entry(first[i], second[i], third[i])).isEqualTo(entries.get(i));
        }
    }

    @Property
    void longPairTableFindsWhatWasPutInGroupsUpToTheBound(
            @ForAll @Size(max = 3000) List<@IntRange(min = 0, max = 500) Integer> keys,
            @ForAll @IntRange(min = 0, max = 3000) int bound, @ForAll @IntRange(min = 1, max = 200) int group) {
        LongPairTable table = new LongPairTable();
        Map<Long, List<Long>> model = new HashMap<>();
        for (int start = 0; start < keys.size(); start += group) {
            int count = Math.min(group, keys.size() - start);
            long[] firsts = new long[count];
            long[] seconds = new long[count];
            for (int i = 0; i < count; i++) {
                long key = keys.get(start + i);
                firsts[i] = key;
                seconds[i] = -key;
                model.computeIfAbsent(key, k -> new ArrayList<>()).add((long) start + i);
            }
            table.putAll(firsts, seconds, start, count);
        }
        for (long key = 0; key <= 500; key++) {
            List<Long> expected = model.getOrDefault(key, List.of()).stream().filter(p -> p <= bound).toList();
            List<Long> found = new ArrayList<>();
            table.forEach(key, -key, bound, found::add);
            assertThat(found).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Property
    void longPairTableFindsWhatWasPutUpToTheBound(@ForAll @Size(max = 3000) List<@IntRange(min = 0, max = 500) Integer> keys,
            @ForAll @IntRange(min = 0, max = 3000) int bound) {
        LongPairTable table = new LongPairTable();
        Map<Long, List<Long>> model = new HashMap<>();
        for (int position = 0; position < keys.size(); position++) {
            long key = keys.get(position);
            table.put(key, -key, position);
            model.computeIfAbsent(key, k -> new ArrayList<>()).add((long) position);
        }
        for (long key = 0; key <= 500; key++) {
            List<Long> expected = model.getOrDefault(key, List.of()).stream().filter(p -> p <= bound).toList();
            List<Long> found = new ArrayList<>();
            table.forEach(key, -key, bound, found::add);
            assertThat(found).containsExactlyInAnyOrderElementsOf(expected);
            long one = table.find(key, -key, bound);
            assertThat(one < 0 ? expected.isEmpty() : expected.contains(one)).isTrue();
        }
    }
}
