package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.client.RewindClient;
import io.rewind.testkit.Await;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A browser-style SSE reader that stops reading does not grow the server's heap: {@code rewind
 * serve} runs with a heap of {@value #HEAP_MIB} MiB (and exits on an OutOfMemoryError) while four
 * times that much is appended and an SSE feed from the beginning reads nothing. The feed falls
 * behind (the events wait in the log, not in memory), the server keeps serving, and when the reader
 * reads again it gets every event, in order, without a gap.
 */
class SlowSseReaderTest {

    private static final int HEAP_MIB = 64;
    private static final int EVENT_BYTES = 64 * 1024;
    private static final int EVENTS_PER_APPEND = 16;
    /** 256 MiB of data: four heaps' worth. */
    private static final int EVENTS = 4 * HEAP_MIB * 1024 * 1024 / EVENT_BYTES;
    private static final long START_TIMEOUT_MS = 60_000;
    private static final Pattern ID = Pattern.compile("^id: (\\d+)$");
    private static final Pattern LAG = Pattern.compile("\"lag\":(\\d+)");

    @TempDir
    Path temp;

    @Test
    void aReaderThatStopsReadingFallsBehindWhileTheServersHeapStaysSmall() throws Exception {
        RewindProcess server = RewindProcess.startWithJvmOptions(
                List.of("-Xmx" + HEAP_MIB + "m", "-XX:+ExitOnOutOfMemoryError"),
                "serve", "--store", "log:" + temp.resolve("data"), "--fsync", "never",
                "--command-endpoint", "tcp://127.0.0.1:*", "--stream-endpoint", "tcp://127.0.0.1:*");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        try {
            String command = server.awaitCommandEndpoint(START_TIMEOUT_MS);
            String base = server.httpEndpoint(START_TIMEOUT_MS);
            HttpResponse<InputStream> feed = http.send(HttpRequest.newBuilder(URI.create(base + "api/feed?from=start"))
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(feed.statusCode()).isEqualTo(200);
            try (InputStream body = feed.body(); EventStore store = RewindClient.connect(command)) {
                byte[] data = new byte[EVENT_BYTES];
                new Random(7).nextBytes(data);
                for (int append = 0; append < EVENTS / EVENTS_PER_APPEND; append++) {
                    List<EventData> batch = new ArrayList<>();
                    for (int i = 0; i < EVENTS_PER_APPEND; i++) {
                        batch.add(EventData.of("blob", data));
                    }
                    store.append(AppendRequest.to("big-" + (append % 8), ExpectedVersion.any(), batch));
                }
                assertThat(server.isAlive()).as("the server lived through " + EVENTS + " events of 64 KiB; it said: "
                        + server.stderr()).isTrue();

                // The feed stalls far behind the head: what it has not sent waits in the log.
                long[] lag = {-1, 0};
                Await.until(() -> {
                    long now = feedLag(http, base);
                    boolean steady = now == lag[0] && now > 0 && ++lag[1] >= 10;
                    if (now != lag[0]) {
                        lag[0] = now;
                        lag[1] = 0;
                    }
                    return steady;
                }, Duration.ofSeconds(60), "the feed's lag settles while its reader reads nothing");
                assertThat(lag[0]).as("events the unread feed is behind the head").isGreaterThan(EVENTS / 2);
                assertThat(status(http, base + "ready")).as("the server keeps serving").isEqualTo(200);
                assertThat(server.isAlive()).isTrue();

                // Reading again, the reader gets every event in order, without a gap or a repeat.
                BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
                long expected = 0;
                String line;
                while (expected < EVENTS && (line = lines.readLine()) != null) {
                    Matcher id = ID.matcher(line);
                    if (id.matches() && "event: event".equals(lines.readLine())) {
                        assertThat(Long.parseLong(id.group(1))).isEqualTo(expected++);
                    }
                }
                assertThat(expected).as("events read once the reader read again").isEqualTo(EVENTS);
            }
            assertThat(server.isAlive()).as("the server is still up; it said: " + server.stderr()).isTrue();
        } finally {
            server.close();
        }
    }

    /** The lag of the one open feed, as {@code /api/feeds} reports it (-1 while there is none). */
    private static long feedLag(HttpClient http, String base) {
        String feeds;
        try {
            feeds = http.send(HttpRequest.newBuilder(URI.create(base + "api/feeds")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Matcher lag = LAG.matcher(feeds);
        return lag.find() ? Long.parseLong(lag.group(1)) : -1;
    }

    private static int status(HttpClient http, String uri) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
