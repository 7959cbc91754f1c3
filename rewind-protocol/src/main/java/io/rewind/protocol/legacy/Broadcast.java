package io.rewind.protocol.legacy;

import io.rewind.protocol.Frames;
import io.rewind.protocol.MalformedMessageException;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The two PUB formats. Immutable and thread-safe.
 *
 * <ul>
 *   <li>{@link StreamMessage}, on the stream endpoint (GoRewind's): {@code [stream, id, data]}, so a
 *       SUB filters by stream-name prefix.</li>
 *   <li>{@link LegacyMessage}, on the legacy stream endpoint (Rewind's):
 *       {@code [id, previous id, data]}, in global order; the previous id is empty for the very
 *       first event of the store.</li>
 * </ul>
 */
public final class Broadcast {

    private Broadcast() {
    }

    /** {@code [stream, event id, data]}. */
    public record StreamMessage(String stream, LegacyEvent event) {
        public StreamMessage {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(event, "event");
        }

        public List<byte[]> toFrames() {
            return List.of(Frames.text(stream), Frames.eventId(event.id()), event.data());
        }

        /** @throws MalformedMessageException if the frames are not such a message */
        public static StreamMessage decode(List<byte[]> frames) {
            Frames.requireCount(frames, 3, "a stream broadcast");
            return new StreamMessage(Frames.streamName(frames.get(0)),
                    new LegacyEvent(Frames.parseEventId(frames.get(1), "event id"), frames.get(2)));
        }
    }

    /** {@code [event id, previous id, data]}; {@code previousId} is null for the store's first event. */
    public record LegacyMessage(LegacyEvent event, UUID previousId) {
        public LegacyMessage {
            Objects.requireNonNull(event, "event");
        }

        public List<byte[]> toFrames() {
            return List.of(Frames.eventId(event.id()),
                    previousId == null ? Frames.EMPTY : Frames.eventId(previousId), event.data());
        }

        /** @throws MalformedMessageException if the frames are not such a message */
        public static LegacyMessage decode(List<byte[]> frames) {
            Frames.requireCount(frames, 3, "a legacy broadcast");
            return new LegacyMessage(new LegacyEvent(Frames.parseEventId(frames.get(0), "event id"), frames.get(2)),
                    Frames.parseOptionalEventId(frames.get(1), "previous id"));
        }
    }
}
