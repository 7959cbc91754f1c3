package io.rewind.http;

import io.rewind.api.EventStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves an {@link EventStore} over HTTP/JSON on Jetty 12 (its core handler API: no servlets): the
 * API under {@code /api}, {@code /health}, {@code /ready} and {@code /openapi.json}. It serves any
 * store the same way and never owns it: closing the server leaves the store (and the group service,
 * when given one) open. Thread-safe.
 */
public final class RewindHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RewindHttpServer.class);
    /** An idle connection is closed after this long; live feeds send heartbeats well within it. */
    private static final long IDLE_TIMEOUT_MS = 60_000;

    private final Server server;
    private final ServerConnector connector;
    private final LiveFeed feeds;

    private final boolean secure;

    private RewindHttpServer(Server server, ServerConnector connector, LiveFeed feeds, boolean secure) {
        this.secure = secure;
        this.server = server;
        this.connector = connector;
        this.feeds = feeds;
    }

    /**
     * Starts serving {@code store}.
     *
     * @throws HttpStartException if the endpoint cannot be bound
     */
    public static RewindHttpServer start(HttpConfig config, EventStore store) {
        return start(config, store, null);
    }

    /**
     * Starts serving {@code store}, and at {@code /metrics} the Prometheus text {@code metrics}
     * gives (null: no metrics, {@code /metrics} answers 404).
     *
     * @throws HttpStartException if the endpoint cannot be bound
     */
    public static RewindHttpServer start(HttpConfig config, EventStore store, java.util.function.Supplier<String> metrics) {
        return start(config, store, metrics, null, null);
    }

    /**
     * Starts serving {@code store} as {@link #start(HttpConfig, EventStore, java.util.function.Supplier)},
     * at {@code /api/subscriptions} the open subscriptions {@code subscriptions} lists (null: that
     * route answers 404), every request to the API and {@code /metrics} checked by {@code access}
     * (null: no credentials asked, everything allowed, as on a loopback endpoint for development).
     *
     * @throws HttpStartException      if the endpoint cannot be bound
     * @throws SecurityConfigException if the TLS files are missing, unsafe or malformed
     */
    public static RewindHttpServer start(HttpConfig config, EventStore store, java.util.function.Supplier<String> metrics,
            java.util.function.Supplier<java.util.List<io.rewind.api.SubscriptionStatus>> subscriptions,
            HttpAccess access) {
        return start(config, store, metrics, subscriptions, access, null);
    }

    /**
     * As {@link #start(HttpConfig, EventStore, java.util.function.Supplier, java.util.function.Supplier, HttpAccess)},
     * serving the cluster's status and membership at {@code /api/cluster} through {@code cluster}
     * (null: not a cluster node, those routes answer 404).
     *
     * @throws HttpStartException      if the endpoint cannot be bound
     * @throws SecurityConfigException if the TLS files are missing, unsafe or malformed
     */
    public static RewindHttpServer start(HttpConfig config, EventStore store, java.util.function.Supplier<String> metrics,
            java.util.function.Supplier<java.util.List<io.rewind.api.SubscriptionStatus>> subscriptions,
            HttpAccess access, ClusterAdmin cluster) {
        return start(config, store, metrics, subscriptions, access, cluster, java.util.Optional.empty());
    }

    /**
     * As {@link #start(HttpConfig, EventStore, java.util.function.Supplier, java.util.function.Supplier, HttpAccess, ClusterAdmin)},
     * serving the consumer groups of {@code groups} at {@code /api/groups} (empty: those routes
     * answer 503 "Groups not served"). The server never closes the group service.
     *
     * @throws HttpStartException      if the endpoint cannot be bound
     * @throws SecurityConfigException if the TLS files are missing, unsafe or malformed
     */
    public static RewindHttpServer start(HttpConfig config, EventStore store, java.util.function.Supplier<String> metrics,
            java.util.function.Supplier<java.util.List<io.rewind.api.SubscriptionStatus>> subscriptions,
            HttpAccess access, ClusterAdmin cluster, java.util.Optional<io.rewind.groups.GroupService> groups) {
        Objects.requireNonNull(groups, "groups");
        return start(config, store, metrics, subscriptions, access, cluster, groups.map(ServedGroups::of).orElse(null));
    }

    /**
     * As {@link #start(HttpConfig, EventStore, java.util.function.Supplier, java.util.function.Supplier, HttpAccess,
     * ClusterAdmin, java.util.Optional)}, with the groups asked of {@code groups} at every request (null: those
     * routes answer 503 "Groups not served"): a cluster node passes its leader-only service, so
     * that the leader serves the groups and a follower answers 503 naming the leader.
     *
     * @throws HttpStartException      if the endpoint cannot be bound
     * @throws SecurityConfigException if the TLS files are missing, unsafe or malformed
     */
    public static RewindHttpServer start(HttpConfig config, EventStore store, java.util.function.Supplier<String> metrics,
            java.util.function.Supplier<java.util.List<io.rewind.api.SubscriptionStatus>> subscriptions,
            HttpAccess access, ClusterAdmin cluster, ServedGroups groups) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(store, "store");
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("rewind-http");
        threads.setDaemon(true);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(16 * 1024);
        // A stream name may hold any character: '/' travels as %2F, a name "." or ".." as %2E, a
        // tab as %09, inside one path segment. The routes split the raw path and decode each
        // segment themselves (UriText) and never map a path to a file, so the ambiguities Jetty
        // guards against do not arise here.
        http.setUriCompliance(UriCompliance.DEFAULT.with("rewind",
                UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR, UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
                UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT, UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS));
        ServerConnector connector = config.tls().isPresent()
                ? new ServerConnector(server, new SslConnectionFactory(sslContext(config.tls().get()), "http/1.1"),
                        new HttpConnectionFactory(secure(http)))
                : new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        server.addConnector(connector);
        LiveFeed feeds = new LiveFeed(config.heartbeat());
        server.setHandler(new ApiHandler(store, config, feeds, openApi(), metrics, subscriptions, access, cluster, groups));
        server.setErrorHandler(new ProblemErrorHandler());
        server.setStopTimeout(5_000);
        try {
            server.start();
        } catch (Exception e) {
            feeds.close();
            try {
                server.stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new HttpStartException("cannot serve HTTP on " + config.host() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        }
        boolean secure = config.tls().isPresent();
        LOG.info("HTTP API on {}://{}:{}/{}", secure ? "https" : "http", config.host(), connector.getLocalPort(),
                secure ? " (TLS: " + config.tls().get().describe() + ")" : "");
        return new RewindHttpServer(server, connector, feeds, secure);
    }

    /** TLS 1.2 and 1.3 only (Jetty's default cipher exclusions apply); no client certificates. */
    private static SslContextFactory.Server sslContext(TlsConfig tls) {
        TlsConfig.Loaded loaded = tls.load();
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(loaded.keyStore());
        ssl.setKeyStorePassword(new String(loaded.password()));
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        return ssl;
    }

    /**
     * The request customizer that marks requests secure. The SNI host check is off: clients reach
     * a server by an IP address as often as by the name in its certificate, and the client checks
     * the certificate against what it dialled, which is what protects it.
     */
    private static HttpConfiguration secure(HttpConfiguration plain) {
        HttpConfiguration https = new HttpConfiguration(plain);
        https.setSecureScheme("https");
        https.addCustomizer(new SecureRequestCustomizer(false, false, -1, false));
        return https;
    }

    private static byte[] openApi() {
        try (InputStream in = RewindHttpServer.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port it listens on (the one picked when configured with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** The base URI, e.g. {@code http://127.0.0.1:9004}, or {@code https://…} with TLS. */
    public String uri() {
        String host = connector.getHost();
        return (secure ? "https://" : "http://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** The live feeds open now, with the position each has delivered up to. */
    public java.util.List<FeedStatus> feeds() {
        return feeds.feeds();
    }

    /** Ends every live feed and stops serving; the store stays open. Idempotent. */
    @Override
    public void close() {
        feeds.close();
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the HTTP server failed", e);
        }
    }
}
