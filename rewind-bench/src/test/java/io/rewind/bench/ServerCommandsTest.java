package io.rewind.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.memory.MemoryEventStore;
import io.rewind.server.RewindServer;
import io.rewind.server.ServerConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The wire commands end to end against an in-process server on an ephemeral port. */
class ServerCommandsTest {

    private MemoryEventStore store;
    private RewindServer server;

    @BeforeEach
    void startServer() {
        store = MemoryEventStore.create();
        server = RewindServer.start(ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*")
                .streamEndpoint("tcp://127.0.0.1:*").legacyStreamEndpoint("tcp://127.0.0.1:*")
                .linger(Duration.ofMillis(200)).build(), store);
    }

    @AfterEach
    void stopServer() {
        server.close();
        store.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rewind", "gorewind", "native"})
    void publishInEachDialectStoresWhatItCounts(String dialect) {
        BenchRun run = BenchRun.of("publish", "--server", server.commandEndpoint(), "--dialect", dialect,
                "--clients", "2", "--window", "8", "--duration", "2", "--warmup", "0", "--json").succeededWithJson();

        run.hasPositive("events_per_s", "mb_per_s", "p50_us", "p99_us", "p999_us");
        // Every request the run sent was answered before it returned, and each stored one event.
        assertThat(store.headPosition() + 1).isGreaterThanOrEqualTo((long) run.number("events"));
    }

    @Test
    void publishInBatchesStoresWholeAppends() {
        BenchRun run = BenchRun.of("publish", "--server", server.commandEndpoint(), "--batch", "5",
                "--duration", "2", "--warmup", "0", "--json").succeededWithJson();

        assertThat(run.number("events") % 5).isZero();
        assertThat((store.headPosition() + 1) % 5).isZero();
    }

    @Test
    void subscribeMeasuresDeliveriesToEverySubscriberWithoutGaps() {
        BenchRun run = BenchRun.of("subscribe", "--server", server.commandEndpoint(), "--rate", "2000",
                "--subscribers", "2", "--duration", "2", "--warmup", "0", "--json").succeededWithJson();

        run.hasPositive("events_per_s", "delivered_per_s", "p50_us", "p99_us");
        assertThat(run.number("gaps")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gorewind", "rewind"})
    void subscribeThroughTheBroadcastSocketsReceivesEveryEventOnEverySub(String format) {
        String endpoint = format.equals("rewind") ? server.legacyStreamEndpoint().orElseThrow()
                : server.streamEndpoint();
        BenchRun run = BenchRun.of("subscribe", "--server", server.commandEndpoint(), "--pub", endpoint,
                "--pub-format", format, "--rate", "2000", "--subscribers", "2", "--duration", "2", "--warmup", "0",
                "--json").succeededWithJson();

        run.hasPositive("events_per_s", "delivered_per_s", "p50_us", "p99_us");
        assertThat(run.out()).contains("\"via\":\"pub-" + format + "\"");
        // Every acknowledged event reached both SUB sockets (a PUB drop would count as a gap).
        assertThat(run.number("gaps")).isZero();
    }

    @Test
    void subscribeThroughABroadcastSocketThatIsNotTheServersSaysSo() {
        BenchRun run = BenchRun.of("subscribe", "--server", server.commandEndpoint(), "--pub",
                server.commandEndpoint(), "--rate", "100", "--duration", "1", "--warmup", "0");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("received no probe within");
    }

    @Test
    void echoMeasuresTheBareWireThroughARelayProcessWithoutGaps() {
        BenchRun run = BenchRun.of("echo", "--rate", "1000", "--duration", "1", "--warmup", "0", "--json")
                .succeededWithJson();

        run.hasPositive("messages_per_s", "p50_us", "p99_us");
        assertThat(run.number("gaps")).isZero();
    }

    @Test
    void echoThroughLibzmqNeedsDebiansPython3Zmq() throws Exception {
        Process probe = new ProcessBuilder("/usr/bin/python3", "-c", "import zmq").redirectErrorStream(true).start();
        boolean available = probe.waitFor() == 0;
        if (!"true".equals(System.getenv("CI"))) {
            org.junit.jupiter.api.Assumptions.assumeTrue(available,
                    "python3-zmq is not installed (apt-get install python3-zmq); skipping the libzmq echo");
        }
        assertThat(available).as("python3-zmq must be installed in CI (.ci/run installs it)").isTrue();

        BenchRun run = BenchRun.of("echo", "--libzmq", "--rate", "1000", "--duration", "1", "--warmup", "0",
                "--json").succeededWithJson();

        run.hasPositive("messages_per_s", "p50_us", "p99_us");
        assertThat(run.number("gaps")).isZero();
    }

    @Test
    void subscribeReportsTheBareEchoBesideItsOwnFigures() {
        BenchRun run = BenchRun.of("subscribe", "--server", server.commandEndpoint(), "--rate", "1000",
                "--echo", "jeromq", "--duration", "1", "--warmup", "0", "--json").succeededWithJson();

        run.hasPositive("p99_us", "echo_p50_us", "echo_p99_us", "echo_messages_per_s");
        assertThat(run.number("gaps")).isZero();
        assertThat(run.number("echo_gaps")).isZero();
    }

    @Test
    void readOverTheWireReplaysTheWholeStore() {
        // Filled directly (no timing involved): more than two pages of the read below.
        for (int i = 0; i < 40; i++) {
            store.append("bench-read", io.rewind.api.ExpectedVersion.any(), java.util.Collections.nCopies(50,
                    io.rewind.api.EventData.of("bench", new byte[] {1, 2, 3})));
        }
        long stored = store.headPosition() + 1;

        BenchRun run = BenchRun.of("read", "--server", server.commandEndpoint(), "--page", "700", "--window", "3",
                "--passes", "1", "--json").succeededWithJson();

        assertThat(stored).isGreaterThan(700);
        assertThat(run.number("events")).isEqualTo(stored);
    }

    @Test
    void anUnreachableServerIsReportedInWords() {
        BenchRun run = BenchRun.of("publish", "--server", "tcp://127.0.0.1:1", "--duration", "0.1");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("no answer from a Rewind server at tcp://127.0.0.1:1");
    }
}
