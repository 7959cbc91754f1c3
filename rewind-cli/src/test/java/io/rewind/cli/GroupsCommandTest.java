package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.groups.GroupService;
import io.rewind.groups.GroupServiceOptions;
import io.rewind.memory.MemoryEventStore;
import io.rewind.server.RewindServer;
import io.rewind.server.ServerConfig;
import io.rewind.server.ServerSecurity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code rewind groups …} and {@code rewind consume} against a server with a real GroupService. */
class GroupsCommandTest {

    private EventStore store;
    private GroupService groups;
    private RewindServer server;

    @BeforeEach
    void start() {
        store = MemoryEventStore.create();
        groups = GroupService.open(store, GroupServiceOptions.defaults().withFlushInterval(Duration.ofMillis(20)));
        server = RewindServer.start(ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*")
                .streamEndpoint("tcp://127.0.0.1:*").linger(Duration.ofMillis(100)).build(), store,
                ServerSecurity.none(), Optional.of(groups));
    }

    @AfterEach
    void stop() {
        server.close();
        groups.close();
        store.close();
    }

    private CliRun rewind(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--server";
        all[args.length + 1] = server.commandEndpoint();
        CliRun run = CliRun.run(all);
        assertThat(run.exitCode()).as("%s", run).isZero();
        return run;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void createListDescribeConsumeAndDelete() {
        assertThat(rewind("groups", "create", "billing", "--prefix", "invoice-", "--strategy", "pinned",
                "--max-in-flight", "3").lines()).containsExactly("created group billing");
        rewind("groups", "create", "audit");
        assertThat(rewind("groups", "list").lines()).containsExactly("audit", "billing");

        List<String> described = rewind("groups", "describe", "billing").lines();
        assertThat(described).contains("group               billing", "strategy            PINNED_BY_STREAM",
                "filter              PREFIX invoice-", "max in flight       3", "consumers           none");

        for (int i = 0; i < 3; i++) {
            store.append("invoice-" + i, ExpectedVersion.any(),
                    List.of(EventData.of("Issued", ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8))));
        }
        store.append("orders-1", ExpectedVersion.any(), List.of(EventData.of("Other", new byte[] {1})));

        CliRun consumed = rewind("consume", "billing", "--consumer", "cli", "--limit", "3", "--json");
        assertThat(consumed.lines()).hasSize(3);
        assertThat(consumed.lines().stream().map(line -> FlatJson.parse(line).get("stream")))
                .containsExactlyInAnyOrder("invoice-0", "invoice-1", "invoice-2");
        Map<String, Object> first = FlatJson.parse(consumed.lines().get(0));
        assertThat(first.get("type")).isEqualTo("Issued");

        long lastInvoice = store.streamInfo("invoice-2").orElseThrow().lastPosition();
        io.rewind.testkit.Await.until(() -> groups.describe("billing").durableCheckpoint() >= lastInvoice,
                "the acks reached the durable checkpoint");
        assertThat(rewind("groups", "describe", "billing").lines()).anySatisfy(line ->
                assertThat(line).startsWith("checkpoint          ").contains("(durable "));
        assertThat(rewind("groups", "parked", "billing").lines()).isEmpty();
        assertThat(rewind("groups", "replay", "billing").lines()).containsExactly("replayed 0 parked event(s)");

        assertThat(rewind("groups", "delete", "audit").lines()).containsExactly("deleted group audit");
        assertThat(rewind("groups", "list").lines()).containsExactly("billing");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void updateChangesTheGivenSettingsAndKeepsTheOthers() {
        rewind("groups", "create", "billing", "--max-in-flight", "4", "--max-retries", "3");
        assertThat(rewind("groups", "update", "billing", "--max-in-flight", "2", "--ack-timeout", "45s",
                "--retry-backoff", "250ms").lines()).containsExactly("updated group billing: strategy ROUND_ROBIN,"
                        + " max in flight 2, ack timeout 45000 ms, max retries 3, retry backoff 250 ms");
        assertThat(groups.describe("billing").definition().settings().ackTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(rewind("groups", "describe", "billing").lines()).contains("max in flight       2",
                "ack timeout         45000 ms", "max retries         3", "retry backoff       250 ms");
        assertThat(FlatJson.parse(rewind("groups", "update", "billing", "--max-retries", "9", "--strategy",
                "round-robin", "--ack-timeout", "2m", "--json").lines().get(0))).isEqualTo(Map.of("group", "billing", "strategy",
                        "ROUND_ROBIN", "max_in_flight", 2L, "ack_timeout_ms", 120_000L, "max_retries", 9L,
                        "retry_backoff_ms", 250L));
    }

    @Test
    void badUpdatesAreRefusedWithMessagesNamingWhatIsWrong() {
        rewind("groups", "create", "billing");
        CliRun strategy = CliRun.run("groups", "update", "billing", "--strategy", "pinned", "--server",
                server.commandEndpoint());
        assertThat(strategy.exitCode()).isNotZero();
        assertThat(strategy.err()).contains("group 'billing': the strategy cannot change (from ROUND_ROBIN to"
                + " PINNED_BY_STREAM) on a live group");
        CliRun unknown = CliRun.run("groups", "update", "nope", "--max-retries", "1", "--server",
                server.commandEndpoint());
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.err()).contains("there is no group named 'nope'; groups: [billing]");
        CliRun range = CliRun.run("groups", "update", "billing", "--max-in-flight", "0", "--server",
                server.commandEndpoint());
        assertThat(range.err()).contains("group setting max in flight per consumer must be 1 to 10000, was 0");
        CliRun duration = CliRun.run("groups", "update", "billing", "--ack-timeout", "soon", "--server",
                server.commandEndpoint());
        assertThat(duration.exitCode()).isEqualTo(2);
        assertThat(duration.err()).contains("--ack-timeout must be a whole number with a unit ms, s, m or h (e.g."
                + " 500ms, 30s, 2m), was 'soon'");
        CliRun nothing = CliRun.run("groups", "update", "billing", "--server", server.commandEndpoint());
        assertThat(nothing.exitCode()).isEqualTo(2);
        assertThat(nothing.err()).contains("nothing to update: give at least one of --max-in-flight, --ack-timeout,"
                + " --max-retries, --retry-backoff, --strategy");
        assertThat(groups.describe("billing").definition().settings())
                .isEqualTo(io.rewind.groups.GroupSettings.defaults());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void listDescribeAndParkedPrintJsonWithJson() {
        rewind("groups", "create", "billing", "--prefix", "invoice-", "--type", "Issued", "--max-retries", "0");
        assertThat(rewind("groups", "create", "audit", "--json").lines()).containsExactly("{\"created\":\"audit\"}");
        assertThat(rewind("groups", "list", "--json").lines()).containsExactly("{\"group\":\"audit\"}",
                "{\"group\":\"billing\"}");

        long position = store.append("invoice-1", ExpectedVersion.any(),
                List.of(EventData.of("Issued", "{}".getBytes(StandardCharsets.UTF_8)))).lastPosition();
        java.util.concurrent.BlockingQueue<io.rewind.groups.Delivery> got = new java.util.concurrent.LinkedBlockingQueue<>();
        groups.join("billing", "w", new io.rewind.groups.DeliverySink() {
            @Override
            public void deliver(io.rewind.groups.Delivery delivery) {
                got.add(delivery);
            }

            @Override
            public void closed(String reason) {
            }
        });
        io.rewind.testkit.Await.until(() -> !got.isEmpty(), "the event is delivered");
        io.rewind.groups.Delivery delivery = got.poll();
        groups.nack("billing", "w", delivery.id(), io.rewind.groups.NackAction.PARK, "no \"customer\"");
        // Both groups' checkpoints written (audit's stops below the unconsumed invoice): nothing moves the head after.
        io.rewind.testkit.Await.until(() -> groups.describe("billing").durableCheckpoint() == position
                && groups.describe("audit").durableCheckpoint() == position - 1,
                "the parked event's checkpoint and audit's are written");

        String described = rewind("groups", "describe", "billing", "--json").lines().get(0);
        io.rewind.groups.GroupInfo info = groups.describe("billing");
        assertThat(described).isEqualTo("{\"group\":\"billing\",\"strategy\":\"ROUND_ROBIN\",\"scope\":\"PREFIX\","
                + "\"target\":\"invoice-\",\"types\":[\"Issued\"],\"max_in_flight\":10,\"ack_timeout_ms\":30000,"
                + "\"max_retries\":0,\"retry_backoff_ms\":1000,\"start_after\":-1,\"checkpoint\":" + info.checkpoint()
                + ",\"durable_checkpoint\":" + info.durableCheckpoint() + ",\"head\":" + info.head()
                + ",\"lag_positions\":" + info.lagPositions() + ",\"in_flight\":0,\"buffered\":0,\"parked\":1,"
                + "\"consumers\":[\"w\"]}");
        assertThat(info.checkpoint()).as("the parked event is settled").isEqualTo(position);

        Map<String, Object> parked = FlatJson.parse(rewind("groups", "parked", "billing", "--json").lines().get(0));
        assertThat(parked).isEqualTo(Map.of("position", position, "stream", "invoice-1", "id",
                delivery.event().id().toString(), "attempts", 1L, "reason", "no \"customer\""));
        assertThat(rewind("groups", "replay", "billing", "--position", Long.toString(position), "--json").lines())
                .containsExactly("{\"group\":\"billing\",\"replayed\":1,\"position\":" + position + "}");
        assertThat(rewind("groups", "replay", "billing", "--json").lines())
                .containsExactly("{\"group\":\"billing\",\"replayed\":0}");
        assertThat(rewind("groups", "delete", "audit", "--json").lines()).containsExactly("{\"deleted\":\"audit\"}");
    }

    @Test
    void anUnknownGroupIsAnErrorNamingIt() {
        CliRun run = CliRun.run("groups", "describe", "nope", "--server", server.commandEndpoint());
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("'nope'");
    }
}
