package io.rewind.groups;

import io.rewind.api.RecordedEvent;
import java.time.Instant;
import java.util.Objects;

/**
 * One hand-out of an event to a consumer. The consumer settles it by its {@code id} (ack or nack)
 * before {@code deadline}, or the group counts it as failed. Immutable.
 *
 * @param id       unique within the group for the dispatcher's life, increasing from 1
 * @param consumer the consumer holding it
 * @param event    the event
 * @param attempt  1 for the first delivery of the event, 2 for the first retry, and so on (counted
 *                 again from 1 after a replay from the parked list)
 * @param replay   whether the event came from the parked list by a replay
 * @param deadline when the delivery times out
 */
public record Delivery(long id, String consumer, RecordedEvent event, int attempt, boolean replay, Instant deadline) {

    public Delivery {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(deadline, "deadline");
    }
}
