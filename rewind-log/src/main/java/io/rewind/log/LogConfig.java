package io.rewind.log;

import io.rewind.log.io.FileIO;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a {@link LogEventStore} is opened: its directory and its limits. Immutable and thread-safe;
 * build one with {@link #builder(Path)}.
 */
public final class LogConfig {

    /** The default size at which a segment is sealed and a new one started: 256 MiB. */
    public static final long DEFAULT_SEGMENT_SIZE = 256L * 1024 * 1024;
    /** The smallest segment size accepted (tests use tiny segments to exercise rolling). */
    public static final long MIN_SEGMENT_SIZE = 1024;
    /** The largest segment size accepted, so that record offsets inside a segment fit an int. */
    public static final long MAX_SEGMENT_SIZE = 1024L * 1024 * 1024;
    /** The default largest data + metadata size of one event: 16 MiB. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024;
    /** The largest {@code maxEventBytes} accepted. */
    public static final int MAX_MAX_EVENT_BYTES = 256 * 1024 * 1024;
    /** The default number of events held in memory-only indexes before they are flushed to disk. */
    public static final int DEFAULT_INDEX_FLUSH_THRESHOLD = 500_000;
    /** The largest index flush threshold accepted, so that one index file stays well under 2 GiB. */
    public static final int MAX_INDEX_FLUSH_THRESHOLD = 20_000_000;
    /** The default number of events that may wait for the writer before appends are refused as overload. */
    public static final int DEFAULT_APPEND_QUEUE_EVENTS = 262_144;
    /** The default bytes of data and metadata that may wait for the writer before appends are refused: 256 MiB. */
    public static final long DEFAULT_APPEND_QUEUE_BYTES = 256L * 1024 * 1024;

    private final Path directory;
    private final long segmentSize;
    private final Durability durability;
    private final int maxEventBytes;
    private final int indexFlushThreshold;
    private final int appendQueueEvents;
    private final long appendQueueBytes;
    private final FileIO fileIO;

    private LogConfig(Builder builder) {
        this.directory = builder.directory;
        this.segmentSize = builder.segmentSize;
        this.durability = builder.durability;
        this.maxEventBytes = builder.maxEventBytes;
        this.indexFlushThreshold = builder.indexFlushThreshold;
        this.appendQueueEvents = builder.appendQueueEvents;
        this.appendQueueBytes = builder.appendQueueBytes;
        this.fileIO = builder.fileIO;
    }

    /** A builder with every default, for a store in {@code directory} (created if missing). */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        return new Builder(directory)
                .segmentSize(segmentSize)
                .durability(durability)
                .maxEventBytes(maxEventBytes)
                .indexFlushThreshold(indexFlushThreshold)
                .appendQueueEvents(appendQueueEvents)
                .appendQueueBytes(appendQueueBytes)
                .fileIO(fileIO);
    }

    public Path directory() {
        return directory;
    }

    /** The size in bytes at which the active segment is sealed. */
    public long segmentSize() {
        return segmentSize;
    }

    public Durability durability() {
        return durability;
    }

    /** The largest data + metadata size of one event. */
    public int maxEventBytes() {
        return maxEventBytes;
    }

    /** How many events the in-memory index tail holds before it is written to an index file. */
    public int indexFlushThreshold() {
        return indexFlushThreshold;
    }

    /**
     * How many events may wait for the writer thread: an append that would queue more fails at once
     * with {@link io.rewind.api.StoreOverloadedException} (an append is admitted when nothing is
     * queued, whatever its size).
     */
    public int appendQueueEvents() {
        return appendQueueEvents;
    }

    /** How many bytes of data and metadata may wait for the writer thread; as {@link #appendQueueEvents()}. */
    public long appendQueueBytes() {
        return appendQueueBytes;
    }

    /** The file system the store goes through for every file access. */
    public FileIO fileIO() {
        return fileIO;
    }

    @Override
    public String toString() {
        return "LogConfig[directory=" + directory + ", segmentSize=" + segmentSize + ", durability=" + durability
                + ", maxEventBytes=" + maxEventBytes + ", indexFlushThreshold=" + indexFlushThreshold
                + ", appendQueueEvents=" + appendQueueEvents + ", appendQueueBytes=" + appendQueueBytes + "]";
    }

    /** Builds a {@link LogConfig}; every setter checks its argument. Not thread-safe. */
    public static final class Builder {
        private final Path directory;
        private long segmentSize = DEFAULT_SEGMENT_SIZE;
        private Durability durability = Durability.ALWAYS;
        private int maxEventBytes = DEFAULT_MAX_EVENT_BYTES;
        private int indexFlushThreshold = DEFAULT_INDEX_FLUSH_THRESHOLD;
        private int appendQueueEvents = DEFAULT_APPEND_QUEUE_EVENTS;
        private long appendQueueBytes = DEFAULT_APPEND_QUEUE_BYTES;
        private FileIO fileIO = FileIO.real();

        private Builder(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
        }

        public Builder segmentSize(long bytes) {
            if (bytes < MIN_SEGMENT_SIZE || bytes > MAX_SEGMENT_SIZE) {
                throw new IllegalArgumentException("segment size must be between " + MIN_SEGMENT_SIZE + " and "
                        + MAX_SEGMENT_SIZE + " bytes, was " + bytes);
            }
            this.segmentSize = bytes;
            return this;
        }

        public Builder durability(Durability policy) {
            this.durability = Objects.requireNonNull(policy, "durability");
            return this;
        }

        public Builder maxEventBytes(int bytes) {
            if (bytes < 1 || bytes > MAX_MAX_EVENT_BYTES) {
                throw new IllegalArgumentException("max event size must be between 1 and " + MAX_MAX_EVENT_BYTES
                        + " bytes, was " + bytes);
            }
            this.maxEventBytes = bytes;
            return this;
        }

        public Builder indexFlushThreshold(int events) {
            if (events < 1 || events > MAX_INDEX_FLUSH_THRESHOLD) {
                throw new IllegalArgumentException("index flush threshold must be between 1 and "
                        + MAX_INDEX_FLUSH_THRESHOLD + " events, was " + events);
            }
            this.indexFlushThreshold = events;
            return this;
        }

        public Builder appendQueueEvents(int events) {
            if (events < 1) {
                throw new IllegalArgumentException("append queue bound must be at least 1 event, was " + events);
            }
            this.appendQueueEvents = events;
            return this;
        }

        public Builder appendQueueBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("append queue bound must be at least 1 byte, was " + bytes);
            }
            this.appendQueueBytes = bytes;
            return this;
        }

        public Builder fileIO(FileIO io) {
            this.fileIO = Objects.requireNonNull(io, "fileIO");
            return this;
        }

        public LogConfig build() {
            return new LogConfig(this);
        }
    }
}
