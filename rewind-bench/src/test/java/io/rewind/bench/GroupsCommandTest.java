package io.rewind.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.RecordedEvent;
import io.rewind.groups.GroupService;
import io.rewind.groups.GroupServiceOptions;
import io.rewind.memory.MemoryEventStore;
import io.rewind.server.RewindServer;
import io.rewind.server.ServerConfig;
import io.rewind.server.ServerSecurity;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench groups} end to end, with small sizes: against an in-process server it starts itself
 * ({@code --serve}) and against a running one ({@code --server}); what it reports and that every
 * event was acked, never how fast.
 */
class GroupsCommandTest {

    private static final String[] FIGURES = {"prefill_events_per_s", "plain_events_per_s", "plain_s",
        "events_per_s", "group_s", "ratio_to_plain", "ack_p50_us", "ack_p99_us", "ack_p999_us"};

    @Test
    void pinnedGroupOnItsOwnServerAcksEveryEventOnceInStreamOrder(@TempDir Path dir) {
        BenchRun run = BenchRun.of("groups", "--serve", "log:" + dir.resolve("log"), "--fsync", "never",
                "--events", "600", "--streams", "20", "--consumers", "3", "--strategy", "pinned",
                "--warmup-events", "100", "--json").succeededWithJson();

        run.hasPositive(FIGURES);
        assertThat(run.out()).contains("\"strategy\":\"pinned\"", "\"server\":\"in-process over log:");
        assertThat(run.number("acked")).isEqualTo(600);
        assertThat(run.number("deliveries")).isEqualTo(600);
        assertThat(run.number("redeliveries")).isZero();
        assertThat(run.number("ack_failures")).isZero();
        assertThat(run.number("overlaps")).isZero();
        assertThat(run.number("order_violations")).isZero();
        assertThat(run.number("checkpoint_behind")).isZero();
        assertThat(run.number("plain_duplicates")).isZero();
        // Three consumers: the events were shared, so none acked them all.
        assertThat(run.number("consumer_max_acked")).isLessThan(600);
    }

    @Test
    void roundRobinGroupOfARunningServerWithAckThreadsAcksEveryEvent() {
        MemoryEventStore store = MemoryEventStore.create();
        GroupService groups = GroupService.open(store, GroupServiceOptions.defaults());
        RewindServer server = RewindServer.start(ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*")
                .streamEndpoint("tcp://127.0.0.1:*").linger(Duration.ofMillis(200)).build(), store,
                ServerSecurity.none(), Optional.of(groups));
        try {
            BenchRun run = BenchRun.of("groups", "--server", server.commandEndpoint(), "--events", "505",
                    "--streams", "7", "--consumers", "2", "--max-in-flight", "4", "--ack-threads", "3",
                    "--warmup-events", "0", "--size", "40", "--json").succeededWithJson();

            run.hasPositive(FIGURES).lacks("overlaps", "order_violations");
            assertThat(run.number("acked")).isEqualTo(505);
            assertThat(run.number("redeliveries")).isZero();
            assertThat(run.number("ack_failures")).isZero();
            assertThat(run.number("checkpoint_behind")).isZero();
            assertThat(run.number("consumer_min_acked") + run.number("consumer_max_acked")).isEqualTo(505);

            // What it prefilled: 505 events of 40 bytes over 7 streams, each naming its index once.
            List<RecordedEvent> stored = store.readAll(0, io.rewind.api.Direction.FORWARD, 10_000).stream()
                    .filter(event -> event.stream().startsWith("bench-groups-")).toList();
            Set<Long> indexes = new HashSet<>();
            Set<String> streams = new HashSet<>();
            for (RecordedEvent event : stored) {
                assertThat(event.data()).hasSize(40);
                indexes.add(ByteBuffer.wrap(event.data()).getLong(0));
                streams.add(event.stream());
            }
            assertThat(stored).hasSize(505);
            assertThat(indexes).hasSize(505).allMatch(index -> index >= 0 && index < 505);
            assertThat(streams).hasSize(7);
            // The bench deletes its groups when done.
            assertThat(groups.list()).isEmpty();
        } finally {
            server.close();
            groups.close();
            store.close();
        }
    }

    @Test
    void aServerWithoutGroupsIsReportedInWords() {
        MemoryEventStore store = MemoryEventStore.create();
        RewindServer server = RewindServer.start(ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*")
                .streamEndpoint("tcp://127.0.0.1:*").linger(Duration.ofMillis(200)).build(), store);
        try {
            BenchRun run = BenchRun.of("groups", "--server", server.commandEndpoint(), "--events", "20",
                    "--streams", "2", "--warmup-events", "0");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).contains("this server runs no consumer groups");
        } finally {
            server.close();
            store.close();
        }
    }

    @Test
    void badOptionsAreUsageErrorsNamingTheOption() {
        BenchRun strategy = BenchRun.of("groups", "--serve", "memory:", "--strategy", "sticky");
        assertThat(strategy.exitCode()).isEqualTo(2);
        assertThat(strategy.err()).contains("--strategy: 'sticky' is not one of round-robin, pinned");

        BenchRun both = BenchRun.of("groups", "--serve", "memory:", "--server", "tcp://127.0.0.1:1");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("give exactly one of --server ENDPOINT and --serve URI");

        BenchRun warmup = BenchRun.of("groups", "--serve", "memory:", "--events", "10", "--warmup-events", "11");
        assertThat(warmup.exitCode()).isEqualTo(2);
        assertThat(warmup.err()).contains("--warmup-events must be between 0 and 10, was 11");

        BenchRun inFlight = BenchRun.of("groups", "--serve", "memory:", "--max-in-flight", "0");
        assertThat(inFlight.exitCode()).isEqualTo(2);
        assertThat(inFlight.err()).contains("--max-in-flight must be between 1 and 10000, was 0");
    }
}
