package io.rewind.protocol.legacy;

import io.rewind.protocol.Frames;
import io.rewind.protocol.MalformedMessageException;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One reply message of the GoRewind dialect. A PUBLISH gets one {@link Published} (or an
 * {@link Error}); a QUERY gets one {@link Event} message per event and then {@link End} (or a
 * single {@link Error}). Immutable and thread-safe.
 */
public sealed interface GoRewindReply {

    /** The frames of this message (after the envelope; GoRewind replies carry no delimiter). */
    List<byte[]> toFrames();

    /** {@code ["PUBLISHED", <event id>]}. */
    record Published(UUID id) implements GoRewindReply {
        public Published {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public List<byte[]> toFrames() {
            return List.of(Frames.text("PUBLISHED"), Frames.eventId(id));
        }
    }

    /** {@code ["EVENT", <event id>, <data>]}. */
    record Event(LegacyEvent event) implements GoRewindReply {
        public Event {
            Objects.requireNonNull(event, "event");
        }

        @Override
        public List<byte[]> toFrames() {
            return List.of(Frames.text("EVENT"), Frames.eventId(event.id()), event.data());
        }
    }

    /** {@code ["END"]}: the last message of a QUERY reply. */
    record End() implements GoRewindReply {
        @Override
        public List<byte[]> toFrames() {
            return List.of(Frames.text("END"));
        }
    }

    /** {@code ["ERROR <reason>"]}. */
    record Error(String reason) implements GoRewindReply {
        public Error {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public List<byte[]> toFrames() {
            return List.of(Frames.error(reason));
        }
    }

    /**
     * Decodes one GoRewind reply message.
     *
     * @throws MalformedMessageException if it is none of the four
     */
    static GoRewindReply decode(List<byte[]> frames) {
        if (frames.isEmpty()) {
            throw new MalformedMessageException("empty GoRewind reply");
        }
        byte[] first = frames.get(0);
        if (Frames.is(first, "PUBLISHED") && frames.size() == 2) {
            return new Published(Frames.parseEventId(frames.get(1), "event id"));
        }
        if (Frames.is(first, "EVENT") && frames.size() == 3) {
            return new Event(new LegacyEvent(Frames.parseEventId(frames.get(1), "event id"), frames.get(2)));
        }
        if (Frames.is(first, "END") && frames.size() == 1) {
            return new End();
        }
        if (frames.size() == 1) {
            String reason = Frames.errorReason(first);
            if (reason != null) {
                return new Error(reason);
            }
        }
        throw new MalformedMessageException("not a GoRewind reply: '" + Frames.printable(first) + "' ("
                + frames.size() + " frames)");
    }
}
