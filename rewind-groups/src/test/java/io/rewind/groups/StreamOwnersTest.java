package io.rewind.groups;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamOwnersTest {

    private static Map<String, String> owners(List<String> members) {
        Map<String, String> owners = new HashMap<>();
        for (int i = 0; i < 3_000; i++) {
            owners.put("order-" + i, StreamOwners.ownerOf("order-" + i, members).orElseThrow());
        }
        return owners;
    }

    @Test
    void streamsSpreadOverTheMembersAndAJoinMovesStreamsOnlyToTheNewcomer() {
        Map<String, String> before = owners(List.of("alpha", "bravo", "charlie"));
        Map<String, Long> counts = new HashMap<>();
        before.values().forEach(owner -> counts.merge(owner, 1L, Long::sum));
        assertThat(counts).hasSize(3);
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(800L, 1_200L));

        Map<String, String> after = owners(List.of("alpha", "bravo", "charlie", "delta"));
        long moved = before.keySet().stream().filter(s -> !before.get(s).equals(after.get(s))).count();
        assertThat(before.keySet()).filteredOn(s -> !before.get(s).equals(after.get(s)))
                .allSatisfy(s -> assertThat(after.get(s)).isEqualTo("delta"));
        assertThat(moved).as("about a quarter of the streams move").isBetween(550L, 950L);
    }

    @Test
    void theOwnerDependsOnTheMembersNotTheirOrder() {
        assertThat(owners(List.of("charlie", "alpha", "bravo"))).isEqualTo(owners(List.of("alpha", "bravo", "charlie")));
        assertThat(StreamOwners.ownerOf("s", List.of())).isEmpty();
    }
}
