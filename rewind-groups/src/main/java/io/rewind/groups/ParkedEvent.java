package io.rewind.groups;

import io.rewind.api.RecordedEvent;
import java.util.Objects;

/**
 * An event the group gave up on (after its last retry, or a nack with park), waiting in the parked
 * list for an operator to inspect it and replay it. Immutable.
 *
 * @param event    the event
 * @param attempts how many times it was delivered before it was parked (0 if it never was)
 * @param reason   why it was parked, for people
 */
public record ParkedEvent(RecordedEvent event, int attempts, String reason) {

    public ParkedEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(reason, "reason");
    }

    public long position() {
        return event.position();
    }
}
