package io.rewind.api;

import java.util.Objects;

/**
 * An event delivered to a subscription, with the position of the event the same subscription
 * delivered just before it. The first event carries the position the subscription started after
 * (-1 from the beginning). A consumer that checks {@code previousPosition == lastPositionSeen} on
 * every event proves it missed nothing.
 *
 * <p>For a filtered subscription the positions between the two belong to events it does not match.
 * Checkpoint notices ({@link SubscriptionListener#onCheckpoint}) do not change the chain: the next
 * event still names the previous <em>event</em>. A consumer that resumes after a notice's position
 * starts a new chain there, its first event naming that position as the start point.
 *
 * @param event            the event
 * @param previousPosition the position of the subscription's previous event, or its start point
 */
public record SubscriptionEvent(RecordedEvent event, long previousPosition) {
    public SubscriptionEvent {
        Objects.requireNonNull(event, "event");
    }
}
