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
    void anUnknownGroupIsAnErrorNamingIt() {
        CliRun run = CliRun.run("groups", "describe", "nope", "--server", server.commandEndpoint());
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("'nope'");
    }
}
