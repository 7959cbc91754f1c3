package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.RecordedEvent;
import io.rewind.api.ReadOptions;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.testkit.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Appends through the HTTP API survive a kill -9 of {@code rewind serve}: four clients append over
 * HTTP while the server is killed; every event whose append was answered 200 is in the log when it
 * is opened again, once, with the id the answer named.
 */
class HttpKillTest {

    private static final long START_TIMEOUT_MS = 60_000;
    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");

    @TempDir
    Path temp;

    @Test
    void everyAppendAnsweredOverHttpSurvivesAKillOfTheServer() throws Exception {
        Path data = temp.resolve("data");
        RewindProcess server = RewindProcess.start("serve", "--store", "log:" + data, "--command-endpoint",
                "tcp://127.0.0.1:*", "--stream-endpoint", "tcp://127.0.0.1:*");
        Acknowledged acknowledged = new Acknowledged();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            server.awaitCommandEndpoint(START_TIMEOUT_MS);
            String http = server.httpEndpoint(START_TIMEOUT_MS);
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int client = c;
                running.add(clients.submit(() -> append(http, "killed-" + client, acknowledged)));
            }
            // Kill while the clients append, once a good number of appends were acknowledged.
            Await.until(() -> acknowledged.size() >= 200, Duration.ofSeconds(60), "200 appends acknowledged");
            server.kill(START_TIMEOUT_MS);
            for (Future<?> client : running) {
                client.get();
            }
        } finally {
            clients.shutdownNow();
            server.close();
        }

        try (LogEventStore store = LogEventStore.open(LogConfig.builder(data).build())) {
            java.util.Set<String> stored = new java.util.HashSet<>();
            long from = 0;
            List<RecordedEvent> page;
            while (!(page = store.readAll(ReadOptions.from(from, io.rewind.api.Direction.FORWARD)).events()).isEmpty()) {
                for (RecordedEvent event : page) {
                    assertThat(stored.add(event.id().toString())).as("stored once: " + event).isTrue();
                }
                from = page.get(page.size() - 1).position() + 1;
            }
            assertThat(stored).as("every acknowledged append is stored").containsAll(acknowledged.ids.keySet());
        }
    }

    /** Appends one event per request until the server stops answering. */
    private static void append(String http, String stream, Acknowledged acknowledged) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < 100_000; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(http + "api/streams/" + stream + "/events"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"events\": [{\"type\": \"t\", \"data\": {\"n\": " + i + "}}]}", StandardCharsets.UTF_8))
                    .build();
            HttpResponse<String> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                return; // the server is gone: what was answered is what counts
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (response.statusCode() != 200) {
                return;
            }
            Matcher id = ID.matcher(response.body());
            if (id.find()) {
                acknowledged.ids.put(id.group(1), Boolean.TRUE);
            }
        }
    }

    /** The ids of the acknowledged appends, from several client threads. */
    private static final class Acknowledged {
        final ConcurrentHashMap<String, Boolean> ids = new ConcurrentHashMap<>();

        int size() {
            return ids.size();
        }
    }
}
