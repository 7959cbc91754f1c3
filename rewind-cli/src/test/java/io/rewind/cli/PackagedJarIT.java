package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executable jar that {@code ./rewind} runs, tested as built (failsafe, after the shade step):
 * everything the commands need must be inside it.
 */
class PackagedJarIT {

    private static final Path JAR = Path.of("target", "rewind.jar");

    @TempDir
    Path temp;

    @Test
    void theJarServesALogStoreAndStopsCleanlyOnSigterm() throws Exception {
        assertThat(JAR).exists();
        try (RewindProcess serve = RewindProcess.startJar(JAR, "serve", "--store", "log:" + temp.resolve("data"),
                "--command-endpoint", "tcp://127.0.0.1:*", "--stream-endpoint", "tcp://127.0.0.1:*",
                "--legacy-stream-endpoint", "tcp://127.0.0.1:*")) {
            String endpoint = serve.awaitCommandEndpoint(60_000);
            String id = ServeCommandTest.publish(endpoint, "jar-stream", "from the jar");
            assertThat(ServeCommandTest.query(endpoint, "jar-stream")).containsExactly(id + "=from the jar");
            assertThat(serve.terminate(30_000)).isZero();
        }
    }

    @Test
    void theJarServesTheHttpApi() throws Exception {
        try (RewindProcess serve = RewindProcess.startJar(JAR, "serve", "--store", "memory:",
                "--command-endpoint", "tcp://127.0.0.1:*", "--stream-endpoint", "tcp://127.0.0.1:*")) {
            serve.awaitCommandEndpoint(60_000);
            String http = serve.httpEndpoint(10_000);
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            java.net.http.HttpResponse<String> appended = client.send(java.net.http.HttpRequest
                    .newBuilder(java.net.URI.create(http + "api/streams/jar-http/events"))
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"events\": [{\"type\": \"Placed\", \"data\": {\"total\": 12}}]}"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(appended.statusCode()).as(appended.body()).isEqualTo(200);
            java.net.http.HttpResponse<String> read = client.send(java.net.http.HttpRequest
                    .newBuilder(java.net.URI.create(http + "api/streams/jar-http/events")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(read.body()).contains("\"type\":\"Placed\"").contains("\"data\":{\"total\":12}");
            java.net.http.HttpResponse<String> metrics = client.send(java.net.http.HttpRequest
                    .newBuilder(java.net.URI.create(http + "metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("rewind_head_position 0.0").contains("jvm_memory_used_bytes")
                    .contains("rewind_appended_events_total 1.0").contains("rewind_append_seconds_count{result=\"ok\"} 1");
            assertThat(serve.terminate(30_000)).isZero();
        }
    }

    @Test
    void theJarsToolsPublishAndReadThroughTheClient() throws Exception {
        try (RewindProcess serve = RewindProcess.startJar(JAR, "serve", "--store", "memory:",
                "--command-endpoint", "tcp://127.0.0.1:*", "--stream-endpoint", "tcp://127.0.0.1:*")) {
            String endpoint = serve.awaitCommandEndpoint(60_000);
            try (RewindProcess publish = RewindProcess.startJar(JAR, "publish", "--server", endpoint,
                    "--stream", "jar-tools", "--json", "one", "two")) {
                assertThat(publish.awaitExit(60_000)).as("publish: %s", publish.stderr()).isZero();
                assertThat(publish.stdout().lines()).hasSize(2);
            }
            try (RewindProcess read = RewindProcess.startJar(JAR, "read", "--server", endpoint, "--all", "--json")) {
                assertThat(read.awaitExit(60_000)).as("read: %s", read.stderr()).isZero();
                assertThat(read.stdout().lines().map(line -> FlatJson.parse(line).get("data")))
                        .containsExactly("one", "two");
            }
            assertThat(serve.terminate(30_000)).isZero();
        }
    }

    @Test
    void theJarVerifiesALogDirectory() throws Exception {
        Path data = Files.createDirectories(temp.resolve("empty-log"));
        try (RewindProcess verify = RewindProcess.startJar(JAR, "verify", data.toString())) {
            assertThat(verify.awaitExit(60_000)).isZero();
            assertThat(verify.stdout()).contains(": sound");
        }
    }

    @Test
    void theJarRunsTheBenchmarkTools() throws Exception {
        // Wiring only: the shortest run that produces a report, not a measurement.
        try (RewindProcess bench = RewindProcess.startJar(JAR, "bench", "ceiling", "--dir",
                temp.resolve("ceiling").toString(), "--batch", "10", "--duration", "1", "--warmup", "0", "--json")) {
            assertThat(bench.awaitExit(60_000)).as("stderr: %s", bench.stderr()).isZero();
            assertThat(bench.stdout()).contains("\"ceiling_events_per_s\"");
        }
    }
}
