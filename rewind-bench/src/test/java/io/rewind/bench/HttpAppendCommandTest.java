package io.rewind.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.http.HttpConfig;
import io.rewind.http.RewindHttpServer;
import io.rewind.memory.MemoryEventStore;
import org.junit.jupiter.api.Test;

/** {@code bench http-append} against an in-process HTTP server on an ephemeral port. */
class HttpAppendCommandTest {

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
    void anUnreachableServerIsAOneLineFailure() {
        BenchRun run = BenchRun.of("http-append", "--url", "http://127.0.0.1:1", "--duration", "0.5", "--warmup", "0");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("HTTP append to http://127.0.0.1:1/api/streams/bench-http-");
    }
}
