package io.rewind.protocol.legacy;

import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * An event as the legacy dialects show it: an id and opaque bytes. Immutable and thread-safe.
 */
public record LegacyEvent(UUID id, byte[] data) {
    public LegacyEvent {
        Objects.requireNonNull(id, "id");
        data = Objects.requireNonNull(data, "data").clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LegacyEvent other && id.equals(other.id) && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return id.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "LegacyEvent[" + id + ", " + data.length + " bytes]";
    }
}
