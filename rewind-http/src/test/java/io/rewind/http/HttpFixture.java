package io.rewind.http;

import io.rewind.groups.GroupService;
import io.rewind.groups.GroupServiceOptions;
import io.rewind.memory.MemoryEventStore;
import io.rewind.metrics.MeteredEventStore;
import io.rewind.metrics.ServerMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** A memory store served over HTTP on 127.0.0.1 (an ephemeral port), and a client for raw requests. */
final class HttpFixture implements AutoCloseable {

    final MemoryEventStore store = MemoryEventStore.create(HttpConfig.DEFAULT_MAX_EVENT_BYTES);
    final RewindHttpServer server;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /** The metrics, for a fixture made by {@link #metered()}; null otherwise. */
    private final ServerMetrics metrics;
    /** The consumer groups served at {@code /api/groups}, for a fixture made by {@link #metered()}; null otherwise. */
    final GroupService groups;

    HttpFixture() {
        this(HttpConfig.builder().port(0).build());
    }

    HttpFixture(HttpConfig config) {
        server = RewindHttpServer.start(config, store);
        metrics = null;
        groups = null;
    }

    /** A server of the memory store that serves {@code cluster} at {@code /api/cluster}. */
    HttpFixture(ClusterAdmin cluster) {
        server = RewindHttpServer.start(HttpConfig.builder().port(0).build(), store, null, null, null, cluster);
        metrics = null;
        groups = null;
    }

    /** As {@link #HttpFixture(ClusterAdmin)}, serving the groups {@code served} gives (as a cluster node does). */
    HttpFixture(ClusterAdmin cluster, ServedGroups served) {
        server = RewindHttpServer.start(HttpConfig.builder().port(0).build(), store, null, null, null, cluster, served);
        metrics = null;
        groups = null;
    }

    private HttpFixture(ServerMetrics metrics) {
        this.metrics = metrics;
        MeteredEventStore served = new MeteredEventStore(store, metrics.registry());
        metrics.watch(served);
        groups = GroupService.open(served, GroupServiceOptions.defaults());
        server = RewindHttpServer.start(HttpConfig.builder().port(0).build(), served, metrics::scrape,
                served::openSubscriptions, null, null, Optional.of(groups));
    }

    /**
     * The memory store served as {@code rewind serve} serves a store: through a {@link MeteredEventStore},
     * with {@code /metrics}, {@code /api/subscriptions} and the consumer groups ({@link #groups}, a
     * real {@link GroupService} over the metered store). {@link #store} is the memory store under
     * it (calls on it directly are not measured).
     */
    static HttpFixture metered() {
        return new HttpFixture(new ServerMetrics());
    }

    /** A raw request: {@code target} is sent as it is (already percent-encoded). */
    Answer send(String method, String target, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.uri() + target))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    new String(response.body(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Answer get(String target) {
        return send("GET", target, null, null);
    }

    Answer postJson(String target, String json) {
        return send("POST", target, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** A response: status, content type and body as text. */
    record Answer(int status, String contentType, String body) {
        boolean isProblem() {
            return contentType.startsWith(Problem.CONTENT_TYPE);
        }
    }

    @Override
    public void close() {
        server.close();
        if (groups != null) {
            groups.close();
        }
        store.close();
        if (metrics != null) {
            metrics.close();
        }
    }
}
