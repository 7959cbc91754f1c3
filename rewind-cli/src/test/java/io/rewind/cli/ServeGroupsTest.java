package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rewind serve} runs consumer groups: a real process, a log store, a SIGTERM restart in between. */
class ServeGroupsTest {

    private static final long START_TIMEOUT_MS = 60_000;
    private static final long EXIT_TIMEOUT_MS = 30_000;

    @TempDir
    Path temp;

    private static CliRun ok(String... args) {
        CliRun run = CliRun.run(args);
        assertThat(run.exitCode()).as("%s", run).isZero();
        return run;
    }

    @Test
    void aGroupAndItsCheckpointSurviveASigtermRestart() throws Exception {
        String store = "log:" + temp.resolve("data");
        String[] serve = {"serve", "--store", store, "--command-endpoint", "tcp://127.0.0.1:*", "--stream-endpoint",
            "tcp://127.0.0.1:*"};
        String checkpointLine;
        try (RewindProcess server = RewindProcess.start(serve)) {
            String endpoint = server.awaitCommandEndpoint(START_TIMEOUT_MS);
            ok("groups", "create", "billing", "--prefix", "invoice-", "--server", endpoint);
            ok("publish", "--stream", "invoice-1", "--type", "Issued", "one", "two", "--server", endpoint);
            ok("publish", "--stream", "orders-1", "--type", "Other", "x", "--server", endpoint);
            List<String> consumed = ok("consume", "billing", "--consumer", "w", "--limit", "2", "--server", endpoint)
                    .lines();
            assertThat(consumed).hasSize(2);
            assertThat(String.join("\n", consumed)).contains("invoice-1");
            checkpointLine = ok("groups", "describe", "billing", "--server", endpoint).lines().stream()
                    .filter(line -> line.startsWith("checkpoint ")).findFirst().orElseThrow();
            assertThat(server.terminate(EXIT_TIMEOUT_MS)).as("exit status after SIGTERM").isZero();
        }
        String checkpoint = checkpointLine.replaceAll("^checkpoint\\s+(\\d+).*$", "$1");
        try (RewindProcess server = RewindProcess.start(serve)) {
            String endpoint = server.awaitCommandEndpoint(START_TIMEOUT_MS);
            assertThat(ok("groups", "list", "--server", endpoint).lines()).containsExactly("billing");
            List<String> described = ok("groups", "describe", "billing", "--server", endpoint).lines();
            assertThat(described).contains("checkpoint          " + checkpoint + " (durable " + checkpoint + ")",
                    "filter              PREFIX invoice-", "consumers           none");
            assertThat(Long.parseLong(checkpoint)).as("the checkpoint passed both invoices").isGreaterThanOrEqualTo(1);
            assertThat(server.terminate(EXIT_TIMEOUT_MS)).isZero();
        }
    }
}
