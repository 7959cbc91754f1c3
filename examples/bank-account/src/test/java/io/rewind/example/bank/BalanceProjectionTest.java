package io.rewind.example.bank;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.memory.MemoryEventStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BalanceProjectionTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final EventStore store = MemoryEventStore.create();
    private final AccountService service = new AccountService(store);

    @TempDir
    Path temp;

    @AfterEach
    void close() {
        store.close();
    }

    private long deposits(String account, int count) {
        long last = -1;
        for (int i = 0; i < count; i++) {
            last = service.deposit(account, 1_00).position();
        }
        return last;
    }

    @Test
    void restartedItResumesAfterItsSavedPositionAndCountsEachEventOnce() throws Exception {
        Path file = temp.resolve("balances.properties");
        service.open("a", "Ada");
        service.open("b", "Bob");
        long position = deposits("a", 3);

        try (BalanceProjection projection = BalanceProjection.start(store, file)) {
            assertThat(projection.awaitPosition(position, WAIT)).isTrue();
            assertThat(projection.resumedAfter()).isEqualTo(-1);
            assertThat(projection.applied()).isEqualTo(5);
            assertThat(projection.balance("a")).contains(3_00L);
        }
        assertThat(ProjectionState.load(file)).isEqualTo(new ProjectionState(position, Map.of("a", 3_00L, "b", 0L)));

        service.withdraw("a", 50);
        long last = deposits("b", 2);
        try (BalanceProjection restarted = BalanceProjection.start(store, file)) {
            assertThat(restarted.awaitPosition(last, WAIT)).isTrue();
            assertThat(restarted.resumedAfter()).isEqualTo(position);
            assertThat(restarted.applied()).isEqualTo(3);
            assertThat(restarted.balance("a")).contains(2_50L);
            assertThat(restarted.balance("b")).contains(2_00L);
        }
    }

    @Test
    void onlyAccountStreamsCount() throws Exception {
        service.open("a", "Ada");
        store.append("audit-1", ExpectedVersion.any(),
                EventData.of(AccountEvents.DEPOSITED, "999".getBytes(StandardCharsets.UTF_8)));
        long position = deposits("a", 1);

        try (BalanceProjection projection = BalanceProjection.start(store, temp.resolve("p"))) {
            assertThat(projection.awaitPosition(position, WAIT)).isTrue();
            assertThat(projection.applied()).isEqualTo(2);
            assertThat(projection.balance("a")).contains(1_00L);
        }
    }

    @Test
    void aStretchOfOtherStreamsIsSavedAsACheckpointAndNotScannedAgain() throws Exception {
        Path file = temp.resolve("checkpointed.properties");
        service.open("a", "Ada");
        for (int i = 0; i < 5; i++) {
            store.append("audit-" + i, ExpectedVersion.any(), EventData.of("Audited", new byte[0]));
        }

        try (BalanceProjection projection = BalanceProjection.start(store, file, 3)) {
            // The five audit events end at position 5; three skipped make a notice due.
            assertThat(projection.awaitPosition(5, WAIT)).isTrue();
            assertThat(projection.applied()).isEqualTo(1);
        }
        assertThat(ProjectionState.load(file)).isEqualTo(new ProjectionState(5, Map.of("a", 0L)));

        long deposit = deposits("a", 1);
        try (BalanceProjection restarted = BalanceProjection.start(store, file, 3)) {
            assertThat(restarted.awaitPosition(deposit, WAIT)).isTrue();
            assertThat(restarted.resumedAfter()).isEqualTo(5);
            assertThat(restarted.applied()).isEqualTo(1);
            assertThat(restarted.balance("a")).contains(1_00L);
        }
    }

    /**
     * A projection killed at any moment leaves the last state it saved; one started from that
     * state replays what came after and ends with the same balances. The copies taken while the
     * projection replays history stand for kills at arbitrary points.
     */
    @Test
    void aProjectionStartedFromAnyStateItSavedEndsWithTheSameBalances() throws Exception {
        service.open("a", "Ada");
        long last = deposits("a", 3 * BalanceProjection.SAVE_EVERY + 7);
        Path file = temp.resolve("live.properties");
        int copies = 0;
        try (BalanceProjection projection = BalanceProjection.start(store, file)) {
            while (!projection.awaitPosition(last, Duration.ofMillis(1))) {
                if (Files.exists(file)) {
                    Files.copy(file, temp.resolve("crash-" + copies++ + ".properties"));
                }
            }
        }
        Files.copy(file, temp.resolve("crash-" + copies++ + ".properties"));

        for (int i = 0; i < copies; i++) {
            Path crashed = temp.resolve("crash-" + i + ".properties");
            ProjectionState saved = ProjectionState.load(crashed);
            assertThat(saved.balances().getOrDefault("a", 0L)).as("state and position saved together")
                    .isEqualTo(saved.position() * 1_00L);
            try (BalanceProjection restarted = BalanceProjection.start(store, crashed)) {
                assertThat(restarted.awaitPosition(last, WAIT)).isTrue();
                assertThat(restarted.balance("a")).contains((3L * BalanceProjection.SAVE_EVERY + 7) * 1_00L);
                assertThat(restarted.applied()).isEqualTo(last - saved.position());
            }
        }
    }

    @Test
    void theStateFileRoundTripsAndIsReplacedWhole() {
        Path file = temp.resolve("state.properties");
        new ProjectionState(41, Map.of("x", 5L)).save(file);
        new ProjectionState(42, Map.of("x", 7L, "name with = and spaces", -3L)).save(file);

        assertThat(ProjectionState.load(file))
                .isEqualTo(new ProjectionState(42, Map.of("x", 7L, "name with = and spaces", -3L)));
        assertThat(ProjectionState.load(temp.resolve("missing"))).isEqualTo(ProjectionState.empty());
        assertThat(temp.resolve("state.properties.tmp")).doesNotExist();
    }
}
