package io.rewind.api;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where a subscription starts, which events it delivers, and how often a filtered subscription
 * reports its progress. Immutable and thread-safe; every method that narrows or changes it returns
 * a new request.
 *
 * <p>A subscription always starts <em>after</em> a position: after -1 (from the first event),
 * after a position the consumer saved (to resume), or after the store's head at the moment of
 * subscribing (only new events).
 *
 * <p>It follows one of three {@linkplain Scope scopes}: the whole store, one exact stream
 * ({@link #toStream}), or every stream whose name starts with a prefix ({@link #withStreamPrefix});
 * each may be narrowed to a set of event types ({@link #withTypes}). Events are delivered in global
 * order either way.
 *
 * <h2>Checkpoint notices</h2>
 * A filtered subscription skips the events it does not match, and the store tells the listener how
 * far it has got ({@link SubscriptionListener#onCheckpoint}) so the consumer can save that position
 * through a long stretch of skipped events and later resume with {@link #after(long)} without
 * missing an event it matches. A notice is due once {@link #checkpointEvents()} events have been
 * skipped since the last event or notice, or once {@link #checkpointInterval()} has passed since
 * then while at least one was skipped. The store sends it when it has finished the batch of events
 * it was scanning, with the position scanned so far, so one notice may cover more events than the
 * threshold. An unfiltered subscription skips nothing and never gets a notice.
 */
public final class SubscriptionRequest {

    /** How the start was given. */
    public enum Start { BEGINNING, AFTER, END }

    /** Which streams a subscription follows. */
    public enum Scope {
        /** Every stream of the store. */
        ALL,
        /** Exactly one stream: {@link #stream()}. */
        STREAM,
        /** Every stream whose name starts with {@link #streamPrefix()}. */
        PREFIX
    }

    /** The most skipped events before a notice is due, unless {@link #withCheckpoints} says otherwise. */
    public static final int DEFAULT_CHECKPOINT_EVENTS = 1_000;
    /** The longest time a skipping subscription goes without a notice, unless set otherwise. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(5);
    /** The largest checkpoint event threshold a request accepts. */
    public static final int MAX_CHECKPOINT_EVENTS = 1_000_000;
    /** The longest checkpoint interval a request accepts; the shortest is one millisecond. */
    public static final Duration MAX_CHECKPOINT_INTERVAL = Duration.ofHours(1);
    /** The most event types one request may name. */
    public static final int MAX_TYPES = 100;

    private final Start start;
    private final long afterPosition;
    private final Scope scope;
    /** The exact stream for STREAM, the prefix for PREFIX, "" for ALL. */
    private final String name;
    /** Sorted and unmodifiable; empty means every type. */
    private final Set<String> types;
    private final int checkpointEvents;
    private final Duration checkpointInterval;

    private SubscriptionRequest(Start start, long afterPosition, Scope scope, String name, Set<String> types,
            int checkpointEvents, Duration checkpointInterval) {
        this.start = start;
        this.afterPosition = afterPosition;
        this.scope = scope;
        this.name = name;
        this.types = types;
        this.checkpointEvents = checkpointEvents;
        this.checkpointInterval = checkpointInterval;
    }

    private static SubscriptionRequest starting(Start start, long afterPosition) {
        return new SubscriptionRequest(start, afterPosition, Scope.ALL, "", Set.of(), DEFAULT_CHECKPOINT_EVENTS,
                DEFAULT_CHECKPOINT_INTERVAL);
    }

    /** Every event of the store from the first one, then live. */
    public static SubscriptionRequest fromBeginning() {
        return starting(Start.BEGINNING, -1);
    }

    /**
     * Every event whose position is greater than {@code position}, then live.
     *
     * @throws InvalidRequestException if {@code position} is below -1
     */
    public static SubscriptionRequest after(long position) {
        return starting(Start.AFTER, checkPosition(position));
    }

    /** Only events appended after the subscription starts. */
    public static SubscriptionRequest fromEnd() {
        return starting(Start.END, -1);
    }

    /**
     * The same filter and checkpoint settings, starting after {@code position}: how a consumer (or a
     * client after a lost connection) resumes after the last event or notice it saw.
     *
     * @throws InvalidRequestException if {@code position} is below -1
     */
    public SubscriptionRequest resumeAfter(long position) {
        return new SubscriptionRequest(Start.AFTER, checkPosition(position), scope, name, types, checkpointEvents,
                checkpointInterval);
    }

    /**
     * The same start, delivering only events of exactly this stream ({@code account-1} does not
     * match {@code account-10}). Replaces any stream or prefix given before.
     *
     * @throws InvalidRequestException if the name is not a valid stream name ({@link Limits#checkStreamName})
     */
    public SubscriptionRequest toStream(String stream) {
        Limits.checkStreamName(stream);
        return new SubscriptionRequest(start, afterPosition, Scope.STREAM, stream, types, checkpointEvents,
                checkpointInterval);
    }

    /**
     * The same start, delivering only events of streams whose names start with {@code prefix}; ""
     * follows every stream. Replaces any stream or prefix given before.
     *
     * @throws InvalidRequestException if the prefix is null, not well-formed Unicode or over 255 bytes
     */
    public SubscriptionRequest withStreamPrefix(String prefix) {
        Limits.checkStreamPrefix(prefix);
        return prefix.isEmpty()
                ? new SubscriptionRequest(start, afterPosition, Scope.ALL, "", types, checkpointEvents, checkpointInterval)
                : new SubscriptionRequest(start, afterPosition, Scope.PREFIX, prefix, types, checkpointEvents,
                        checkpointInterval);
    }

    /**
     * The same request, delivering only events whose type is one of {@code types} (within the
     * streams it follows). Replaces any types given before.
     *
     * @throws InvalidRequestException if the array or a type is null, no type is given, a type is not
     *                                 a valid event type ({@link Limits#checkType}), or there are more
     *                                 than {@link #MAX_TYPES}
     */
    public SubscriptionRequest withTypes(String... types) {
        if (types == null) {
            throw new InvalidRequestException("event types must not be null");
        }
        return withTypes(Arrays.asList(types));
    }

    /** {@link #withTypes(String...)} from a collection. */
    public SubscriptionRequest withTypes(Collection<String> types) {
        if (types == null) {
            throw new InvalidRequestException("event types must not be null");
        }
        if (types.isEmpty()) {
            throw new InvalidRequestException("event types must name at least one type"
                    + " (leave them out to receive every type)");
        }
        Set<String> checked = new TreeSet<>();
        for (String type : types) {
            Limits.checkType(type);
            checked.add(type);
        }
        if (checked.size() > MAX_TYPES) {
            throw new InvalidRequestException("a subscription may name at most " + MAX_TYPES + " event types, got "
                    + checked.size());
        }
        return new SubscriptionRequest(start, afterPosition, scope, name, Collections.unmodifiableSet(checked),
                checkpointEvents, checkpointInterval);
    }

    /**
     * The same request with other checkpoint thresholds: a notice is due after {@code everyEvents}
     * skipped events, or {@code interval} after the last event or notice while skipping.
     *
     * @throws InvalidRequestException if {@code everyEvents} is not 1 to {@link #MAX_CHECKPOINT_EVENTS},
     *                                 or {@code interval} is null or not 1 ms to {@link #MAX_CHECKPOINT_INTERVAL}
     */
    public SubscriptionRequest withCheckpoints(int everyEvents, Duration interval) {
        if (everyEvents < 1 || everyEvents > MAX_CHECKPOINT_EVENTS) {
            throw new InvalidRequestException("checkpoint events must be 1 to " + MAX_CHECKPOINT_EVENTS + ", was "
                    + everyEvents);
        }
        if (interval == null) {
            throw new InvalidRequestException("checkpoint interval must not be null");
        }
        if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(MAX_CHECKPOINT_INTERVAL) > 0) {
            throw new InvalidRequestException("checkpoint interval must be 1 ms to " + MAX_CHECKPOINT_INTERVAL.toMinutes()
                    + " min, was " + interval);
        }
        return new SubscriptionRequest(start, afterPosition, scope, name, types, everyEvents, interval);
    }

    private static long checkPosition(long position) {
        if (position < -1) {
            throw new InvalidRequestException("subscription start position must be >= -1, was " + position);
        }
        return position;
    }

    public Start start() {
        return start;
    }

    /** The position the subscription starts after, for {@link Start#AFTER} (-1 for BEGINNING and END). */
    public long afterPosition() {
        return afterPosition;
    }

    /** Which streams it follows. */
    public Scope scope() {
        return scope;
    }

    /** The exact stream, for {@link Scope#STREAM}; empty otherwise. */
    public Optional<String> stream() {
        return scope == Scope.STREAM ? Optional.of(name) : Optional.empty();
    }

    /** The stream-name prefix, for {@link Scope#PREFIX}; empty otherwise. */
    public Optional<String> streamPrefix() {
        return scope == Scope.PREFIX ? Optional.of(name) : Optional.empty();
    }

    /** The event types it delivers, sorted; empty when it delivers every type. */
    public Set<String> types() {
        return types;
    }

    /** Whether it may skip events (it follows less than the whole store), and so sends checkpoint notices. */
    public boolean isFiltered() {
        return scope != Scope.ALL || !types.isEmpty();
    }

    /** Skipped events after which a checkpoint notice is due. */
    public int checkpointEvents() {
        return checkpointEvents;
    }

    /** Time after the last event or notice after which a notice is due while events are skipped. */
    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    /** Whether this request delivers {@code event}. */
    public boolean matches(RecordedEvent event) {
        return matchesStream(event.stream()) && (types.isEmpty() || types.contains(event.type()));
    }

    private boolean matchesStream(String stream) {
        return switch (scope) {
            case ALL -> true;
            case STREAM -> stream.equals(name);
            case PREFIX -> stream.startsWith(name);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SubscriptionRequest other && start == other.start
                && afterPosition == other.afterPosition && scope == other.scope && name.equals(other.name)
                && types.equals(other.types) && checkpointEvents == other.checkpointEvents
                && checkpointInterval.equals(other.checkpointInterval);
    }

    @Override
    public int hashCode() {
        return Objects.hash(start, afterPosition, scope, name, types, checkpointEvents, checkpointInterval);
    }

    @Override
    public String toString() {
        String from = switch (start) {
            case BEGINNING -> "beginning";
            case AFTER -> "after " + afterPosition;
            case END -> "end";
        };
        StringBuilder text = new StringBuilder("SubscriptionRequest[from ").append(from);
        switch (scope) {
            case STREAM -> text.append(", stream '").append(name).append('\'');
            case PREFIX -> text.append(", prefix '").append(name).append('\'');
            case ALL -> { }
        }
        if (!types.isEmpty()) {
            text.append(", types ").append(types);
        }
        if (isFiltered()) {
            text.append(", checkpoint every ").append(checkpointEvents).append(" events or ")
                    .append(checkpointInterval.toMillis()).append(" ms");
        }
        return text.append(']').toString();
    }
}
