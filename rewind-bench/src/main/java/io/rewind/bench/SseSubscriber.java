package io.rewind.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.LongAdder;

/**
 * A subscriber of {@code bench subscribe --sse}: one Server-Sent Events feed of the HTTP API
 * ({@code /api/feed}, one stream, from the end, data in base64) read on its own thread, as a
 * browser's {@code EventSource} would read it. Each event's {@code previous_position} is checked
 * against the last position seen, and its first 8 data bytes are the publisher's send time.
 */
final class SseSubscriber implements SubscribeCommand.Reader {

    private static final long DRAIN_NANOS = 10_000_000_000L;

    private final InputStream body;
    private final BufferedReader lines;
    private final LongAdder received = new LongAdder();
    private volatile long stopAfter = Long.MAX_VALUE;
    private long lastPosition;

    private SseSubscriber(InputStream body, BufferedReader lines, long start) {
        this.body = body;
        this.lines = lines;
        this.lastPosition = start;
    }

    /** Opens the feed and reads its open event (the start position), so no event of the run is missed. */
    static SseSubscriber start(String baseUrl, String stream) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI uri = URI.create(baseUrl + "/api/feed?from=end&encoding=base64&stream="
                + URLEncoder.encode(stream, StandardCharsets.UTF_8));
        try {
            HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(uri)
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new BenchException("the feed " + uri + " answered " + response.statusCode());
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("data: {\"after\":")) {
                    long after = Long.parseLong(line.substring("data: {\"after\":".length(), line.length() - 1));
                    return new SseSubscriber(response.body(), lines, after);
                }
            }
            throw new BenchException("the feed " + uri + " ended before it opened");
        } catch (IOException e) {
            throw new BenchException("cannot open the feed " + uri + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted while opening the feed " + uri);
        }
    }

    @Override
    public void stopAfter(long events) {
        stopAfter = events;
    }

    @Override
    public void run(Phases phases, Latency latency, LongAdder delivered, LongAdder gaps, LongAdder published,
            LoadThreads threads) {
        // A watchdog ends a read that waits for events that never come after the run (a feed that
        // lost events shows as a subscriber short of what was published).
        Thread watchdog = new Thread(() -> {
            long deadline = Long.MAX_VALUE;
            while (received.sum() < stopAfter && !threads.failed()) {
                if (stopAfter != Long.MAX_VALUE && deadline == Long.MAX_VALUE) {
                    deadline = System.nanoTime() + DRAIN_NANOS;
                }
                if (System.nanoTime() - deadline > 0) {
                    close();
                    return;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
            }
            close();
        }, "bench-sse-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            String line;
            while (received.sum() < stopAfter && (line = lines.readLine()) != null) {
                if (!line.startsWith("data: {\"previous_position\":")) {
                    continue;
                }
                long now = System.nanoTime();
                long previous = number(line, "\"previous_position\":");
                long position = number(line, "\"position\":");
                if (previous != lastPosition) {
                    gaps.increment();
                }
                lastPosition = position;
                int data = line.indexOf("\"data_base64\":\"") + "\"data_base64\":\"".length();
                byte[] first = Base64.getDecoder().decode(line.substring(data, data + 12));
                long sent = ByteBuffer.wrap(first).getLong(0);
                if (phases.measuring(sent)) {
                    latency.record(now - sent);
                }
                received.increment();
                delivered.increment();
            }
        } catch (IOException e) {
            if (received.sum() < stopAfter) {
                throw new BenchException("an SSE subscriber received " + received.sum() + " of " + stopAfter
                        + " events published (" + published.sum() + " acknowledged): " + e);
            }
        } finally {
            close();
        }
        if (received.sum() < stopAfter) {
            throw new BenchException("an SSE subscriber received " + received.sum() + " of " + stopAfter
                    + " events published (" + published.sum() + " acknowledged)");
        }
    }

    private static long number(String line, String key) {
        int start = line.indexOf(key) + key.length();
        int end = start;
        while (end < line.length() && (Character.isDigit(line.charAt(end)) || line.charAt(end) == '-')) {
            end++;
        }
        return Long.parseLong(line.substring(start, end));
    }

    private void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // the feed is being dropped either way
        }
    }
}
