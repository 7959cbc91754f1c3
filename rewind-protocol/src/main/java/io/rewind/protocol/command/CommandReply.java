package io.rewind.protocol.command;

import io.rewind.api.AppendResult;
import io.rewind.api.ErrorCode;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import io.rewind.api.SubscriptionEvent;
import io.rewind.protocol.Frames;
import io.rewind.protocol.MalformedMessageException;
import io.rewind.protocol.RecordCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A reply of Rewind's own command set: {@code [NAME, request id, …]} (after the envelope and the
 * empty delimiter). docs/PROTOCOL.md lists every frame. Immutable and thread-safe.
 */
public sealed interface CommandReply {

    /** The frames of this reply. */
    List<byte[]> toFrames();

    /** {@code [APPENDED, id, record frames…]}: where each event was stored, in request order. */
    record Appended(long requestId, AppendResult result) implements CommandReply {
        public Appended {
            Objects.requireNonNull(result, "result");
        }

        @Override
        public List<byte[]> toFrames() {
            return withRecords("APPENDED", requestId, List.of(),
                    RecordCodec.packAll(result.events(), ReplyCodec.WRITTEN));
        }
    }

    /**
     * {@code [EVENTS, id, 0|1|2, record frames…]}: the answer to READ_STREAM, READ_ALL (the events
     * read) and READ_EVENT (zero or one event). The third frame is {@code 1} ({@code truncated}) when
     * the server cut the page short to bound the reply's size: the client continues after the last
     * event; {@code 2} ({@code budgetReached}) when the request's own byte budget stopped the read,
     * as it stops an embedded read; {@code 0} otherwise.
     */
    record Events(long requestId, List<RecordedEvent> events, boolean truncated, boolean budgetReached)
            implements CommandReply {
        public Events {
            events = List.copyOf(events);
            if (truncated && budgetReached) {
                throw new IllegalArgumentException("a page is cut by the server or by the request's budget, not both");
            }
        }

        /** A page the request's own byte budget did not stop. */
        public Events(long requestId, List<RecordedEvent> events, boolean truncated) {
            this(requestId, events, truncated, false);
        }

        @Override
        public List<byte[]> toFrames() {
            String cut = truncated ? "1" : budgetReached ? "2" : "0";
            return withRecords("EVENTS", requestId, List.of(Frames.text(cut)),
                    RecordCodec.packAll(events, RecordCodec.RECORDED_EVENT));
        }
    }

    /** {@code [POSITION, id, decimal]}: the answer to HEAD and POSITION_AT. */
    record Position(long requestId, long position) implements CommandReply {
        @Override
        public List<byte[]> toFrames() {
            return List.of(Frames.text("POSITION"), RequestIds.encode(requestId), Frames.decimal(position));
        }
    }

    /**
     * {@code [STREAMS, id, next after, record frames…]}: the answer to LIST_STREAMS and STREAM_INFO
     * (zero or one stream). An empty third frame means there is no next page.
     */
    record Streams(long requestId, List<StreamInfo> streams, Optional<String> nextAfter) implements CommandReply {
        public Streams {
            streams = List.copyOf(streams);
            Objects.requireNonNull(nextAfter, "nextAfter");
        }

        @Override
        public List<byte[]> toFrames() {
            return withRecords("STREAMS", requestId, List.of(Frames.text(nextAfter.orElse(""))),
                    RecordCodec.packAll(streams, RecordCodec.STREAM_INFO));
        }
    }

    /** {@code [SUBSCRIBED, id, start position]}: the subscription delivers events after this position. */
    record Subscribed(long requestId, long startPosition) implements CommandReply {
        @Override
        public List<byte[]> toFrames() {
            return List.of(Frames.text("SUBSCRIBED"), RequestIds.encode(requestId), Frames.decimal(startPosition));
        }
    }

    /** {@code [DELIVER, id, record frames…]}: events of a subscription, each with its previous position. */
    record Delivery(long requestId, List<SubscriptionEvent> events) implements CommandReply {
        public Delivery {
            events = List.copyOf(events);
            if (events.isEmpty()) {
                throw new IllegalArgumentException("a delivery carries at least one event");
            }
        }

        @Override
        public List<byte[]> toFrames() {
            return withRecords("DELIVER", requestId, List.of(),
                    RecordCodec.packAll(events, RecordCodec.SUBSCRIPTION_EVENT));
        }
    }

    /**
     * {@code [CHECKPOINT, id, position]}: a filtered subscription has scanned every event up to
     * {@code position} and delivered all it matches; the next event names it as previous position.
     * Costs no credit.
     */
    record Checkpoint(long requestId, long position) implements CommandReply {
        @Override
        public List<byte[]> toFrames() {
            return List.of(Frames.text("CHECKPOINT"), RequestIds.encode(requestId), Frames.decimal(position));
        }
    }

    /** {@code [CAUGHT_UP, id]}: the subscription has delivered all history and is now live. */
    record CaughtUp(long requestId) implements CommandReply {
        @Override
        public List<byte[]> toFrames() {
            return List.of(Frames.text("CAUGHT_UP"), RequestIds.encode(requestId));
        }
    }

    /** {@code [CANCELLED, id]}: the subscription ended on CANCEL; nothing more comes for this id. */
    record Cancelled(long requestId) implements CommandReply {
        @Override
        public List<byte[]> toFrames() {
            return List.of(Frames.text("CANCELLED"), RequestIds.encode(requestId));
        }
    }

    /** {@code [PONG, id]}. */
    record Pong(long requestId) implements CommandReply {
        @Override
        public List<byte[]> toFrames() {
            return List.of(Frames.text("PONG"), RequestIds.encode(requestId));
        }
    }

    /**
     * {@code [GROUP_RESULT, id, value…]}: the answer to a GROUP request, text frames whose meaning
     * the operation gives (docs/PROTOCOL.md §5.6).
     */
    record GroupResult(long requestId, List<String> values) implements CommandReply {
        public GroupResult {
            values = List.copyOf(values);
        }

        @Override
        public List<byte[]> toFrames() {
            List<byte[]> frames = new ArrayList<>(2 + values.size());
            frames.add(Frames.text("GROUP_RESULT"));
            frames.add(RequestIds.encode(requestId));
            values.forEach(value -> frames.add(Frames.text(value)));
            return frames;
        }
    }

    /**
     * {@code [GROUP_DELIVER, join id, delivery id, attempt, 0|1, record frame]}: one delivery to a
     * consumer that joined a group with the GROUP JOIN of {@code requestId}; {@code 1} marks a replay
     * of a parked event; the record frame holds exactly one recorded event. Settle it with GROUP ACK
     * or NACK naming the delivery id.
     */
    record GroupDelivery(long requestId, long deliveryId, int attempt, boolean replay, RecordedEvent event)
            implements CommandReply {
        public GroupDelivery {
            Objects.requireNonNull(event, "event");
        }

        @Override
        public List<byte[]> toFrames() {
            return withRecords("GROUP_DELIVER", requestId, List.of(Frames.decimal(deliveryId), Frames.decimal(attempt),
                    Frames.text(replay ? "1" : "0")), RecordCodec.packAll(List.of(event), RecordCodec.RECORDED_EVENT));
        }
    }

    /**
     * {@code [ERROR, id or empty, CODE, reason, detail…]}: the request failed (or, for a
     * subscription id, the subscription ended). {@code CODE} is an {@link ErrorCode} name; the
     * details let the client rebuild the exception ({@link ErrorReplies}). The id frame is empty when
     * the request's own id frame could not be read.
     */
    record Error(OptionalLong requestId, ErrorCode code, String reason, List<String> details)
            implements CommandReply {
        public Error {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(reason, "reason");
            details = List.copyOf(details);
        }

        @Override
        public List<byte[]> toFrames() {
            List<byte[]> frames = new ArrayList<>(4 + details.size());
            frames.add(Frames.text("ERROR"));
            frames.add(requestId.isPresent() ? RequestIds.encode(requestId.getAsLong()) : Frames.EMPTY);
            frames.add(Frames.text(code.name()));
            frames.add(Frames.text(reason));
            details.forEach(detail -> frames.add(Frames.text(detail)));
            return frames;
        }
    }

    /**
     * Decodes a reply.
     *
     * @throws MalformedMessageException if the frames are not one
     */
    static CommandReply decode(List<byte[]> frames) {
        return ReplyCodec.decode(frames);
    }

    private static List<byte[]> withRecords(String name, long requestId, List<byte[]> fixed, List<byte[]> records) {
        List<byte[]> frames = new ArrayList<>(2 + fixed.size() + records.size());
        frames.add(Frames.text(name));
        frames.add(RequestIds.encode(requestId));
        frames.addAll(fixed);
        frames.addAll(records);
        return frames;
    }

    /** Thrown for a reply word no version of the protocol uses; a client can skip such a message. */
    static MalformedMessageException unknown(byte[] name) {
        return new MalformedMessageException("unknown reply '" + Frames.printable(name) + "'");
    }
}
