package io.rewind.protocol.command;

import io.rewind.api.AppendRequest;
import io.rewind.api.Direction;
import io.rewind.api.SubscriptionRequest;
import io.rewind.protocol.Frames;
import io.rewind.protocol.MalformedMessageException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A request of Rewind's own command set. Every request is {@code [NAME, request id, arguments…]}
 * (after the envelope and the empty delimiter); docs/PROTOCOL.md lists every frame. Immutable and
 * thread-safe.
 */
public sealed interface CommandRequest {

    /** As the max bytes of a read or listing: no byte budget (the optional frame is left out). */
    long NO_BYTE_LIMIT = Long.MAX_VALUE;

    /** The frames, plus the optional max-bytes frame when there is a budget. */
    private static List<byte[]> withBudget(long maxBytes, byte[]... frames) {
        return withBudget(maxBytes, false, frames);
    }

    /**
     * The frames, then the optional max bytes and the optional {@link #LEADER} consistency frame:
     * a read with leader consistency sends max bytes too (as {@link #NO_BYTE_LIMIT} when it has no
     * budget), since the frames are positional.
     */
    private static List<byte[]> withBudget(long maxBytes, boolean leader, byte[]... frames) {
        List<byte[]> all = new java.util.ArrayList<>(List.of(frames));
        if (maxBytes != NO_BYTE_LIMIT || leader) {
            all.add(Frames.decimal(maxBytes));
        }
        if (leader) {
            all.add(Frames.text(LEADER));
        }
        return List.copyOf(all);
    }

    /** The consistency frame of a read that asks for leader consistency (ReadOptions#withLeaderConsistency). */
    String LEADER = "LEADER";

    /** The client-chosen id that the replies carry back. */
    long requestId();

    /** The frames of this request. */
    List<byte[]> toFrames();

    /** {@code [APPEND, id, spec, record frames…]}: one atomic append of any number of events and checks. */
    record Append(long requestId, AppendRequest request) implements CommandRequest {
        public Append {
            Objects.requireNonNull(request, "request");
        }

        @Override
        public List<byte[]> toFrames() {
            return AppendCodec.encode(requestId, request);
        }
    }

    /**
     * {@code [READ_STREAM, id, stream, from version, FORWARD|BACKWARD, limit, max bytes, LEADER]};
     * the last two frames are optional: max bytes (absent: no byte budget but the server's reply
     * size) is sent when {@code maxBytes} is not {@link #NO_BYTE_LIMIT} or when the read asks for
     * leader consistency, {@code LEADER} only then, so requests without either stay the bytes
     * they always were. The numbers are carried as they are: the server checks them as the store does.
     */
    record ReadStream(long requestId, String stream, long fromVersion, Direction direction, int limit, long maxBytes,
            boolean leader) implements CommandRequest {
        public ReadStream {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(direction, "direction");
        }

        /** A read without leader consistency. */
        public ReadStream(long requestId, String stream, long fromVersion, Direction direction, int limit,
                long maxBytes) {
            this(requestId, stream, fromVersion, direction, limit, maxBytes, false);
        }

        /** A read with no byte budget. */
        public ReadStream(long requestId, String stream, long fromVersion, Direction direction, int limit) {
            this(requestId, stream, fromVersion, direction, limit, NO_BYTE_LIMIT);
        }

        @Override
        public List<byte[]> toFrames() {
            return withBudget(maxBytes, leader, CommandName.READ_STREAM.wire(), RequestIds.encode(requestId),
                    Frames.text(stream), Frames.decimal(fromVersion), Frames.text(direction.name()),
                    Frames.decimal(limit));
        }
    }

    /**
     * {@code [READ_ALL, id, from position, FORWARD|BACKWARD, limit, max bytes, LEADER]}; the last
     * two frames as for READ_STREAM.
     */
    record ReadAll(long requestId, long fromPosition, Direction direction, int limit, long maxBytes, boolean leader)
            implements CommandRequest {
        public ReadAll {
            Objects.requireNonNull(direction, "direction");
        }

        /** A read without leader consistency. */
        public ReadAll(long requestId, long fromPosition, Direction direction, int limit, long maxBytes) {
            this(requestId, fromPosition, direction, limit, maxBytes, false);
        }

        /** A read with no byte budget. */
        public ReadAll(long requestId, long fromPosition, Direction direction, int limit) {
            this(requestId, fromPosition, direction, limit, NO_BYTE_LIMIT);
        }

        @Override
        public List<byte[]> toFrames() {
            return withBudget(maxBytes, leader, CommandName.READ_ALL.wire(), RequestIds.encode(requestId),
                    Frames.decimal(fromPosition), Frames.text(direction.name()), Frames.decimal(limit));
        }
    }

    /** {@code [READ_EVENT, id, event id]}. */
    record ReadEvent(long requestId, UUID eventId) implements CommandRequest {
        public ReadEvent {
            Objects.requireNonNull(eventId, "eventId");
        }

        @Override
        public List<byte[]> toFrames() {
            return List.of(CommandName.READ_EVENT.wire(), RequestIds.encode(requestId), Frames.eventId(eventId));
        }
    }

    /** {@code [POSITION_AT, id, ISO-8601 instant]}: the first position at or after a time. */
    record PositionAt(long requestId, Instant time) implements CommandRequest {
        public PositionAt {
            Objects.requireNonNull(time, "time");
        }

        @Override
        public List<byte[]> toFrames() {
            return List.of(CommandName.POSITION_AT.wire(), RequestIds.encode(requestId), Frames.text(time.toString()));
        }
    }

    /** {@code [HEAD, id]}: the position of the newest durable event. */
    record Head(long requestId) implements CommandRequest {
        @Override
        public List<byte[]> toFrames() {
            return List.of(CommandName.HEAD.wire(), RequestIds.encode(requestId));
        }
    }

    /** {@code [STREAM_INFO, id, stream]}. */
    record StreamInfoRequest(long requestId, String stream) implements CommandRequest {
        public StreamInfoRequest {
            Objects.requireNonNull(stream, "stream");
        }

        @Override
        public List<byte[]> toFrames() {
            return List.of(CommandName.STREAM_INFO.wire(), RequestIds.encode(requestId), Frames.text(stream));
        }
    }

    /**
     * {@code [LIST_STREAMS, id, prefix, after, limit, max bytes]}; empty prefix = all, empty after =
     * first page; max bytes (of stream names) optional as for READ_STREAM.
     */
    record ListStreams(long requestId, String prefix, String after, int limit, long maxBytes)
            implements CommandRequest {
        public ListStreams {
            prefix = prefix == null ? "" : prefix;
            after = after == null ? "" : after;
        }

        /** A listing with no byte budget. */
        public ListStreams(long requestId, String prefix, String after, int limit) {
            this(requestId, prefix, after, limit, NO_BYTE_LIMIT);
        }

        @Override
        public List<byte[]> toFrames() {
            return withBudget(maxBytes, CommandName.LIST_STREAMS.wire(), RequestIds.encode(requestId),
                    Frames.text(prefix), Frames.text(after), Frames.decimal(limit));
        }
    }

    /**
     * {@code [SUBSCRIBE, id, BEGINNING|AFTER|END, after position, name, initial credit]} (the first
     * form: {@code name} is a stream prefix, empty for all) or {@code [SUBSCRIBE, id, start, after
     * position, name, initial credit, ALL|STREAM|PREFIX, checkpoint events, checkpoint interval ms,
     * type…]} (the filtered form): starts a subscription whose deliveries carry this request id. A
     * request the first form can say exactly (no exact stream, no types, default checkpoints) is sent
     * in it, so older servers still understand it.
     */
    record Subscribe(long requestId, SubscriptionRequest request, int credit) implements CommandRequest {
        public Subscribe {
            Objects.requireNonNull(request, "request");
            if (credit < 0) {
                throw new IllegalArgumentException("credit must be >= 0, was " + credit);
            }
        }

        @Override
        public List<byte[]> toFrames() {
            String name = request.stream().or(request::streamPrefix).orElse("");
            List<byte[]> frames = new ArrayList<>(List.of(CommandName.SUBSCRIBE.wire(), RequestIds.encode(requestId),
                    Frames.text(request.start().name()), Frames.decimal(request.afterPosition()),
                    Frames.text(name), Frames.decimal(credit)));
            if (!SubscribeCodec.isFirstForm(request)) {
                frames.add(Frames.text(request.scope().name()));
                frames.add(Frames.decimal(request.checkpointEvents()));
                frames.add(Frames.decimal(request.checkpointInterval().toMillis()));
                request.types().forEach(type -> frames.add(Frames.text(type)));
            }
            return frames;
        }
    }

    /** {@code [CREDIT, subscription id, events]}: lets the server send that many more events. No reply. */
    record Credit(long requestId, int credit) implements CommandRequest {
        public Credit {
            if (credit < 0) {
                throw new IllegalArgumentException("credit must be >= 0, was " + credit);
            }
        }

        @Override
        public List<byte[]> toFrames() {
            return List.of(CommandName.CREDIT.wire(), RequestIds.encode(requestId), Frames.decimal(credit));
        }
    }

    /** {@code [CANCEL, subscription id]}: ends a subscription; the server answers CANCELLED. */
    record Cancel(long requestId) implements CommandRequest {
        @Override
        public List<byte[]> toFrames() {
            return List.of(CommandName.CANCEL.wire(), RequestIds.encode(requestId));
        }
    }

    /** {@code [PING, id]}: answered with PONG; also keeps the client's subscriptions alive. */
    record Ping(long requestId) implements CommandRequest {
        @Override
        public List<byte[]> toFrames() {
            return List.of(CommandName.PING.wire(), RequestIds.encode(requestId));
        }
    }

    /** The operations of {@link Group}, as their first argument frame names them. */
    enum GroupOperation { CREATE, DELETE, LIST, DESCRIBE, PARKED, REPLAY, JOIN, ACK, NACK, LEAVE, UPDATE }

    /**
     * {@code [GROUP, id, CREATE|UPDATE|DELETE|LIST|DESCRIBE|PARKED|REPLAY|JOIN|ACK|NACK|LEAVE, argument…]}:
     * manages consumer groups and consumes from them (docs/PROTOCOL.md §5.6). The arguments are UTF-8 text frames; the server, which knows
     * the groups' rules, judges them. Answered with {@link CommandReply.GroupResult} or ERROR.
     */
    record Group(long requestId, GroupOperation operation, List<String> arguments) implements CommandRequest {
        public Group {
            Objects.requireNonNull(operation, "operation");
            arguments = List.copyOf(arguments);
        }

        @Override
        public List<byte[]> toFrames() {
            List<byte[]> frames = new ArrayList<>(3 + arguments.size());
            frames.add(CommandName.GROUP.wire());
            frames.add(RequestIds.encode(requestId));
            frames.add(Frames.text(operation.name()));
            arguments.forEach(argument -> frames.add(Frames.text(argument)));
            return frames;
        }
    }

    /**
     * Decodes a command.
     *
     * @throws MalformedMessageException naming what is wrong; its request id, when the frame
     *                                   holding it was readable, is in {@link #requestIdOf}
     */
    static CommandRequest decode(List<byte[]> frames) {
        return CommandDecoder.decode(frames);
    }

    /**
     * The request id of a command message if its second frame is a well-formed request id, so an
     * error about the rest can still be matched by the client; null otherwise.
     */
    static Long requestIdOf(List<byte[]> frames) {
        if (frames.size() < 2 || frames.get(1).length != RequestIds.LENGTH) {
            return null;
        }
        return RequestIds.decode(frames.get(1));
    }
}
