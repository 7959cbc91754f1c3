package io.rewind.protocol.command;

import io.rewind.api.AppendResult;
import io.rewind.api.ErrorCode;
import io.rewind.protocol.BinaryReader;
import io.rewind.protocol.BinaryWriter;
import io.rewind.protocol.Frames;
import io.rewind.protocol.MalformedMessageException;
import io.rewind.api.RecordedEvent;
import io.rewind.protocol.RecordCodec;
import io.rewind.protocol.RecordLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Decodes {@link CommandReply}s and encodes their records. Stateless and thread-safe. */
final class ReplyCodec {

    private ReplyCodec() {
    }

    /** short text stream, i64 version, i64 position, uuid id. */
    static final RecordLayout<AppendResult.Written> WRITTEN = new RecordLayout<>() {
        @Override
        public int size(AppendResult.Written written) {
            return RecordCodec.shortTextSize(written.stream()) + 4 * Long.BYTES;
        }

        @Override
        public void write(BinaryWriter out, AppendResult.Written written) {
            out.shortText(written.stream()).i64(written.version()).i64(written.position()).uuid(written.id());
        }
    };

    static AppendResult.Written written(BinaryReader in) {
        return new AppendResult.Written(in.shortText("stream name"), in.i64(), in.i64(), in.uuid());
    }

    static CommandReply decode(List<byte[]> frames) {
        if (frames.size() < 2) {
            throw new MalformedMessageException("a reply has at least 2 frames, got " + frames.size());
        }
        byte[] name = frames.get(0);
        if (Frames.is(name, "ERROR")) {
            return error(frames);
        }
        long id = RequestIds.decode(frames.get(1));
        List<byte[]> rest = frames.subList(2, frames.size());
        String word = Frames.utf8(name, "reply name");
        switch (word) {
            case "APPENDED":
                List<AppendResult.Written> written = RecordCodec.unpack(rest, "written event", ReplyCodec::written);
                if (written.isEmpty()) {
                    throw new MalformedMessageException("APPENDED carries no event");
                }
                return new CommandReply.Appended(id, new AppendResult(written));
            case "EVENTS":
                requireAtLeast(frames, 3, word);
                return new CommandReply.Events(id,
                        RecordCodec.unpack(rest.subList(1, rest.size()), "event", RecordCodec::recordedEvent),
                        Frames.is(rest.get(0), "1"), cut(rest.get(0)));
            case "POSITION":
                Frames.requireCount(frames, 3, word);
                return new CommandReply.Position(id, Frames.parseDecimal(rest.get(0), "position"));
            case "STREAMS":
                requireAtLeast(frames, 3, word);
                String next = Frames.utf8(rest.get(0), "next after");
                return new CommandReply.Streams(id,
                        RecordCodec.unpack(rest.subList(1, rest.size()), "stream", RecordCodec::streamInfo),
                        next.isEmpty() ? Optional.empty() : Optional.of(next));
            case "SUBSCRIBED":
                Frames.requireCount(frames, 3, word);
                return new CommandReply.Subscribed(id, Frames.parseDecimal(rest.get(0), "start position"));
            case "DELIVER":
                requireAtLeast(frames, 3, word);
                return new CommandReply.Delivery(id, RecordCodec.unpack(rest, "event", RecordCodec::subscriptionEvent));
            case "CHECKPOINT":
                Frames.requireCount(frames, 3, word);
                return new CommandReply.Checkpoint(id, Frames.parseDecimal(rest.get(0), "checkpoint position"));
            case "CAUGHT_UP":
                Frames.requireCount(frames, 2, word);
                return new CommandReply.CaughtUp(id);
            case "CANCELLED":
                Frames.requireCount(frames, 2, word);
                return new CommandReply.Cancelled(id);
            case "PONG":
                Frames.requireCount(frames, 2, word);
                return new CommandReply.Pong(id);
            case "GROUP_DELIVER": {
                requireAtLeast(frames, 6, word);
                List<RecordedEvent> events = RecordCodec.unpack(rest.subList(3, rest.size()), "event",
                        RecordCodec::recordedEvent);
                if (events.size() != 1) {
                    throw new MalformedMessageException("GROUP_DELIVER carries exactly one event, got " + events.size());
                }
                return new CommandReply.GroupDelivery(id, Frames.parseDecimal(rest.get(0), "delivery id"),
                        Frames.parseInt(rest.get(1), "attempt", 0, Integer.MAX_VALUE), Frames.is(rest.get(2), "1"),
                        events.get(0));
            }
            case "GROUP_RESULT": {
                List<String> values = new java.util.ArrayList<>(rest.size());
                for (byte[] frame : rest) {
                    values.add(Frames.utf8(frame, "GROUP_RESULT value"));
                }
                return new CommandReply.GroupResult(id, values);
            }
            default:
                throw CommandReply.unknown(name);
        }
    }

    private static CommandReply error(List<byte[]> frames) {
        requireAtLeast(frames, 4, "ERROR");
        OptionalLong id = frames.get(1).length == 0 ? OptionalLong.empty()
                : OptionalLong.of(RequestIds.decode(frames.get(1)));
        String codeName = Frames.utf8(frames.get(2), "error code");
        ErrorCode code;
        try {
            code = ErrorCode.valueOf(codeName);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("unknown error code '" + Frames.printable(frames.get(2)) + "'");
        }
        List<String> details = new ArrayList<>();
        for (byte[] frame : frames.subList(4, frames.size())) {
            details.add(Frames.utf8(frame, "error detail"));
        }
        return new CommandReply.Error(id, code, Frames.utf8(frames.get(3), "error reason"), details);
    }

    /** The cut flag of EVENTS: whether it is 2 (the request's budget was reached); 0 and 1 are the others. */
    private static boolean cut(byte[] frame) {
        if (Frames.is(frame, "2")) {
            return true;
        }
        if (Frames.is(frame, "1") || Frames.is(frame, "0")) {
            return false;
        }
        throw new MalformedMessageException("EVENTS cut flag must be 0, 1 or 2, was '" + Frames.printable(frame) + "'");
    }

    private static void requireAtLeast(List<byte[]> frames, int count, String word) {
        if (frames.size() < count) {
            throw new MalformedMessageException(word + " needs at least " + count + " frames, got " + frames.size());
        }
    }
}
