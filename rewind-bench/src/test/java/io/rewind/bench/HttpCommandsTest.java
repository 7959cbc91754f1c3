package io.rewind.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.http.HttpConfig;
import io.rewind.http.RewindHttpServer;
import io.rewind.memory.MemoryEventStore;
import org.junit.jupiter.api.Test;

/** {@code bench http-append} and {@code bench subscribe --sse} against in-process servers on ephemeral ports. */
class HttpCommandsTest {

    @Test
    void appendsBatchesOverKeepAliveConnectionsAndStoresWhatItCounts() {
        try (MemoryEventStore store = MemoryEventStore.create();
                RewindHttpServer server = RewindHttpServer.start(HttpConfig.builder().port(0).build(), store)) {
            BenchRun run = BenchRun.of("http-append", "--url", server.uri(), "--connections", "2", "--batch", "10",
                    "--duration", "3", "--warmup", "0.5", "--json").succeededWithJson();
            run.hasPositive("events_per_s", "p50_us", "p99_us");
            assertThat(store.readAll(0, Direction.FORWARD, 10).get(0).stream()).startsWith("bench-http-");
            assertThat((store.headPosition() + 1) % 10).as("whole batches").isZero();
        }
    }

    @Test
    void subscribeThroughServerSentEventsMeasuresEveryDeliveryWithoutGaps() {
        try (MemoryEventStore store = MemoryEventStore.create();
                io.rewind.server.RewindServer zeromq = io.rewind.server.RewindServer.start(
                        io.rewind.server.ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*")
                                .streamEndpoint("tcp://127.0.0.1:*").build(), store);
                RewindHttpServer http = RewindHttpServer.start(HttpConfig.builder().port(0).build(), store)) {
            BenchRun run = BenchRun.of("subscribe", "--server", zeromq.commandEndpoint(), "--sse", http.uri(),
                    "--rate", "500", "--subscribers", "2", "--duration", "3", "--warmup", "0.5", "--json")
                    .succeededWithJson();
            run.hasPositive("events_per_s", "delivered_per_s", "p50_us", "p99_us");
            assertThat(run.number("gaps")).isZero();
        }
    }

    @Test
    void anUnreachableServerIsAOneLineFailure() {
        BenchRun run = BenchRun.of("http-append", "--url", "http://127.0.0.1:1", "--duration", "0.5", "--warmup", "0");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("HTTP append to http://127.0.0.1:1/api/streams/bench-http-");
    }
}
