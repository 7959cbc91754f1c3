package io.rewind.api;

import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * An event a writer proposes to append.
 *
 * <p>The {@code id} is the client's idempotency key: appending again an event whose id is already
 * stored returns the original result instead of storing a duplicate. When it is {@code null} the
 * store assigns a fresh random id, and such an event can never be recognised as a retry.
 *
 * <p>Instances are immutable: the byte arrays are copied on the way in and on the way out.
 * Thread-safe.
 *
 * @param id       the event id, or {@code null} to let the store choose one
 * @param type     the event type, {@code ""} when the writer has none; at most
 *                 {@link Limits#MAX_TYPE_BYTES} bytes of UTF-8
 * @param data     the payload, opaque bytes of any length (0 included)
 * @param metadata opaque metadata bytes, empty when there is none
 */
public record EventData(UUID id, String type, byte[] data, byte[] metadata) {

    private static final byte[] EMPTY = new byte[0];

    public EventData {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        data = data.clone();
        metadata = metadata == null ? EMPTY : metadata.clone();
    }

    /** An event with a store-assigned id and no metadata. */
    public static EventData of(String type, byte[] data) {
        return new EventData(null, type, data, EMPTY);
    }

    /** An event with a client-chosen id (the idempotency key) and no metadata. */
    public static EventData of(UUID id, String type, byte[] data) {
        return new EventData(id, type, data, EMPTY);
    }

    /** A copy of this event with the given id. */
    public EventData withId(UUID newId) {
        return new EventData(newId, type, data, metadata);
    }

    /** A copy of this event with the given metadata. */
    public EventData withMetadata(byte[] newMetadata) {
        return new EventData(id, type, data, newMetadata);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public byte[] metadata() {
        return metadata.clone();
    }

    /** The payload size in bytes, without copying it. */
    public int dataSize() {
        return data.length;
    }

    /** The metadata size in bytes, without copying it. */
    public int metadataSize() {
        return metadata.length;
    }

    /** True when type, data and metadata equal those of {@code event} (the id is not compared). */
    public boolean sameContentAs(RecordedEvent event) {
        return type.equals(event.type())
                && event.dataEquals(data)
                && event.metadataEquals(metadata);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventData other
                && Objects.equals(id, other.id)
                && type.equals(other.type)
                && Arrays.equals(data, other.data)
                && Arrays.equals(metadata, other.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, type, Arrays.hashCode(data), Arrays.hashCode(metadata));
    }

    @Override
    public String toString() {
        return "EventData[id=" + id + ", type=" + type + ", data=" + data.length
                + " bytes, metadata=" + metadata.length + " bytes]";
    }
}
