package io.rewind.api;

import java.util.Objects;

/**
 * Where a read of a stream or of the whole store starts, which way it goes and how much one call
 * may return: at most {@link #maxEvents()} events and, beyond the first event, at most
 * {@link #maxBytes()} bytes. Immutable and thread-safe; every factory and wither checks its
 * argument, so a store never sees an invalid read and every store refuses one with the same
 * {@link InvalidRequestException} and the same message.
 *
 * <h2>The byte budget</h2>
 * An event's size for the budget is {@link #sizeOf(RecordedEvent)}: the bytes of its data plus the
 * bytes of its metadata (the same sum the append size limit counts), whatever the store's encoding.
 * A read adds events in its direction while their sizes add up to at most {@code maxBytes} and stops
 * before the first event that would take it over, except that it always returns the first event it
 * finds, even one that alone exceeds the budget, so a reader always makes progress (like Kafka's
 * {@code fetch.max.bytes}). A read the budget cut says so ({@link EventPage#byteBudgetReached()});
 * the rest follows the last event returned ({@link EventPage#next()}).
 *
 * <h2>Defaults</h2>
 * {@link #forward()} reads from version or position 0, {@link #backward()} from {@link EventStore#END};
 * both read at most {@value #DEFAULT_MAX_EVENTS} events and {@value #DEFAULT_MAX_BYTES} bytes
 * (16 MiB, the size of the largest event the stores accept by default).
 *
 * <h2>Leader consistency</h2>
 * A read {@link #withLeaderConsistency() with leader consistency} reflects every append that any
 * node of a replicated cluster acknowledged before the read began (read-your-writes across
 * nodes): a cluster node first learns how far the leader has applied — confirming that the leader
 * still leads — and waits until it has applied that far itself. A store that is not replicated
 * reads every append it acknowledged anyway, so for it the option changes nothing.
 */
public final class ReadOptions {

    /** The events a read returns at most unless {@link #withMaxEvents} says otherwise. */
    public static final int DEFAULT_MAX_EVENTS = 1_000;
    /** The byte budget of a read unless {@link #withMaxBytes} says otherwise: 16 MiB. */
    public static final long DEFAULT_MAX_BYTES = 16L * 1024 * 1024;
    /** As a byte budget: none, only {@link #maxEvents()} bounds the read. */
    public static final long NO_BYTE_LIMIT = Long.MAX_VALUE;

    private final long from;
    private final Direction direction;
    private final int maxEvents;
    private final long maxBytes;
    private final boolean leaderConsistent;

    private ReadOptions(long from, Direction direction, int maxEvents, long maxBytes, boolean leaderConsistent) {
        this.from = checkFrom(from);
        this.direction = checkDirection(direction);
        this.maxEvents = checkMaxEvents(maxEvents);
        this.maxBytes = checkMaxBytes(maxBytes);
        this.leaderConsistent = leaderConsistent;
    }

    /** Forwards from version or position 0, with the default limits. */
    public static ReadOptions forward() {
        return from(0, Direction.FORWARD);
    }

    /** Backwards from the newest event ({@link EventStore#END}), with the default limits. */
    public static ReadOptions backward() {
        return from(EventStore.END, Direction.BACKWARD);
    }

    /**
     * From {@code from} (a version for a stream read, a position for a read of the whole store;
     * inclusive; {@link EventStore#END} for the newest) in {@code direction}, with the default limits.
     *
     * @throws InvalidRequestException if {@code from} is negative or {@code direction} null
     */
    public static ReadOptions from(long from, Direction direction) {
        return new ReadOptions(from, direction, DEFAULT_MAX_EVENTS, DEFAULT_MAX_BYTES, false);
    }

    /** These options starting at {@code from} instead; see {@link #from(long, Direction)}. */
    public ReadOptions withFrom(long newFrom) {
        return new ReadOptions(newFrom, direction, maxEvents, maxBytes, leaderConsistent);
    }

    /**
     * These options returning at most {@code events} events (1 to {@link Limits#MAX_READ_LIMIT}).
     *
     * @throws InvalidRequestException if {@code events} is out of that range
     */
    public ReadOptions withMaxEvents(int events) {
        return new ReadOptions(from, direction, events, maxBytes, leaderConsistent);
    }

    /**
     * These options with a byte budget of {@code bytes} (0 or more; 0 returns one event at most;
     * {@link #NO_BYTE_LIMIT} for none); see the class comment for what counts.
     *
     * @throws InvalidRequestException if {@code bytes} is negative
     */
    public ReadOptions withMaxBytes(long bytes) {
        return new ReadOptions(from, direction, maxEvents, bytes, leaderConsistent);
    }

    /** These options reading with leader consistency; see the class comment. */
    public ReadOptions withLeaderConsistency() {
        return new ReadOptions(from, direction, maxEvents, maxBytes, true);
    }

    /** These options with leader consistency as given; see the class comment. */
    public ReadOptions withLeaderConsistency(boolean consistent) {
        return new ReadOptions(from, direction, maxEvents, maxBytes, consistent);
    }

    /** The version or position the read starts at, inclusive; {@link EventStore#END} for the newest. */
    public long from() {
        return from;
    }

    public Direction direction() {
        return direction;
    }

    /** The most events the read returns, 1 to {@link Limits#MAX_READ_LIMIT}. */
    public int maxEvents() {
        return maxEvents;
    }

    /** The byte budget beyond the first event, 0 or more; {@link #NO_BYTE_LIMIT} for none. */
    public long maxBytes() {
        return maxBytes;
    }

    /** True when the read asks for leader consistency (see the class comment). */
    public boolean leaderConsistent() {
        return leaderConsistent;
    }

    /** What an event counts towards a byte budget: its data bytes plus its metadata bytes. */
    public static long sizeOf(RecordedEvent event) {
        return (long) event.dataSize() + event.metadataSize();
    }

    private static long checkFrom(long from) {
        if (from < 0) {
            throw new InvalidRequestException("read start must be >= 0 (or EventStore.END for the newest), was " + from);
        }
        return from;
    }

    private static Direction checkDirection(Direction direction) {
        if (direction == null) {
            throw new InvalidRequestException("read direction must not be null");
        }
        return direction;
    }

    private static int checkMaxEvents(int maxEvents) {
        if (maxEvents < 1 || maxEvents > Limits.MAX_READ_LIMIT) {
            throw new InvalidRequestException("read limit (max events) must be 1 to " + Limits.MAX_READ_LIMIT
                    + ", was " + maxEvents);
        }
        return maxEvents;
    }

    static long checkMaxBytes(long maxBytes) {
        if (maxBytes < 0) {
            throw new InvalidRequestException("read byte budget (max bytes) must be >= 0, was " + maxBytes);
        }
        return maxBytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReadOptions other && from == other.from && direction == other.direction
                && maxEvents == other.maxEvents && maxBytes == other.maxBytes
                && leaderConsistent == other.leaderConsistent;
    }

    @Override
    public int hashCode() {
        return Objects.hash(from, direction, maxEvents, maxBytes, leaderConsistent);
    }

    @Override
    public String toString() {
        return "ReadOptions[from=" + (from == EventStore.END ? "END" : Long.toString(from)) + ", direction="
                + direction + ", maxEvents=" + maxEvents + ", maxBytes="
                + (maxBytes == NO_BYTE_LIMIT ? "none" : Long.toString(maxBytes))
                + (leaderConsistent ? ", leaderConsistent" : "") + "]";
    }
}
