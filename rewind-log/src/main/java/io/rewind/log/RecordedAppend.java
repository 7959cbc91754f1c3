package io.rewind.log;

import io.rewind.api.RecordedEvent;
import java.util.List;

/**
 * One atomic append as a log stored it: its events, in order, with the positions, versions, ids
 * and timestamps they were stored with. The last event is the one the log marked as the end of
 * the append (the COMMIT flag); {@link LogEventStore#readAppends} only ever returns whole appends,
 * and {@link LogEventStore#appendRecorded} stores one as a whole or not at all.
 *
 * @param events the append's events, at least one, at consecutive positions
 */
public record RecordedAppend(List<RecordedEvent> events) {

    public RecordedAppend {
        events = List.copyOf(events);
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a recorded append holds at least one event");
        }
        for (int i = 1; i < events.size(); i++) {
            if (events.get(i).position() != events.get(i - 1).position() + 1) {
                throw new IllegalArgumentException("a recorded append's positions must be consecutive: "
                        + events.get(i - 1).position() + " is followed by " + events.get(i).position());
            }
        }
    }

    /** The position of the first event. */
    public long firstPosition() {
        return events.get(0).position();
    }

    /** The position of the last event. */
    public long lastPosition() {
        return events.get(events.size() - 1).position();
    }

    /** The number of events. */
    public int size() {
        return events.size();
    }
}
