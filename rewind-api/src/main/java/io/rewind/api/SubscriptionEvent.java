package io.rewind.api;

import java.util.Objects;

/**
 * An event delivered to a subscription, with the position the same subscription reported just
 * before it: that of its previous event, or of its last checkpoint notice
 * ({@link SubscriptionListener#onCheckpoint}) if one came after that event, or the position it
 * started after (-1 from the beginning) for the first. For a filtered subscription the gap between
 * the two holds only events it does not match. A consumer that checks
 * {@code previousPosition == lastPositionSeen} on every event (counting notices as seen) proves it
 * missed nothing.
 *
 * @param event            the event
 * @param previousPosition the position of the subscription's previous event or notice, or its start point
 */
public record SubscriptionEvent(RecordedEvent event, long previousPosition) {
    public SubscriptionEvent {
        Objects.requireNonNull(event, "event");
    }
}
