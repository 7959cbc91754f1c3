package io.rewind.sql;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach the PostgreSQL database of a {@link PostgresEventStore}: a JDBC URL, credentials, an
 * optional schema, and pool and event limits. Immutable and thread-safe; build one with
 * {@link #builder(String)}. The password never appears in {@link #toString()}.
 */
public final class PostgresConfig {

    /** The default largest event (data + metadata): 16 MiB, as every store. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024;
    /** The default size of the pool for reads and subscriptions (the writer has its own connection). */
    public static final int DEFAULT_READ_CONNECTIONS = 8;
    /** The default wait for a connection, from the pool or from the server. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String schema;
    private final int maxEventBytes;
    private final int readConnections;
    private final Duration connectTimeout;
    private final Clock clock;

    private PostgresConfig(Builder builder) {
        this.jdbcUrl = builder.jdbcUrl;
        this.user = builder.user;
        this.password = builder.password;
        this.schema = builder.schema;
        this.maxEventBytes = builder.maxEventBytes;
        this.readConnections = builder.readConnections;
        this.connectTimeout = builder.connectTimeout;
        this.clock = builder.clock;
    }

    /** A configuration for the database at {@code jdbcUrl} ({@code jdbc:postgresql://host:port/database...}). */
    public static Builder builder(String jdbcUrl) {
        return new Builder(jdbcUrl);
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The user, empty when the URL carries it (or the driver's default applies). */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /**
     * The schema holding Rewind's tables (created if missing), empty for the connection's default
     * search path. Several stores can share one database in separate schemas.
     */
    public Optional<String> schema() {
        return Optional.ofNullable(schema);
    }

    public int maxEventBytes() {
        return maxEventBytes;
    }

    public int readConnections() {
        return readConnections;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The clock events are timestamped with (truncated to microseconds, never before the newest stored). */
    public Clock clock() {
        return clock;
    }

    /** The URL without its query (which may carry a password), and the schema: for messages. */
    String describe() {
        int query = jdbcUrl.indexOf('?');
        String address = query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
        return address + (schema == null ? "" : " schema " + schema);
    }

    @Override
    public String toString() {
        return "PostgresConfig[" + describe() + ", user=" + user + ", maxEventBytes=" + maxEventBytes
                + ", readConnections=" + readConnections + ", connectTimeout=" + connectTimeout + "]";
    }

    /** Builds a {@link PostgresConfig}. Not thread-safe. */
    public static final class Builder {
        private final String jdbcUrl;
        private String user;
        private String password;
        private String schema;
        private int maxEventBytes = DEFAULT_MAX_EVENT_BYTES;
        private int readConnections = DEFAULT_READ_CONNECTIONS;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Clock clock = Clock.systemUTC();

        private Builder(String jdbcUrl) {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database): "
                        + describeUrl(jdbcUrl));
            }
            this.jdbcUrl = jdbcUrl;
        }

        private static String describeUrl(String url) {
            int query = url.indexOf('?');
            return query < 0 ? url : url.substring(0, query) + "?...";
        }

        public Builder user(String newUser) {
            this.user = newUser;
            return this;
        }

        public Builder password(String newPassword) {
            this.password = newPassword;
            return this;
        }

        /** The schema for Rewind's tables; null or empty for the default search path. */
        public Builder schema(String newSchema) {
            this.schema = newSchema == null || newSchema.isEmpty() ? null : newSchema;
            return this;
        }

        public Builder maxEventBytes(int bytes) {
            this.maxEventBytes = ConfigChecks.maxEventBytes(bytes);
            return this;
        }

        /** Pooled connections for reads and subscriptions (at least 1). */
        public Builder readConnections(int connections) {
            this.readConnections = ConfigChecks.readConnections(connections);
            return this;
        }

        /** At least 250 ms (the pool's floor). */
        public Builder connectTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.toMillis() < 250) {
                throw new IllegalArgumentException("connectTimeout must be >= 250 ms, was " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        public Builder clock(Clock newClock) {
            this.clock = Objects.requireNonNull(newClock, "clock");
            return this;
        }

        public PostgresConfig build() {
            return new PostgresConfig(this);
        }
    }
}
