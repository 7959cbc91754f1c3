package io.rewind.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.testkit.Await;
import io.rewind.testkit.TestEvents;
import java.io.BufferedReader;
import java.io.IOException;
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
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live feeds as a browser or curl sees them: SSE framing, resuming with Last-Event-ID, flow control. */
class LiveFeedTest {

    private static final Pattern POSITION = Pattern.compile("\"position\":(\\d+)");
    private static final Pattern PREVIOUS = Pattern.compile("\"previous_position\":(-?\\d+)");

    private final HttpClient client = HttpClient.newHttpClient();

    @TempDir
    Path directory;

    /** An open SSE or NDJSON response, read line by line. */
    private final class Feed implements AutoCloseable {
        final BufferedReader lines;
        final InputStream body;

        Feed(String uri, String accept, String lastEventId) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).header("Accept", accept);
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith(accept);
            body = response.body();
            lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        }

        /** The next SSE message (its lines up to the blank line), skipping comments. */
        List<String> nextMessage() throws IOException {
            List<String> message = new ArrayList<>();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!message.isEmpty()) {
                        return message;
                    }
                } else if (!line.startsWith(":")) {
                    message.add(line);
                }
            }
            throw new IOException("the feed ended");
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    private static long position(String json, Pattern pattern) {
        Matcher matcher = pattern.matcher(json);
        assertThat(matcher.find()).as(json).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    @Test
    void sseCarriesPositionsAsIdsAndResumesAfterLastEventIdAcrossARestart() throws Exception {
        LogConfig config = LogConfig.builder(directory.resolve("log")).build();
        List<Long> received = new ArrayList<>();
        String lastId;
        try (EventStore store = LogEventStore.open(config);
                RewindHttpServer server = RewindHttpServer.start(HttpConfig.builder().port(0).build(), store)) {
            for (int i = 0; i < 5; i++) {
                store.append("orders-" + (i % 2), ExpectedVersion.any(), TestEvents.event("before " + i));
            }
            try (Feed feed = new Feed(server.uri() + "/api/feed?from=start", Exchange.EVENT_STREAM, null)) {
                assertThat(feed.nextMessage()).containsExactly("event: open", "data: {\"after\":-1}");
                long previous = -1;
                for (int i = 0; i < 3; i++) {
                    List<String> message = feed.nextMessage();
                    assertThat(message.get(0)).startsWith("id: ");
                    assertThat(message.get(1)).isEqualTo("event: event");
                    long id = Long.parseLong(message.get(0).substring(4));
                    assertThat(position(message.get(2), POSITION)).isEqualTo(id);
                    assertThat(position(message.get(2), PREVIOUS)).isEqualTo(previous);
                    received.add(id);
                    previous = id;
                }
                lastId = Long.toString(previous);
            }
        }
        // The server and the store restart; more events arrive while no client listens.
        try (EventStore store = LogEventStore.open(config)) {
            for (int i = 0; i < 4; i++) {
                store.append("orders-" + (i % 2), ExpectedVersion.any(), TestEvents.event("after " + i));
            }
            try (RewindHttpServer server = RewindHttpServer.start(HttpConfig.builder().port(0).build(), store);
                    Feed feed = new Feed(server.uri() + "/api/feed", Exchange.EVENT_STREAM, lastId)) {
                assertThat(feed.nextMessage()).containsExactly("event: open", "data: {\"after\":" + lastId + "}");
                long previous = Long.parseLong(lastId);
                List<String> message;
                while (!(message = feed.nextMessage()).get(0).equals("event: caught-up")) {
                    long id = Long.parseLong(message.get(0).substring(4));
                    assertThat(position(message.get(2), PREVIOUS)).isEqualTo(previous);
                    received.add(id);
                    previous = id;
                }
                store.append("orders-live", ExpectedVersion.any(), TestEvents.event("live"));
                message = feed.nextMessage();
                received.add(Long.parseLong(message.get(0).substring(4)));
            }
        }
        assertThat(received).as("every position once, in order, across the restart")
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void aFeedFiltersByPrefixAndStartsAtTheEndByDefault() throws Exception {
        // Heartbeats every 100 ms: the server finds the client gone at the first one that fails.
        try (HttpFixture http = new HttpFixture(HttpConfig.builder().port(0).heartbeat(Duration.ofMillis(100)).build())) {
            http.store.append("orders-1", ExpectedVersion.any(), TestEvents.event("old"));
            try (Feed feed = new Feed(http.server.uri() + "/api/feed?prefix=orders-", Exchange.NDJSON, null)) {
                assertThat(feed.lines.readLine()).isEqualTo("{\"control\":\"open\",\"after\":0}");
                assertThat(feed.lines.readLine()).isEqualTo("{\"control\":\"caught-up\"}");
                http.store.append("payments-1", ExpectedVersion.any(), TestEvents.event("skipped"));
                http.store.append("orders-2", ExpectedVersion.any(), EventData.of(UUID.randomUUID(), "Placed",
                        "{\"total\":12}".getBytes(StandardCharsets.UTF_8)));
                String line = feed.lines.readLine();
                assertThat(line).contains("\"previous_position\":0").contains("\"stream\":\"orders-2\"")
                        .contains("\"position\":2").endsWith("\"data\":{\"total\":12}}");
            }
            Await.until(() -> http.server.feeds().isEmpty(), "the server ends the feed its client left");
        }
    }

    @Test
    void aClientThatStopsReadingMakesItsFeedFallBehindInsteadOfFillingTheServersMemory() throws Exception {
        try (HttpFixture http = new HttpFixture()) {
            byte[] data = TestEvents.randomBytes(64 * 1024, 3);
            int events = 1_000;
            try (Feed feed = new Feed(http.server.uri() + "/api/feed?from=start", Exchange.NDJSON, null)) {
                for (int i = 0; i < events; i++) {
                    http.store.append("big", ExpectedVersion.any(), EventData.of("blob", data));
                }
                // 1,000 events of 64 KiB are ~85 MiB as base64 JSON. The client reads nothing: the
                // server can hand at most its socket buffers' worth to the kernel, so the feed stops
                // far behind the head, and the rest stays in the store, not in the server's memory.
                long[] seen = {Long.MIN_VALUE, 0};
                Await.until(() -> {
                    long now = http.server.feeds().get(0).lastPosition();
                    boolean stalled = now == seen[0] && ++seen[1] >= 20;
                    if (now != seen[0]) {
                        seen[0] = now;
                        seen[1] = 0;
                    }
                    return stalled;
                }, Duration.ofSeconds(60), "the feed stalls while its client reads nothing");
                long stalledAt = http.server.feeds().get(0).lastPosition();
                assertThat(stalledAt).as("delivered while the client read nothing").isLessThan(events / 2);

                // When the client reads again, it gets everything, in order.
                assertThat(feed.lines.readLine()).startsWith("{\"control\":\"open\"");
                long expected = 0;
                while (expected < events) {
                    String line = feed.lines.readLine();
                    if (line.startsWith("{\"control\"")) {
                        continue;
                    }
                    assertThat(position(line, POSITION)).isEqualTo(expected++);
                }
            }
        }
    }

    @Test
    void aFeedOfOneStreamAndTypesSendsCheckpointsWhileItSkips() throws Exception {
        try (HttpFixture http = new HttpFixture()) {
            try (Feed feed = new Feed(http.server.uri() + "/api/feed?from=start&stream=account-1&type=Debited"
                    + "&checkpoint_events=3&checkpoint_ms=3600000", Exchange.EVENT_STREAM, null)) {
                assertThat(feed.nextMessage()).containsExactly("event: open", "data: {\"after\":-1}");
                assertThat(feed.nextMessage()).containsExactly("event: caught-up", "data: {}");
                http.store.append("account-10", ExpectedVersion.any(), EventData.of("Debited", new byte[] {1}));
                http.store.append("account-1", ExpectedVersion.any(), EventData.of("Credited", new byte[] {2}));
                http.store.append("account-1", ExpectedVersion.any(), EventData.of("Credited", new byte[] {3}));
                http.store.append("account-1", ExpectedVersion.any(), EventData.of("Debited", new byte[] {4}));
                List<String> message = feed.nextMessage();
                while (message.get(1).equals("event: checkpoint")) {
                    assertThat(message.get(0)).startsWith("id: ");
                    message = feed.nextMessage();
                }
                assertThat(message.get(0)).isEqualTo("id: 3");
                assertThat(message.get(2)).contains("\"stream\":\"account-1\"").contains("\"type\":\"Debited\"")
                        .contains("\"previous_position\":-1");
                for (int i = 0; i < 4; i++) {
                    http.store.append("other", ExpectedVersion.any(), EventData.of("Debited", new byte[] {5}));
                }
                message = feed.nextMessage();
                assertThat(message.get(1)).isEqualTo("event: checkpoint");
                long checkpoint = Long.parseLong(message.get(0).substring(4));
                assertThat(checkpoint).isBetween(6L, 7L);
                assertThat(message.get(2)).isEqualTo("data: {\"position\":" + checkpoint + "}");
            }
        }
    }
}
