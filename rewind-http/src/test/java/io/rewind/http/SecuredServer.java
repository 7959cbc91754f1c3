package io.rewind.http;

import io.rewind.memory.MemoryEventStore;
import io.rewind.security.AccessPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A memory store served over HTTP with bearer tokens and a grants file (and TLS when given
 * certificates), on 127.0.0.1, with a token per principal: {@code admin} (every grant),
 * {@code orders} (read and write {@code orders-*}), {@code writer} (write {@code orders-*} only) and
 * {@code ghost} (a valid token of a principal the grants file does not know).
 */
final class SecuredServer implements AutoCloseable {

    static final String GRANTS = """
            admin   admin read:* write:* read:$all
            orders  read:orders-* write:orders-*
            writer  write:orders-*
            """;

    final MemoryEventStore store = MemoryEventStore.create(HttpConfig.DEFAULT_MAX_EVENT_BYTES);
    final Path tokenFile;
    final Map<String, String> tokens;
    final AccessPolicy policy;
    /** The consumer groups it serves at {@code /api/groups}, over the same store. */
    final io.rewind.groups.GroupService groups;
    final RewindHttpServer server;
    final HttpClient client;

    SecuredServer(Path directory, TestCertificates certificates) throws IOException {
        tokenFile = directory.resolve("tokens");
        tokens = Map.of("admin", TokenFile.add(tokenFile, "admin", "admin").token(),
                "orders", TokenFile.add(tokenFile, "orders", "orders").token(),
                "writer", TokenFile.add(tokenFile, "writer", "writer").token(),
                "ghost", TokenFile.add(tokenFile, "ghost", "ghost").token());
        Path grants = Files.writeString(directory.resolve("grants"), GRANTS);
        policy = AccessPolicy.watch(grants, AccessPolicy.DEFAULT_RELOAD_PERIOD);
        HttpConfig.Builder config = HttpConfig.builder().port(0);
        HttpClient.Builder clientBuilder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1);
        if (certificates != null) {
            config.tls(TlsConfig.pem(certificates.pemKey(), certificates.pemCertificate()));
            clientBuilder.sslContext(certificates.clientContext());
        }
        // Served through the metered store, as rewind serve serves it, for its list of subscriptions.
        io.rewind.metrics.MeteredEventStore served = new io.rewind.metrics.MeteredEventStore(store,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        groups = io.rewind.groups.GroupService.open(served, io.rewind.groups.GroupServiceOptions.defaults());
        try {
            server = RewindHttpServer.start(config.build(), served, () -> "# metrics of the test\n",
                    served::openSubscriptions, HttpAccess.of(TokenAuthenticator.open(tokenFile), policy),
                    new FixedClusterAdmin(), java.util.Optional.of(groups));
        } catch (RuntimeException e) {
            groups.close();
            policy.close();
            throw e;
        }
        client = clientBuilder.build();
    }

    /** A response; for a live feed only its first line (the feed is then closed). */
    record Answer(int status, String contentType, String wwwAuthenticate, String body) {
    }

    Answer send(String method, String target, String body, String token) {
        return send(server.uri(), method, target, body, token);
    }

    Answer send(String base, String method, String target, String body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + target)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            String type = response.headers().firstValue("Content-Type").orElse("");
            String text;
            try (InputStream in = response.body()) {
                text = type.startsWith(Exchange.EVENT_STREAM) || type.startsWith(Exchange.NDJSON) ? firstLines(in)
                        : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            return new Answer(response.statusCode(), type,
                    response.headers().firstValue("WWW-Authenticate").orElse(null), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What a feed sends up to its first blank line (SSE) or first line (NDJSON). */
    private static String firstLines(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && text.length() < 10_000) {
            text.append((char) b);
            if (text.toString().endsWith("\n\n") || (text.charAt(0) == '{' && b == '\n')) {
                break;
            }
        }
        return text.toString();
    }

    @Override
    public void close() {
        server.close();
        groups.close();
        policy.close();
        store.close();
    }
}
