package io.rewind.protocol.legacy;

import io.rewind.protocol.Frames;
import io.rewind.protocol.MalformedMessageException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A request of the original Rewind dialect (REQ clients), without envelope or delimiter.
 * Immutable and thread-safe.
 */
public sealed interface RewindRequest {

    /** The frames of this request. */
    List<byte[]> toFrames();

    /** {@code ["PUBLISH", <event bytes>]}: append to the server's default stream. */
    record Publish(byte[] data) implements RewindRequest {
        public Publish {
            data = Objects.requireNonNull(data, "data").clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public List<byte[]> toFrames() {
            return List.of(Frames.text("PUBLISH"), data.clone());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Publish other && Arrays.equals(data, other.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Publish[" + data.length + " bytes]";
        }
    }

    /**
     * {@code ["QUERY", <from>, <to>]}: events after {@code from} (exclusive, null = from the first)
     * up to {@code to} (inclusive, null = no bound), over all streams in global order.
     */
    record Query(UUID from, UUID to) implements RewindRequest {
        @Override
        public List<byte[]> toFrames() {
            return List.of(Frames.text("QUERY"), optionalId(from), optionalId(to));
        }
    }

    /**
     * Decodes a Rewind request.
     *
     * @throws MalformedMessageException if the frames are not one
     */
    static RewindRequest decode(List<byte[]> frames) {
        if (frames.isEmpty()) {
            throw new MalformedMessageException("Empty command");
        }
        byte[] command = frames.get(0);
        if (Frames.is(command, "PUBLISH")) {
            Frames.requireCount(frames, 2, "PUBLISH");
            return new Publish(frames.get(1));
        }
        if (Frames.is(command, "QUERY")) {
            Frames.requireCount(frames, 3, "QUERY");
            return new Query(Frames.parseOptionalEventId(frames.get(1), "from"),
                    Frames.parseOptionalEventId(frames.get(2), "to"));
        }
        throw new MalformedMessageException("Unknown request type");
    }

    private static byte[] optionalId(UUID id) {
        return id == null ? Frames.EMPTY : Frames.eventId(id);
    }
}
