package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rewind serve} runs consumer groups: a real process, a log store, a SIGTERM restart in
 * between, the group seen over ZeroMQ and over HTTP; a cluster node runs none and says so over HTTP.
 */
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

    private static HttpResponse<String> get(String uri) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        return client.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A cluster node that knows no leader runs no groups: its HTTP group routes say so with a 503. */
    @Test
    void aClusterNodeWithoutALeaderAnswers503OnItsHttpGroupRoutes() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        // A node started to join a cluster (whose member never answers) serves HTTP while it waits to be added.
        try (RewindProcess server = RewindProcess.start("serve", "--store", "log:" + temp.resolve("node"), "--node",
                "n4", "--join", "n1=127.0.0.1:1,n4=127.0.0.1:" + port, "--command-endpoint", "tcp://127.0.0.1:*",
                "--stream-endpoint", "tcp://127.0.0.1:*")) {
            HttpResponse<String> groups = get(server.httpEndpoint(START_TIMEOUT_MS) + "api/groups");
            assertThat(groups.statusCode()).as(groups.body()).isEqualTo(503);
            assertThat(groups.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(groups.body()).contains("\"code\":\"UNAVAILABLE\"")
                    .contains("cluster node 'n4' is not the cluster's leader: consumer groups run on the leader only")
                    .contains("\"leader\":null");
            assertThat(server.terminate(EXIT_TIMEOUT_MS)).isZero();
        }
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
            // The HTTP API serves the same group service.
            HttpResponse<String> groups = get(server.httpEndpoint(START_TIMEOUT_MS) + "api/groups/billing");
            assertThat(groups.statusCode()).as(groups.body()).isEqualTo(200);
            assertThat(groups.body()).startsWith("{\"name\":\"billing\",").contains("\"filter\":{\"prefix\":\"invoice-\"")
                    .contains("\"checkpoint\":" + checkpoint + ",\"durable_checkpoint\":" + checkpoint + ",");
            assertThat(server.terminate(EXIT_TIMEOUT_MS)).isZero();
        }
    }

    @Test
    void metricsOfARunningServeShowEachGroupUntilItIsDeleted() throws Exception {
        String[] serve = {"serve", "--store", "log:" + temp.resolve("data"), "--command-endpoint", "tcp://127.0.0.1:*",
            "--stream-endpoint", "tcp://127.0.0.1:*"};
        try (RewindProcess server = RewindProcess.start(serve)) {
            String endpoint = server.awaitCommandEndpoint(START_TIMEOUT_MS);
            String http = server.httpEndpoint(START_TIMEOUT_MS);
            ok("groups", "create", "billing", "--prefix", "invoice-", "--server", endpoint);
            ok("publish", "--stream", "invoice-1", "--type", "Issued", "one", "two", "--server", endpoint);
            ok("publish", "--stream", "orders-1", "--type", "Other", "x", "--server", endpoint);
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            java.util.function.Supplier<String> scrape = () -> {
                try {
                    java.net.http.HttpResponse<String> response = client.send(java.net.http.HttpRequest
                            .newBuilder(java.net.URI.create(http + "metrics")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    assertThat(response.statusCode()).isEqualTo(200);
                    return response.body();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            };
            // No consumer yet: both invoices read and unsettled, the order not matched (so not counted).
            List<String> expected = List.of("rewind_group_consumers{group=\"billing\"} 0.0",
                    "rewind_group_in_flight{group=\"billing\"} 0.0", "rewind_group_lag_events{group=\"billing\"} 2.0",
                    "rewind_group_parked{group=\"billing\"} 0.0", "rewind_group_retries_total{group=\"billing\"} 0.0");
            String[] text = {""};
            io.rewind.testkit.Await.until(() -> {
                text[0] = scrape.get();
                return text[0].lines().toList().containsAll(expected);
            }, java.time.Duration.ofSeconds(60), () -> "the group's metrics; scraped:\n" + text[0].lines()
                    .filter(line -> line.startsWith("rewind_group_")).toList());
            double lagSeconds = text[0].lines().filter(line -> line.startsWith("rewind_group_lag_seconds{group=\"billing\"}"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst()
                    .orElseThrow();
            assertThat(lagSeconds).as("the first invoice waits").isPositive();
            assertThat(text[0]).contains("# HELP rewind_group_lag_seconds Now minus the recorded time of the oldest"
                    + " event the group read and has not settled");

            ok("groups", "delete", "billing", "--server", endpoint);
            assertThat(scrape.get()).as("a deleted group's meters are gone").doesNotContain("group=\"billing\"");
            assertThat(server.terminate(EXIT_TIMEOUT_MS)).isZero();
        }
    }
}
