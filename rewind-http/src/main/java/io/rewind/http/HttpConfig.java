package io.rewind.http;

import java.time.Duration;
import java.util.Objects;

/**
 * How the HTTP server listens and what it accepts. Immutable; build one with {@link #builder()}.
 *
 * <p>Defaults: {@code 127.0.0.1:9004} (loopback only: binding another interface is a deliberate
 * choice), request bodies up to 64 MiB, events up to 16 MiB of data and metadata (the stores'
 * default), a heartbeat on every live feed every 15 seconds.
 */
public final class HttpConfig {

    /** The default endpoint, host:port. */
    public static final String DEFAULT_ENDPOINT = "127.0.0.1:9004";
    public static final long DEFAULT_MAX_REQUEST_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024;
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);

    private final String host;
    private final int port;
    private final long maxRequestBytes;
    private final int maxEventBytes;
    private final Duration heartbeat;
    private final TlsConfig tls;

    private HttpConfig(Builder builder) {
        this.tls = builder.tls;
        this.host = builder.host;
        this.port = builder.port;
        this.maxRequestBytes = builder.maxRequestBytes;
        this.maxEventBytes = builder.maxEventBytes;
        this.heartbeat = builder.heartbeat;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String host() {
        return host;
    }

    /** The port; 0 picks a free one (see {@link RewindHttpServer#port()}). */
    public int port() {
        return port;
    }

    public long maxRequestBytes() {
        return maxRequestBytes;
    }

    public int maxEventBytes() {
        return maxEventBytes;
    }

    public Duration heartbeat() {
        return heartbeat;
    }

    /** TLS for the endpoint; empty: plain HTTP. */
    public java.util.Optional<TlsConfig> tls() {
        return java.util.Optional.ofNullable(tls);
    }

    /** Builds an {@link HttpConfig}; every setter checks its value. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 9004;
        private long maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
        private int maxEventBytes = DEFAULT_MAX_EVENT_BYTES;
        private Duration heartbeat = DEFAULT_HEARTBEAT;
        private TlsConfig tls;

        private Builder() {
        }

        /** Serves HTTPS with this key and certificate (null: plain HTTP, the default). */
        public Builder tls(TlsConfig newTls) {
            this.tls = newTls;
            return this;
        }

        /**
         * Parses {@code HOST:PORT} ({@code [::1]:PORT} for IPv6; port 0 picks a free one).
         *
         * @throws IllegalArgumentException naming what is wrong
         */
        public Builder endpoint(String endpoint) {
            Objects.requireNonNull(endpoint, "endpoint");
            int colon = endpoint.lastIndexOf(':');
            if (colon <= 0 || colon == endpoint.length() - 1) {
                throw new IllegalArgumentException("--http-endpoint: expected HOST:PORT (e.g. " + DEFAULT_ENDPOINT
                        + "), was '" + endpoint + "'");
            }
            String hostPart = endpoint.substring(0, colon);
            if (hostPart.startsWith("[") && hostPart.endsWith("]")) {
                hostPart = hostPart.substring(1, hostPart.length() - 1);
            }
            int parsedPort;
            try {
                parsedPort = Integer.parseInt(endpoint.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--http-endpoint: the port of '" + endpoint + "' is not a number", e);
            }
            return host(hostPart).port(parsedPort);
        }

        public Builder host(String newHost) {
            if (newHost == null || newHost.isBlank()) {
                throw new IllegalArgumentException("--http-endpoint: the host must not be empty");
            }
            this.host = newHost;
            return this;
        }

        public Builder port(int newPort) {
            if (newPort < 0 || newPort > 65_535) {
                throw new IllegalArgumentException("--http-endpoint: the port must be 0 to 65535, was " + newPort);
            }
            this.port = newPort;
            return this;
        }

        public Builder maxRequestBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("the largest HTTP request body must be at least 1024 bytes, was "
                        + bytes);
            }
            this.maxRequestBytes = bytes;
            return this;
        }

        public Builder maxEventBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("the largest event must be at least 1 byte, was " + bytes);
            }
            this.maxEventBytes = bytes;
            return this;
        }

        public Builder heartbeat(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("the heartbeat interval must be positive, was " + interval);
            }
            this.heartbeat = interval;
            return this;
        }

        public HttpConfig build() {
            return new HttpConfig(this);
        }
    }
}
