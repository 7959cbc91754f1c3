package io.rewind.bench;

import io.rewind.api.AppendRequest;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.protocol.Frames;
import io.rewind.protocol.MalformedMessageException;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.legacy.GoRewindRequest;
import io.rewind.protocol.legacy.RewindRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The three ways a client can publish to a Rewind server (docs/PROTOCOL.md): the Rewind dialect's
 * {@code PUBLISH} (to the server's default stream), the GoRewind dialect's {@code PUBLISH} (to a
 * named stream) and Rewind's own {@code APPEND}. All are sent from a DEALER with the empty
 * delimiter first, so a client can keep a window of requests in flight. Only {@code APPEND}
 * replies carry the request id; the legacy replies are matched oldest first.
 */
enum PublishDialect {
    REWIND, GOREWIND, NATIVE;

    /**
     * Parses {@code rewind}, {@code gorewind} or {@code native}.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    static PublishDialect parse(String text) {
        for (PublishDialect dialect : values()) {
            if (dialect.name().toLowerCase(Locale.ROOT).equals(text)) {
                return dialect;
            }
        }
        throw new IllegalArgumentException("--dialect: '" + text + "' is not one of rewind, gorewind, native");
    }

    /** Whether replies carry the request id (else they are matched oldest first). */
    boolean repliesCarryId() {
        return this == NATIVE;
    }

    /**
     * The messages of one client publishing {@code batch} events of {@code payload} per request to
     * {@code stream} (ignored by the Rewind dialect, which writes the default stream).
     */
    Messages messages(String stream, byte[] payload, int batch) {
        if (this != NATIVE && batch != 1) {
            throw new IllegalArgumentException("--batch above 1 needs --dialect native: " + this
                    + " PUBLISH carries one event");
        }
        List<byte[]> body = switch (this) {
            case REWIND -> new RewindRequest.Publish(payload).toFrames();
            case GOREWIND -> new GoRewindRequest.Publish(stream, payload).toFrames();
            case NATIVE -> new CommandRequest.Append(0, AppendRequest.to(stream, ExpectedVersion.any(),
                    Collections.nCopies(batch, EventData.of(AppendCommand.EVENT_TYPE, payload)))).toFrames();
        };
        List<byte[]> template = new ArrayList<>(body.size() + 1);
        template.add(Dealer.DELIMITER);
        template.addAll(body);
        return new Messages(this, List.copyOf(template), batch);
    }

    /**
     * One client's requests (encoded once; only the request id changes) and the reading of their
     * replies. Immutable; the request lists it returns are fresh.
     */
    static final class Messages {
        /** What {@link #replyTo} returns for a legacy reply: it answers the oldest request. */
        static final long OLDEST = -1;
        /** The frame of a native APPEND that holds the request id (after the delimiter and name). */
        private static final int ID_FRAME = 2;

        private final PublishDialect dialect;
        private final List<byte[]> template;
        private final int eventsPerRequest;

        private Messages(PublishDialect dialect, List<byte[]> template, int eventsPerRequest) {
            this.dialect = dialect;
            this.template = template;
            this.eventsPerRequest = eventsPerRequest;
        }

        int eventsPerRequest() {
            return eventsPerRequest;
        }

        /** The frames of one request with this id (the legacy dialects carry none). */
        List<byte[]> request(long requestId) {
            if (dialect != NATIVE) {
                return template;
            }
            List<byte[]> frames = new ArrayList<>(template);
            frames.set(ID_FRAME, ByteBuffer.allocate(Long.BYTES).putLong(requestId).array());
            return frames;
        }

        /**
         * The request a reply answers: its id for APPENDED, {@link #OLDEST} for a legacy PUBLISHED.
         *
         * @throws BenchException for an error reply or a message that is no reply to a publish
         */
        long replyTo(List<byte[]> frames) {
            switch (dialect) {
                case REWIND:
                    if (frames.size() == 2 && frames.get(0).length == 0 && Frames.is(frames.get(1), "PUBLISHED")) {
                        return OLDEST;
                    }
                    break;
                case GOREWIND:
                    if (frames.size() == 2 && Frames.is(frames.get(0), "PUBLISHED")) {
                        return OLDEST;
                    }
                    break;
                default:
                    if (frames.size() > 2 && frames.get(0).length == 0 && Frames.is(frames.get(1), "APPENDED")) {
                        return ByteBuffer.wrap(frames.get(ID_FRAME)).getLong();
                    }
                    break;
            }
            throw new BenchException("the server refused a publish: " + describe(frames));
        }

        private String describe(List<byte[]> frames) {
            int first = frames.isEmpty() || frames.get(0).length > 0 ? 0 : 1;
            if (dialect == NATIVE && frames.size() > first) {
                try {
                    if (CommandReply.decode(frames.subList(first, frames.size())) instanceof CommandReply.Error error) {
                        return error.code() + " " + error.reason();
                    }
                } catch (MalformedMessageException e) {
                    // described frame by frame below
                }
            }
            StringBuilder text = new StringBuilder();
            for (byte[] frame : frames.subList(first, frames.size())) {
                text.append(text.length() == 0 ? "[" : ", ").append(Frames.printable(frame));
            }
            return text.append(']').toString();
        }
    }
}
