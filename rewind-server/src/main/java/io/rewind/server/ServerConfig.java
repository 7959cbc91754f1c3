package io.rewind.server;

import io.rewind.api.Limits;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a {@link RewindServer} needs to know, fixed at start. Immutable and thread-safe;
 * build one with {@link #builder()}.
 *
 * <p>Every queue and buffer the server keeps is bounded by one of these limits, so no client can
 * make it grow without bound: frames and bytes per inbound message, requests in flight, queued
 * replies per client, broadcast queue, subscriptions.
 */
public final class ServerConfig {

    /** The default largest event (data + metadata): 16 MiB. */
    public static final int DEFAULT_MAX_EVENT_SIZE = 16 * 1024 * 1024;

    private final String commandEndpoint;
    private final String streamEndpoint;
    private final String legacyStreamEndpoint;
    private final String defaultStream;
    private final int maxEventSize;
    private final long maxMessageBytes;
    private final int maxMessageFrames;
    private final int workerThreads;
    private final int maxRequestsInFlight;
    private final int maxReplyBytes;
    private final int maxQueuedRepliesPerClient;
    private final int sendHighWaterMark;
    private final int broadcastHighWaterMark;
    private final int broadcastQueueCapacity;
    private final int maxSubscriptions;
    private final Duration subscriptionTimeout;
    private final Duration linger;
    private final Duration shutdownTimeout;

    private ServerConfig(Builder b) {
        this.commandEndpoint = b.commandEndpoint;
        this.streamEndpoint = b.streamEndpoint;
        this.legacyStreamEndpoint = b.legacyStreamEndpoint;
        this.defaultStream = b.defaultStream;
        this.maxEventSize = b.maxEventSize;
        this.maxMessageBytes = b.maxMessageBytes > 0 ? b.maxMessageBytes : defaultMaxMessageBytes(b.maxEventSize);
        this.maxMessageFrames = b.maxMessageFrames;
        this.workerThreads = b.workerThreads;
        this.maxRequestsInFlight = b.maxRequestsInFlight;
        this.maxReplyBytes = b.maxReplyBytes;
        this.maxQueuedRepliesPerClient = b.maxQueuedRepliesPerClient;
        this.sendHighWaterMark = b.sendHighWaterMark;
        this.broadcastHighWaterMark = b.broadcastHighWaterMark;
        this.broadcastQueueCapacity = b.broadcastQueueCapacity;
        this.maxSubscriptions = b.maxSubscriptions;
        this.subscriptionTimeout = b.subscriptionTimeout;
        this.linger = b.linger;
        this.shutdownTimeout = b.shutdownTimeout;
        if (maxMessageBytes < maxEventSize + 65_536L) {
            throw new IllegalArgumentException("maxMessageBytes (" + maxMessageBytes
                    + ") must exceed maxEventSize (" + maxEventSize + ") by at least 64 KiB of framing");
        }
    }

    /** Four events of the largest size plus framing, so a request just over the event limit still gets an answer. */
    private static long defaultMaxMessageBytes(int maxEventSize) {
        return 4L * maxEventSize + (1 << 20);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The ROUTER endpoint both dialects and Rewind's own commands use. Default {@code tcp://127.0.0.1:9002}. */
    public String commandEndpoint() {
        return commandEndpoint;
    }

    /** The PUB endpoint in GoRewind format {@code [stream, id, data]}. Default {@code tcp://127.0.0.1:9003}. */
    public String streamEndpoint() {
        return streamEndpoint;
    }

    /** The PUB endpoint in Rewind format {@code [id, previous id, data]}; empty (off) by default. */
    public Optional<String> legacyStreamEndpoint() {
        return Optional.ofNullable(legacyStreamEndpoint);
    }

    /** The stream Rewind-dialect PUBLISH appends to. Default {@code default}. */
    public String defaultStream() {
        return defaultStream;
    }

    /** The largest event (data + metadata) accepted, in bytes. Default 16 MiB. */
    public int maxEventSize() {
        return maxEventSize;
    }

    /**
     * The most bytes of one inbound message the server reads into memory; beyond it the rest is
     * discarded and the request answered with TOO_LARGE. Also the ZeroMQ per-frame limit: a
     * single larger frame makes ZeroMQ drop that connection. Default 4 × maxEventSize + 1 MiB.
     */
    public long maxMessageBytes() {
        return maxMessageBytes;
    }

    /** The most frames of one inbound message read into memory. Default 1024. */
    public int maxMessageFrames() {
        return maxMessageFrames;
    }

    /** Threads that run store reads (appends go straight from the socket thread to the store). Default 4. */
    public int workerThreads() {
        return workerThreads;
    }

    /** Requests accepted but not yet answered, over all clients; beyond it requests get OVERLOADED. Default 4096. */
    public int maxRequestsInFlight() {
        return maxRequestsInFlight;
    }

    /**
     * The size at which a read reply or a subscription delivery is cut: for reads, the byte budget
     * (event data + metadata) the server reads with when the request asks for more or names none.
     * Default 4 MiB (at least one event is always sent).
     */
    public int maxReplyBytes() {
        return maxReplyBytes;
    }

    /** Reply messages held for a client whose ZeroMQ queue is full; beyond it replies to it are dropped. Default 100,000. */
    public int maxQueuedRepliesPerClient() {
        return maxQueuedRepliesPerClient;
    }

    /** ZeroMQ send high-water mark of the command socket, in messages per client. Default 10,000. */
    public int sendHighWaterMark() {
        return sendHighWaterMark;
    }

    /** ZeroMQ send high-water mark of the PUB sockets, per subscriber; beyond it PUB drops. Default 100,000. */
    public int broadcastHighWaterMark() {
        return broadcastHighWaterMark;
    }

    /**
     * Durable events held for the broadcast at once: the queue between the broadcast reader thread
     * and the socket thread, the most the reader reads per page and the most the socket thread
     * publishes per cycle (when the queue is full, the reader waits). Default 1024.
     */
    public int broadcastQueueCapacity() {
        return broadcastQueueCapacity;
    }

    /** Subscriptions over the command socket, over all clients. Default 10,000. */
    public int maxSubscriptions() {
        return maxSubscriptions;
    }

    /** A subscription whose client sent nothing (no CREDIT, PING or other command) for this long is dropped. Default 60 s. */
    public Duration subscriptionTimeout() {
        return subscriptionTimeout;
    }

    /** How long closing sockets may wait to deliver queued messages. Default 1 s. */
    public Duration linger() {
        return linger;
    }

    /** How long {@link RewindServer#close()} waits for in-flight requests. Default 10 s. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    @Override
    public String toString() {
        return "ServerConfig[command=" + commandEndpoint + ", stream=" + streamEndpoint + ", legacyStream="
                + legacyStreamEndpoint + ", defaultStream=" + defaultStream + ", maxEventSize=" + maxEventSize + "]";
    }

    /** Builds a {@link ServerConfig}. Not thread-safe. */
    public static final class Builder {
        private String commandEndpoint = "tcp://127.0.0.1:9002";
        private String streamEndpoint = "tcp://127.0.0.1:9003";
        private String legacyStreamEndpoint;
        private String defaultStream = "default";
        private int maxEventSize = DEFAULT_MAX_EVENT_SIZE;
        private long maxMessageBytes;
        private int maxMessageFrames = 1024;
        private int workerThreads = 4;
        private int maxRequestsInFlight = 4096;
        private int maxReplyBytes = 4 * 1024 * 1024;
        private int maxQueuedRepliesPerClient = 100_000;
        private int sendHighWaterMark = 10_000;
        private int broadcastHighWaterMark = 100_000;
        private int broadcastQueueCapacity = 1024;
        private int maxSubscriptions = 10_000;
        private Duration subscriptionTimeout = Duration.ofSeconds(60);
        private Duration linger = Duration.ofSeconds(1);
        private Duration shutdownTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /** Sets {@link ServerConfig#commandEndpoint()}. */
        public Builder commandEndpoint(String endpoint) {
            this.commandEndpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        /** Sets {@link ServerConfig#streamEndpoint()}. */
        public Builder streamEndpoint(String endpoint) {
            this.streamEndpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        /** Turns the legacy PUB socket on at {@code endpoint}; null turns it off. */
        public Builder legacyStreamEndpoint(String endpoint) {
            this.legacyStreamEndpoint = endpoint;
            return this;
        }

        /** Sets {@link ServerConfig#defaultStream()}. */
        public Builder defaultStream(String stream) {
            Limits.checkStreamName(stream);
            this.defaultStream = stream;
            return this;
        }

        /** Sets {@link ServerConfig#maxEventSize()}. */
        public Builder maxEventSize(int bytes) {
            this.maxEventSize = positive(bytes, "maxEventSize");
            return this;
        }

        /** Sets {@link ServerConfig#maxMessageBytes()}. */
        public Builder maxMessageBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxMessageBytes must be > 0, was " + bytes);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /** Sets {@link ServerConfig#maxMessageFrames()}. */
        public Builder maxMessageFrames(int frames) {
            if (frames < 8) {
                throw new IllegalArgumentException("maxMessageFrames must be >= 8, was " + frames);
            }
            this.maxMessageFrames = frames;
            return this;
        }

        /** Sets {@link ServerConfig#workerThreads()}. */
        public Builder workerThreads(int threads) {
            this.workerThreads = positive(threads, "workerThreads");
            return this;
        }

        /** Sets {@link ServerConfig#maxRequestsInFlight()}. */
        public Builder maxRequestsInFlight(int requests) {
            this.maxRequestsInFlight = positive(requests, "maxRequestsInFlight");
            return this;
        }

        /** Sets {@link ServerConfig#maxReplyBytes()}. */
        public Builder maxReplyBytes(int bytes) {
            this.maxReplyBytes = positive(bytes, "maxReplyBytes");
            return this;
        }

        /** Sets {@link ServerConfig#maxQueuedRepliesPerClient()}. */
        public Builder maxQueuedRepliesPerClient(int messages) {
            this.maxQueuedRepliesPerClient = positive(messages, "maxQueuedRepliesPerClient");
            return this;
        }

        /** Sets {@link ServerConfig#sendHighWaterMark()}. */
        public Builder sendHighWaterMark(int messages) {
            this.sendHighWaterMark = positive(messages, "sendHighWaterMark");
            return this;
        }

        /** Sets {@link ServerConfig#broadcastHighWaterMark()}. */
        public Builder broadcastHighWaterMark(int messages) {
            this.broadcastHighWaterMark = positive(messages, "broadcastHighWaterMark");
            return this;
        }

        /** Sets {@link ServerConfig#broadcastQueueCapacity()}. */
        public Builder broadcastQueueCapacity(int events) {
            this.broadcastQueueCapacity = positive(events, "broadcastQueueCapacity");
            return this;
        }

        /** Sets {@link ServerConfig#maxSubscriptions()}. */
        public Builder maxSubscriptions(int subscriptions) {
            this.maxSubscriptions = positive(subscriptions, "maxSubscriptions");
            return this;
        }

        /** Sets {@link ServerConfig#subscriptionTimeout()}. */
        public Builder subscriptionTimeout(Duration timeout) {
            this.subscriptionTimeout = positive(timeout, "subscriptionTimeout");
            return this;
        }

        /** Sets {@link ServerConfig#linger()}. */
        public Builder linger(Duration duration) {
            Objects.requireNonNull(duration, "linger");
            if (duration.isNegative()) {
                throw new IllegalArgumentException("linger must be >= 0, was " + duration);
            }
            this.linger = duration;
            return this;
        }

        /** Sets {@link ServerConfig#shutdownTimeout()}. */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = positive(timeout, "shutdownTimeout");
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(this);
        }

        private static int positive(int value, String name) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be > 0, was " + value);
            }
            return value;
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0, was " + value);
            }
            return value;
        }
    }
}
