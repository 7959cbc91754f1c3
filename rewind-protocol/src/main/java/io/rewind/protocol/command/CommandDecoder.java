package io.rewind.protocol.command;

import io.rewind.api.Direction;
import io.rewind.api.Limits;
import io.rewind.protocol.Frames;
import io.rewind.protocol.MalformedMessageException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Decodes {@link CommandRequest}s. Stateless and thread-safe. */
final class CommandDecoder {

    private CommandDecoder() {
    }

    static CommandRequest decode(List<byte[]> frames) {
        if (frames.isEmpty()) {
            throw new MalformedMessageException("Empty command");
        }
        CommandName name = CommandName.of(frames.get(0));
        if (name == null) {
            throw new MalformedMessageException("Unknown request type");
        }
        if (frames.size() < 2) {
            throw new MalformedMessageException("Wrong number of frames for " + name + ": no request id");
        }
        long id = RequestIds.decode(frames.get(1));
        switch (name) {
            case APPEND:
                return new CommandRequest.Append(id, AppendCodec.decode(frames));
            case READ_STREAM:
                countWithBudgetAndConsistency(frames, 6, name);
                return new CommandRequest.ReadStream(id, Frames.streamName(frames.get(2)),
                        Frames.parseDecimal(frames.get(3), "from version"), direction(frames.get(4)),
                        limit(frames.get(5)), maxBytes(frames, 6), leader(frames, 7, name));
            case READ_ALL:
                countWithBudgetAndConsistency(frames, 5, name);
                return new CommandRequest.ReadAll(id, Frames.parseDecimal(frames.get(2), "from position"),
                        direction(frames.get(3)), limit(frames.get(4)), maxBytes(frames, 5), leader(frames, 6, name));
            case READ_EVENT:
                count(frames, 3, name);
                return new CommandRequest.ReadEvent(id, Frames.parseEventId(frames.get(2), "event id"));
            case POSITION_AT:
                count(frames, 3, name);
                return new CommandRequest.PositionAt(id, instant(frames.get(2)));
            case HEAD:
                count(frames, 2, name);
                return new CommandRequest.Head(id);
            case STREAM_INFO:
                count(frames, 3, name);
                return new CommandRequest.StreamInfoRequest(id, Frames.streamName(frames.get(2)));
            case LIST_STREAMS:
                countWithBudget(frames, 5, name);
                return new CommandRequest.ListStreams(id, shortText(frames.get(2), "prefix"),
                        shortText(frames.get(3), "after"), limit(frames.get(4)), maxBytes(frames, 5));
            case SUBSCRIBE:
                return SubscribeCodec.decode(id, frames);
            case CREDIT:
                count(frames, 3, name);
                return new CommandRequest.Credit(id, credit(frames.get(2)));
            case CANCEL:
                count(frames, 2, name);
                return new CommandRequest.Cancel(id);
            case PING:
                count(frames, 2, name);
                return new CommandRequest.Ping(id);
            case GROUP:
                return group(id, frames);
            default:
                throw new MalformedMessageException("Unknown request type");
        }
    }

    private static CommandRequest group(long id, List<byte[]> frames) {
        if (frames.size() < 3) {
            throw new MalformedMessageException("Wrong number of frames for GROUP: no operation");
        }
        String word = Frames.utf8(frames.get(2), "group operation");
        CommandRequest.GroupOperation operation;
        try {
            operation = CommandRequest.GroupOperation.valueOf(word);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("GROUP: operation must be one of CREATE, UPDATE, DELETE, LIST,"
                    + " DESCRIBE, PARKED, REPLAY, JOIN, ACK, NACK, LEAVE, was '" + Frames.printable(frames.get(2)) + "'");
        }
        List<String> arguments = new java.util.ArrayList<>(frames.size() - 3);
        for (int i = 3; i < frames.size(); i++) {
            arguments.add(Frames.utf8(frames.get(i), "GROUP argument " + (i - 2)));
        }
        return new CommandRequest.Group(id, operation, arguments);
    }

    private static void count(List<byte[]> frames, int expected, CommandName name) {
        Frames.requireCount(frames, expected, name.name());
    }

    /** {@code expected} frames, or one more: the optional max bytes of a read or listing. */
    private static void countWithBudget(List<byte[]> frames, int expected, CommandName name) {
        if (frames.size() != expected + 1) {
            count(frames, expected, name);
        }
    }

    /** {@code expected} frames, or one more (max bytes), or two more (max bytes and consistency). */
    private static void countWithBudgetAndConsistency(List<byte[]> frames, int expected, CommandName name) {
        if (frames.size() != expected + 1 && frames.size() != expected + 2) {
            count(frames, expected, name);
        }
    }

    /** The optional consistency frame at {@code index}: absent, or {@code LEADER}. */
    private static boolean leader(List<byte[]> frames, int index, CommandName name) {
        if (frames.size() <= index) {
            return false;
        }
        if (!Frames.is(frames.get(index), CommandRequest.LEADER)) {
            throw new MalformedMessageException(name + ": read consistency must be " + CommandRequest.LEADER
                    + " (or absent), was '" + Frames.printable(frames.get(index)) + "'");
        }
        return true;
    }

    /** The optional max-bytes frame at {@code index}: any decimal long, judged by the server as by the store. */
    private static long maxBytes(List<byte[]> frames, int index) {
        return frames.size() > index ? Frames.parseDecimal(frames.get(index), "max bytes")
                : CommandRequest.NO_BYTE_LIMIT;
    }

    private static Direction direction(byte[] frame) {
        if (Frames.is(frame, "FORWARD")) {
            return Direction.FORWARD;
        }
        if (Frames.is(frame, "BACKWARD")) {
            return Direction.BACKWARD;
        }
        throw new MalformedMessageException("direction must be FORWARD or BACKWARD, was '"
                + Frames.printable(frame) + "'");
    }

    /** Any int: the store, not the codec, judges the range, so remote and embedded errors agree. */
    private static int limit(byte[] frame) {
        return Frames.parseInt(frame, "limit", Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    static int credit(byte[] frame) {
        return Frames.parseInt(frame, "credit", 0, Integer.MAX_VALUE);
    }

    static String shortText(byte[] frame, String what) {
        if (frame.length > Limits.MAX_STREAM_NAME_BYTES) {
            throw new MalformedMessageException(what + " is " + frame.length + " bytes, the limit is "
                    + Limits.MAX_STREAM_NAME_BYTES);
        }
        return Frames.utf8(frame, what);
    }

    private static Instant instant(byte[] frame) {
        String text = shortText(frame, "time");
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new MalformedMessageException("time is not an ISO-8601 instant: '" + Frames.printable(frame) + "'");
        }
    }
}
