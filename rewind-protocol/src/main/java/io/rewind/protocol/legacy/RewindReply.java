package io.rewind.protocol.legacy;

import io.rewind.protocol.Frames;
import io.rewind.protocol.MalformedMessageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A reply of the original Rewind dialect: always exactly one message. Immutable and thread-safe.
 */
public sealed interface RewindReply {

    /** The most events one QUERY reply carries; a full page has no END and the client asks again. */
    int PAGE_SIZE = 100;

    /** The frames of this reply (after the envelope and delimiter). */
    List<byte[]> toFrames();

    /** {@code ["PUBLISHED"]}. */
    record Published() implements RewindReply {
        @Override
        public List<byte[]> toFrames() {
            return List.of(Frames.text("PUBLISHED"));
        }
    }

    /**
     * {@code [id1, data1, …, idN, dataN]} followed by {@code END} when {@code end} is true: the
     * answer to a QUERY.
     */
    record Page(List<LegacyEvent> events, boolean end) implements RewindReply {
        public Page {
            events = List.copyOf(events);
        }

        @Override
        public List<byte[]> toFrames() {
            List<byte[]> frames = new ArrayList<>(events.size() * 2 + 1);
            for (LegacyEvent event : events) {
                frames.add(Frames.eventId(event.id()));
                frames.add(event.data());
            }
            if (end) {
                frames.add(Frames.text("END"));
            }
            return frames;
        }
    }

    /** {@code ["ERROR <reason>"]}. */
    record Error(String reason) implements RewindReply {
        public Error {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public List<byte[]> toFrames() {
            return List.of(Frames.error(reason));
        }
    }

    /**
     * Decodes a Rewind reply. A one-frame reply is {@code PUBLISHED}, {@code END} (an empty page)
     * or an error; an even number of frames is a full page; an odd number is a page ending in END.
     *
     * @throws MalformedMessageException if the frames are none of these
     */
    static RewindReply decode(List<byte[]> frames) {
        if (frames.size() == 1) {
            byte[] only = frames.get(0);
            if (Frames.is(only, "PUBLISHED")) {
                return new Published();
            }
            String reason = Frames.errorReason(only);
            if (reason != null) {
                return new Error(reason);
            }
        }
        boolean end = frames.size() % 2 == 1;
        if (frames.isEmpty() || end && !Frames.is(frames.get(frames.size() - 1), "END")) {
            throw new MalformedMessageException("not a Rewind reply: " + frames.size() + " frames");
        }
        List<LegacyEvent> events = new ArrayList<>(frames.size() / 2);
        for (int i = 0; i + 1 < frames.size(); i += 2) {
            events.add(new LegacyEvent(Frames.parseEventId(frames.get(i), "event id"), frames.get(i + 1)));
        }
        return new Page(events, end);
    }
}
