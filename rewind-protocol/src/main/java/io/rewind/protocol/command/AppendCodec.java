package io.rewind.protocol.command;

import io.rewind.api.AppendRequest;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.InvalidRequestException;
import io.rewind.protocol.BinaryReader;
import io.rewind.protocol.BinaryWriter;
import io.rewind.protocol.MalformedMessageException;
import io.rewind.protocol.RecordCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames of an APPEND: {@code [APPEND, id, spec, record frames…]}. The spec frame is
 * {@code i32 n, n × (short text stream, expected version, i32 event count), i32 m,
 * m × (short text stream, expected version)}; the record frames hold the events of all streams in
 * spec order, each encoded by {@link RecordCodec#eventData(EventData)}. Stateless and thread-safe.
 */
final class AppendCodec {

    /** The smallest encoded stream entry: empty name (1), expected version (9), count (4). */
    private static final int MIN_STREAM_ENTRY = 14;
    /** The smallest encoded check entry: empty name (1), expected version (9). */
    private static final int MIN_CHECK_ENTRY = 10;

    private AppendCodec() {
    }

    static List<byte[]> encode(long requestId, AppendRequest request) {
        BinaryWriter spec = new BinaryWriter(64);
        spec.i32(request.appends().size());
        List<EventData> events = new ArrayList<>(request.eventCount());
        for (AppendRequest.StreamAppend append : request.appends()) {
            spec.shortText(append.stream());
            RecordCodec.writeExpected(spec, append.expected());
            spec.i32(append.events().size());
            events.addAll(append.events());
        }
        spec.i32(request.checks().size());
        for (AppendRequest.StreamCheck check : request.checks()) {
            spec.shortText(check.stream());
            RecordCodec.writeExpected(spec, check.expected());
        }
        List<byte[]> frames = new ArrayList<>();
        frames.add(CommandName.APPEND.wire());
        frames.add(RequestIds.encode(requestId));
        frames.add(spec.toByteArray());
        frames.addAll(RecordCodec.packAll(events, RecordCodec.EVENT_DATA));
        return frames;
    }

    static AppendRequest decode(List<byte[]> frames) {
        if (frames.size() < 3) {
            throw new MalformedMessageException("Wrong number of frames for APPEND: expected at least 3, got "
                    + frames.size() + ".");
        }
        List<EventData> events = RecordCodec.unpack(frames.subList(3, frames.size()), "event",
                RecordCodec::eventData);
        BinaryReader spec = new BinaryReader(frames.get(2), "append spec");
        AppendRequest.Builder builder = AppendRequest.builder();
        int next = 0;
        try {
            int streams = spec.length(MIN_STREAM_ENTRY);
            for (int i = 0; i < streams; i++) {
                String stream = spec.shortText("stream name");
                ExpectedVersion expected = RecordCodec.readExpected(spec);
                int count = spec.i32();
                if (count < 0 || count > events.size() - next) {
                    throw new MalformedMessageException("append spec names " + count + " events for stream '"
                            + stream + "' but the message carries " + (events.size() - next) + " more");
                }
                builder.append(stream, expected, events.subList(next, next + count));
                next += count;
            }
            int checks = spec.length(MIN_CHECK_ENTRY);
            for (int i = 0; i < checks; i++) {
                builder.check(spec.shortText("stream name"), RecordCodec.readExpected(spec));
            }
        } catch (MalformedMessageException e) {
            throw e;
        } catch (InvalidRequestException e) {
            throw new MalformedMessageException(e.getMessage());
        }
        spec.requireEnd();
        if (next != events.size()) {
            throw new MalformedMessageException("the message carries " + events.size()
                    + " events but the append spec names " + next);
        }
        return builder.build();
    }
}
