package io.rewind.client;

import io.rewind.security.CurveKeys;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link RewindClient} connects and how patient it is. Immutable and thread-safe; build one
 * with {@link #builder()}.
 *
 * <p>Defaults: endpoint {@code tcp://127.0.0.1:9002} (the server's default command endpoint),
 * connect timeout 5 s, request timeout 10 s, subscription credit window 256 events, reconnect
 * backoff 100 ms doubling up to 5 s, a heartbeat every second and a connection declared dead after
 * 5 s of silence.
 */
public final class ClientConfig {

    private final List<String> endpoints;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int subscriptionCreditWindow;
    private final Duration reconnectBackoffMin;
    private final Duration reconnectBackoffMax;
    private final Duration heartbeatInterval;
    private final Duration heartbeatTimeout;
    private final CurveKeys serverKey;
    private final CurveKeys clientKeys;

    private ClientConfig(Builder b) {
        this.serverKey = b.serverKey;
        this.clientKeys = b.clientKeys;
        this.endpoints = List.copyOf(b.endpoints);
        this.connectTimeout = b.connectTimeout;
        this.requestTimeout = b.requestTimeout;
        this.subscriptionCreditWindow = b.subscriptionCreditWindow;
        this.reconnectBackoffMin = b.reconnectBackoffMin;
        this.reconnectBackoffMax = b.reconnectBackoffMax;
        this.heartbeatInterval = b.heartbeatInterval;
        this.heartbeatTimeout = b.heartbeatTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The server's command endpoint, e.g. {@code tcp://127.0.0.1:9002}: the first of {@link #endpoints()}. */
    public String endpoint() {
        return endpoints.get(0);
    }

    /**
     * The command endpoints the client may talk to, in the order it tries them: one server, or the
     * nodes of a cluster (docs/CLUSTER.md). The client talks to one at a time and moves to the next
     * when the connection is lost or stays silent beyond the heartbeat timeout.
     */
    public List<String> endpoints() {
        return endpoints;
    }

    /** How long {@link RewindClient#connect} waits for the server's first answer. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long one request waits for its reply before it fails with a StoreUnavailableException. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * The most events a subscription lets the server send ahead of its listener: the bound on
     * what one subscription buffers in the client.
     */
    public int subscriptionCreditWindow() {
        return subscriptionCreditWindow;
    }

    /** The first wait before a subscription tries again after its connection failed. */
    public Duration reconnectBackoffMin() {
        return reconnectBackoffMin;
    }

    /** The longest wait between two attempts; the wait doubles from the minimum up to this. */
    public Duration reconnectBackoffMax() {
        return reconnectBackoffMax;
    }

    /** How often the client pings the server while it has subscriptions or requests in flight. */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /**
     * How long a connection may stay silent, while the client is waiting for something from it,
     * before the client drops it and connects afresh.
     */
    public Duration heartbeatTimeout() {
        return heartbeatTimeout;
    }

    /** The server's public key, when the client connects with CURVE. */
    public Optional<CurveKeys> serverKey() {
        return Optional.ofNullable(serverKey);
    }

    /** The client's own key pair, when it connects with CURVE. */
    public Optional<CurveKeys> clientKeys() {
        return Optional.ofNullable(clientKeys);
    }

    /** Every setting; of the keys only the public ones. */
    @Override
    public String toString() {
        return "ClientConfig[endpoints=" + endpoints + ", connectTimeout=" + connectTimeout + ", requestTimeout="
                + requestTimeout + ", subscriptionCreditWindow=" + subscriptionCreditWindow + ", reconnectBackoff="
                + reconnectBackoffMin + ".." + reconnectBackoffMax + ", heartbeat=" + heartbeatInterval + "/"
                + heartbeatTimeout + (serverKey == null ? "" : ", curve server " + serverKey.publicKeyZ85() + " client "
                + clientKeys.publicKeyZ85()) + "]";
    }

    /** Builds a {@link ClientConfig}. Not thread-safe. */
    public static final class Builder {
        private List<String> endpoints = List.of("tcp://127.0.0.1:9002");
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private int subscriptionCreditWindow = 256;
        private Duration reconnectBackoffMin = Duration.ofMillis(100);
        private Duration reconnectBackoffMax = Duration.ofSeconds(5);
        private Duration heartbeatInterval = Duration.ofSeconds(1);
        private Duration heartbeatTimeout = Duration.ofSeconds(5);
        private CurveKeys serverKey;
        private CurveKeys clientKeys;

        private Builder() {
        }

        /**
         * Connects with CURVE (encrypted, and authenticated by the client's key): {@code serverKey}
         * is the server's public key (its {@code .key} certificate), {@code clientKeys} the client's
         * own pair (its {@code .key_secret} certificate). docs/SECURITY.md.
         */
        public Builder curve(CurveKeys serverKey, CurveKeys clientKeys) {
            Objects.requireNonNull(serverKey, "serverKey");
            Objects.requireNonNull(clientKeys, "clientKeys");
            if (!clientKeys.hasSecret()) {
                throw new IllegalArgumentException("the client needs its own secret key, not only its public key");
            }
            this.serverKey = serverKey;
            this.clientKeys = clientKeys;
            return this;
        }

        /** The server's command endpoint, a ZeroMQ address such as {@code tcp://host:9002}. */
        public Builder endpoint(String commandEndpoint) {
            return endpoints(List.of(Objects.requireNonNull(commandEndpoint, "commandEndpoint")));
        }

        /**
         * Several command endpoints, e.g. the nodes of a cluster, tried in this order; see
         * {@link ClientConfig#endpoints()}.
         */
        public Builder endpoints(List<String> commandEndpoints) {
            Objects.requireNonNull(commandEndpoints, "commandEndpoints");
            if (commandEndpoints.isEmpty()) {
                throw new IllegalArgumentException("at least one endpoint is needed");
            }
            for (String endpoint : commandEndpoints) {
                if (endpoint == null || endpoint.isBlank()) {
                    throw new IllegalArgumentException("endpoint must not be blank");
                }
            }
            this.endpoints = List.copyOf(commandEndpoints);
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        public Builder subscriptionCreditWindow(int events) {
            if (events < 1) {
                throw new IllegalArgumentException("subscriptionCreditWindow must be >= 1, was " + events);
            }
            this.subscriptionCreditWindow = events;
            return this;
        }

        /** The first and the longest wait between reconnection attempts of a subscription. */
        public Builder reconnectBackoff(Duration min, Duration max) {
            positive(min, "reconnectBackoff min");
            positive(max, "reconnectBackoff max");
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("reconnectBackoff max (" + max + ") is below min (" + min + ")");
            }
            this.reconnectBackoffMin = min;
            this.reconnectBackoffMax = max;
            return this;
        }

        /** The ping interval and the silence after which a connection counts as dead. */
        public Builder heartbeat(Duration interval, Duration timeout) {
            positive(interval, "heartbeat interval");
            positive(timeout, "heartbeat timeout");
            if (timeout.compareTo(interval.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("heartbeat timeout (" + timeout
                        + ") must be at least twice the interval (" + interval + ")");
            }
            this.heartbeatInterval = interval;
            this.heartbeatTimeout = timeout;
            return this;
        }

        public ClientConfig build() {
            return new ClientConfig(this);
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }
    }
}
