package io.rewind.api;

import java.util.Objects;

/**
 * What the store knows of one stream. Immutable and thread-safe.
 *
 * @param stream        the stream name
 * @param headVersion   the version of its last event (its event count minus one)
 * @param firstPosition the global position of its first event
 * @param lastPosition  the global position of its last event
 */
public record StreamInfo(String stream, long headVersion, long firstPosition, long lastPosition) {
    public StreamInfo {
        Objects.requireNonNull(stream, "stream");
    }

    /** The number of events in the stream. */
    public long eventCount() {
        return headVersion + 1;
    }
}
