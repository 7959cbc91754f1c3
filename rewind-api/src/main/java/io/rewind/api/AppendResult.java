package io.rewind.api;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What an append stored: one entry per event, in the order of the request.
 * A retried append (every event id already stored) returns the original entries.
 * Immutable and thread-safe.
 *
 * @param events the stored place of each event, in request order (never empty)
 */
public record AppendResult(List<Written> events) {

    /** Where one event was stored. */
    public record Written(String stream, long version, long position, UUID id) {
        public Written {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(id, "id");
        }
    }

    public AppendResult {
        events = List.copyOf(events);
        if (events.isEmpty()) {
            throw new IllegalArgumentException("an append result holds at least one event");
        }
    }

    /** The global position of the first event written. */
    public long firstPosition() {
        return events.get(0).position();
    }

    /** The global position of the last event written. */
    public long lastPosition() {
        return events.get(events.size() - 1).position();
    }

    /**
     * The version of the last event written to {@code stream}: the expected version for the next
     * append to it.
     *
     * @throws IllegalArgumentException if this append did not write to {@code stream}
     */
    public long lastVersion(String stream) {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i).stream().equals(stream)) {
                return events.get(i).version();
            }
        }
        throw new IllegalArgumentException("this append did not write to stream '" + stream + "'");
    }
}
