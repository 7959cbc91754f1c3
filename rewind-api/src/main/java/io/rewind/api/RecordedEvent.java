package io.rewind.api;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * An event as the store recorded it.
 *
 * <p>{@code version} counts from 0 within its stream. {@code position} is the event's place in the
 * global order of the whole store: positions strictly increase with the order in which events were
 * committed, and start at 0. Timestamps never decrease along the global order (the store clamps a
 * clock that steps back), which is what makes {@link EventStore#firstPositionAtOrAfter} exact.
 *
 * <p>Immutable and thread-safe: the byte arrays are copied on the way in and on the way out;
 * {@link #dataEquals} and {@link #dataSize} avoid the copy.
 */
public record RecordedEvent(
        String stream,
        long version,
        long position,
        UUID id,
        String type,
        Instant timestamp,
        byte[] data,
        byte[] metadata) {

    public RecordedEvent {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(metadata, "metadata");
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, was " + version);
        }
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, was " + position);
        }
        data = data.clone();
        metadata = metadata.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public byte[] metadata() {
        return metadata.clone();
    }

    public int dataSize() {
        return data.length;
    }

    public int metadataSize() {
        return metadata.length;
    }

    public boolean dataEquals(byte[] other) {
        return Arrays.equals(data, other);
    }

    public boolean metadataEquals(byte[] other) {
        return Arrays.equals(metadata, other);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordedEvent other
                && version == other.version
                && position == other.position
                && stream.equals(other.stream)
                && id.equals(other.id)
                && type.equals(other.type)
                && timestamp.equals(other.timestamp)
                && Arrays.equals(data, other.data)
                && Arrays.equals(metadata, other.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stream, version, position, id);
    }

    @Override
    public String toString() {
        return "RecordedEvent[stream=" + stream + ", version=" + version + ", position=" + position
                + ", id=" + id + ", type=" + type + ", timestamp=" + timestamp
                + ", data=" + data.length + " bytes, metadata=" + metadata.length + " bytes]";
    }
}
