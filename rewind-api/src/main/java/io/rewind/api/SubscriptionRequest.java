package io.rewind.api;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a subscription starts and which events it delivers. Immutable and thread-safe.
 *
 * <p>A subscription always starts <em>after</em> a position: after -1 (from the first event),
 * after a position the consumer saved (to resume), or after the store's head at the moment of
 * subscribing (only new events).
 */
public final class SubscriptionRequest {

    /** How the start was given. */
    public enum Start { BEGINNING, AFTER, END }

    private final Start start;
    private final long afterPosition;
    private final String streamPrefix;

    private SubscriptionRequest(Start start, long afterPosition, String streamPrefix) {
        this.start = start;
        this.afterPosition = afterPosition;
        this.streamPrefix = streamPrefix;
    }

    /** Every event of the store from the first one, then live. */
    public static SubscriptionRequest fromBeginning() {
        return new SubscriptionRequest(Start.BEGINNING, -1, null);
    }

    /** Every event whose position is greater than {@code position}, then live. */
    public static SubscriptionRequest after(long position) {
        if (position < -1) {
            throw new IllegalArgumentException("position must be >= -1, was " + position);
        }
        return new SubscriptionRequest(Start.AFTER, position, null);
    }

    /** Only events appended after the subscription starts. */
    public static SubscriptionRequest fromEnd() {
        return new SubscriptionRequest(Start.END, -1, null);
    }

    /** The same start, delivering only events of streams whose names start with {@code prefix}. */
    public SubscriptionRequest withStreamPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        return new SubscriptionRequest(start, afterPosition, prefix.isEmpty() ? null : prefix);
    }

    public Start start() {
        return start;
    }

    /** The position the subscription starts after, for {@link Start#AFTER} (-1 for BEGINNING). */
    public long afterPosition() {
        return afterPosition;
    }

    /** The stream-name prefix, empty when every stream is delivered. */
    public Optional<String> streamPrefix() {
        return Optional.ofNullable(streamPrefix);
    }

    /** Whether an event of {@code stream} passes this request's filter. */
    public boolean matches(String stream) {
        return streamPrefix == null || stream.startsWith(streamPrefix);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SubscriptionRequest other && start == other.start
                && afterPosition == other.afterPosition && Objects.equals(streamPrefix, other.streamPrefix);
    }

    @Override
    public int hashCode() {
        return Objects.hash(start, afterPosition, streamPrefix);
    }

    @Override
    public String toString() {
        String from = switch (start) {
            case BEGINNING -> "beginning";
            case AFTER -> "after " + afterPosition;
            case END -> "end";
        };
        return "SubscriptionRequest[from " + from + (streamPrefix == null ? "" : ", prefix '" + streamPrefix + "'") + "]";
    }
}
