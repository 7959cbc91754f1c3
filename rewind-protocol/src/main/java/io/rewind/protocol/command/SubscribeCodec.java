package io.rewind.protocol.command;

import io.rewind.api.InvalidRequestException;
import io.rewind.api.SubscriptionRequest;
import io.rewind.protocol.Frames;
import io.rewind.protocol.MalformedMessageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The two forms of SUBSCRIBE (docs/PROTOCOL.md §5.4). The first, six frames, is what every version
 * of the protocol understands: a start and a stream prefix. The filtered form appends the scope
 * (so an exact stream can be told from a prefix), the checkpoint thresholds and any event types.
 * Stateless and thread-safe.
 */
final class SubscribeCodec {

    /** Frames of the first form: name, id, start, after position, name, credit. */
    static final int FIRST_FORM_FRAMES = 6;
    /** Frames of the filtered form before its type frames. */
    static final int FILTERED_FORM_FRAMES = 9;

    private SubscribeCodec() {
    }

    /** Whether the first form says exactly what {@code request} asks for. */
    static boolean isFirstForm(SubscriptionRequest request) {
        return request.scope() != SubscriptionRequest.Scope.STREAM && request.types().isEmpty()
                && request.checkpointEvents() == SubscriptionRequest.DEFAULT_CHECKPOINT_EVENTS
                && request.checkpointInterval().equals(SubscriptionRequest.DEFAULT_CHECKPOINT_INTERVAL);
    }

    static CommandRequest.Subscribe decode(long id, List<byte[]> frames) {
        int size = frames.size();
        if (size != FIRST_FORM_FRAMES && size < FILTERED_FORM_FRAMES) {
            throw new MalformedMessageException("Wrong number of frames for SUBSCRIBE: expected "
                    + FIRST_FORM_FRAMES + " or at least " + FILTERED_FORM_FRAMES + ", got " + size + ".");
        }
        if (size > FILTERED_FORM_FRAMES + SubscriptionRequest.MAX_TYPES) {
            throw new MalformedMessageException("SUBSCRIBE names " + (size - FILTERED_FORM_FRAMES)
                    + " event types, the limit is " + SubscriptionRequest.MAX_TYPES);
        }
        SubscriptionRequest request = start(frames);
        String name = CommandDecoder.shortText(frames.get(4), "subscription stream or prefix");
        int credit = CommandDecoder.credit(frames.get(5));
        try {
            request = size == FIRST_FORM_FRAMES ? request.withStreamPrefix(name) : filtered(request, name, frames);
        } catch (MalformedMessageException e) {
            throw e;
        } catch (InvalidRequestException e) {
            // The request's own checks name the problem; on the wire it is a malformed message.
            throw new MalformedMessageException(e.getMessage());
        }
        return new CommandRequest.Subscribe(id, request, credit);
    }

    private static SubscriptionRequest start(List<byte[]> frames) {
        long after = Frames.parseDecimal(frames.get(3), "after position");
        if (Frames.is(frames.get(2), "BEGINNING")) {
            return SubscriptionRequest.fromBeginning();
        }
        if (Frames.is(frames.get(2), "END")) {
            return SubscriptionRequest.fromEnd();
        }
        if (Frames.is(frames.get(2), "AFTER")) {
            if (after < -1) {
                throw new MalformedMessageException("after position must be >= -1, was " + after);
            }
            return SubscriptionRequest.after(after);
        }
        throw new MalformedMessageException("subscription start must be BEGINNING, AFTER or END, was '"
                + Frames.printable(frames.get(2)) + "'");
    }

    private static SubscriptionRequest filtered(SubscriptionRequest start, String name, List<byte[]> frames) {
        SubscriptionRequest request = scoped(start, name, frames.get(6));
        int events = Frames.parseInt(frames.get(7), "checkpoint events", 1, SubscriptionRequest.MAX_CHECKPOINT_EVENTS);
        long maxMillis = SubscriptionRequest.MAX_CHECKPOINT_INTERVAL.toMillis();
        long millis = Frames.parseDecimal(frames.get(8), "checkpoint interval ms");
        if (millis < 1 || millis > maxMillis) {
            throw new MalformedMessageException("checkpoint interval ms must be between 1 and " + maxMillis
                    + ", was " + millis);
        }
        request = request.withCheckpoints(events, Duration.ofMillis(millis));
        if (frames.size() == FILTERED_FORM_FRAMES) {
            return request;
        }
        List<String> types = new ArrayList<>(frames.size() - FILTERED_FORM_FRAMES);
        for (byte[] frame : frames.subList(FILTERED_FORM_FRAMES, frames.size())) {
            types.add(CommandDecoder.shortText(frame, "event type"));
        }
        return request.withTypes(types);
    }

    private static SubscriptionRequest scoped(SubscriptionRequest start, String name, byte[] scope) {
        if (Frames.is(scope, "ALL")) {
            if (!name.isEmpty()) {
                throw new MalformedMessageException("a subscription to ALL streams names no stream, got '"
                        + name + "'");
            }
            return start;
        }
        if (Frames.is(scope, "STREAM")) {
            return start.toStream(name);
        }
        if (Frames.is(scope, "PREFIX")) {
            if (name.isEmpty()) {
                throw new MalformedMessageException("a PREFIX subscription needs a non-empty prefix (use ALL)");
            }
            return start.withStreamPrefix(name);
        }
        throw new MalformedMessageException("subscription scope must be ALL, STREAM or PREFIX, was '"
                + Frames.printable(scope) + "'");
    }
}
