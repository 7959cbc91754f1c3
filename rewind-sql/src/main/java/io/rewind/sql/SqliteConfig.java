package io.rewind.sql;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How to open a {@link SqliteEventStore}: the database file and a few limits. Immutable and
 * thread-safe; build one with {@link #builder(Path)}.
 */
public final class SqliteConfig {

    /** The default largest event (data + metadata): 16 MiB, as every store. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024;
    /** The default number of pooled connections for reads and subscriptions. */
    public static final int DEFAULT_READ_CONNECTIONS = 4;
    /** The default wait for the write lock when another process holds it. */
    public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(10);

    private final Path file;
    private final int maxEventBytes;
    private final int readConnections;
    private final Duration busyTimeout;
    private final Clock clock;

    private SqliteConfig(Builder builder) {
        this.file = builder.file;
        this.maxEventBytes = builder.maxEventBytes;
        this.readConnections = builder.readConnections;
        this.busyTimeout = builder.busyTimeout;
        this.clock = builder.clock;
    }

    /** A configuration for the database in {@code file} (created, with its directory, if missing). */
    public static Builder builder(Path file) {
        return new Builder(file);
    }

    public Path file() {
        return file;
    }

    public int maxEventBytes() {
        return maxEventBytes;
    }

    public int readConnections() {
        return readConnections;
    }

    public Duration busyTimeout() {
        return busyTimeout;
    }

    /** The clock events are timestamped with (truncated to microseconds, never decreasing). */
    public Clock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "SqliteConfig[file=" + file + ", maxEventBytes=" + maxEventBytes + ", readConnections="
                + readConnections + ", busyTimeout=" + busyTimeout + "]";
    }

    /** Builds a {@link SqliteConfig}. Not thread-safe. */
    public static final class Builder {
        private final Path file;
        private int maxEventBytes = DEFAULT_MAX_EVENT_BYTES;
        private int readConnections = DEFAULT_READ_CONNECTIONS;
        private Duration busyTimeout = DEFAULT_BUSY_TIMEOUT;
        private Clock clock = Clock.systemUTC();

        private Builder(Path file) {
            this.file = Objects.requireNonNull(file, "file");
        }

        /** The largest data + metadata one event may have. */
        public Builder maxEventBytes(int bytes) {
            this.maxEventBytes = ConfigChecks.maxEventBytes(bytes);
            return this;
        }

        /** Pooled connections for reads and subscriptions (at least 1). */
        public Builder readConnections(int connections) {
            this.readConnections = ConfigChecks.readConnections(connections);
            return this;
        }

        /** How long an append waits for the write lock another process holds before it fails. */
        public Builder busyTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("busyTimeout must be 0 to " + Integer.MAX_VALUE + " ms, was " + timeout);
            }
            this.busyTimeout = timeout;
            return this;
        }

        public Builder clock(Clock newClock) {
            this.clock = Objects.requireNonNull(newClock, "clock");
            return this;
        }

        public SqliteConfig build() {
            return new SqliteConfig(this);
        }
    }
}
