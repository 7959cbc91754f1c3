package io.rewind.protocol.legacy;

import io.rewind.protocol.Frames;
import io.rewind.protocol.MalformedMessageException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A request of the GoRewind dialect (DEALER clients), without envelope or delimiter.
 * Immutable and thread-safe.
 */
public sealed interface GoRewindRequest {

    /** The frames of this request. */
    List<byte[]> toFrames();

    /** {@code ["PUBLISH", <stream>, <event bytes>]}. */
    record Publish(String stream, byte[] data) implements GoRewindRequest {
        public Publish {
            Objects.requireNonNull(stream, "stream");
            data = Objects.requireNonNull(data, "data").clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public List<byte[]> toFrames() {
            return List.of(Frames.text("PUBLISH"), Frames.text(stream), data.clone());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Publish other && stream.equals(other.stream) && Arrays.equals(data, other.data);
        }

        @Override
        public int hashCode() {
            return stream.hashCode() * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Publish[" + stream + ", " + data.length + " bytes]";
        }
    }

    /**
     * {@code ["QUERY", <stream>, <from>, <to>]}: events of one stream after {@code from}
     * (exclusive, null = from its first) up to {@code to} (inclusive, null = no bound).
     */
    record Query(String stream, UUID from, UUID to) implements GoRewindRequest {
        public Query {
            Objects.requireNonNull(stream, "stream");
        }

        @Override
        public List<byte[]> toFrames() {
            return List.of(Frames.text("QUERY"), Frames.text(stream),
                    from == null ? Frames.EMPTY : Frames.eventId(from),
                    to == null ? Frames.EMPTY : Frames.eventId(to));
        }
    }

    /**
     * Decodes a GoRewind request.
     *
     * @throws MalformedMessageException with GoRewind's wording for a wrong frame count, or naming
     *                                   the bad stream name or id
     */
    static GoRewindRequest decode(List<byte[]> frames) {
        if (frames.isEmpty() || frames.get(0).length == 0) {
            throw new MalformedMessageException("Empty command");
        }
        byte[] command = frames.get(0);
        if (Frames.is(command, "PUBLISH")) {
            requireCount(frames, 3, "PUBLISH");
            return new Publish(Frames.streamName(frames.get(1)), frames.get(2));
        }
        if (Frames.is(command, "QUERY")) {
            requireCount(frames, 4, "QUERY");
            return new Query(Frames.streamName(frames.get(1)),
                    Frames.parseOptionalEventId(frames.get(2), "from"),
                    Frames.parseOptionalEventId(frames.get(3), "to"));
        }
        throw new MalformedMessageException("Unknown request type");
    }

    private static void requireCount(List<byte[]> frames, int count, String command) {
        if (frames.size() != count) {
            throw new MalformedMessageException("Wrong number of frames for " + command + ".");
        }
    }
}
