package io.rewind.protocol;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import io.rewind.api.SubscriptionEvent;
import io.rewind.protocol.command.CommandReply;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary layouts of docs/PROTOCOL.md written the plainest way there is: a
 * {@link DataOutputStream} (big-endian by definition), {@link String#getBytes} for text, every
 * record encoded on its own and then copied into its frame by the packing rule. The tests compare
 * the optimised codec's bytes with these, so an optimisation cannot change the wire format.
 */
final class ReferenceEncoding {

    private ReferenceEncoding() {
    }

    /** Writes fields one after another, as the layouts describe them. */
    static final class Fields {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        Fields u8(int value) {
            return run(() -> out.writeByte(value));
        }

        Fields i32(int value) {
            return run(() -> out.writeInt(value));
        }

        Fields i64(long value) {
            return run(() -> out.writeLong(value));
        }

        Fields uuid(java.util.UUID id) {
            return i64(id.getMostSignificantBits()).i64(id.getLeastSignificantBits());
        }

        /** u8 length + UTF-8; over 255 bytes is refused with the codec's message. */
        Fields shortText(String text) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            if (utf8.length > 255) {
                throw new InvalidRequestException("text is " + utf8.length + " bytes of UTF-8, the limit is 255");
            }
            return u8(utf8.length).raw(utf8);
        }

        Fields bytes(byte[] value) {
            return i32(value.length).raw(value);
        }

        Fields raw(byte[] value) {
            return run(() -> out.write(value));
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }

        private Fields run(IoAction action) {
            try {
                action.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        private interface IoAction {
            void run() throws IOException;
        }
    }

    /** Records back to back, each as i32 length + bytes; a new frame when the next would pass 1 MiB. */
    static List<byte[]> pack(List<byte[]> records) {
        List<byte[]> frames = new ArrayList<>();
        Fields current = null;
        int currentSize = 0;
        for (byte[] record : records) {
            if (current != null && currentSize + 4L + record.length > RecordCodec.PACK_TARGET_BYTES) {
                frames.add(current.toByteArray());
                current = null;
            }
            if (current == null) {
                current = new Fields();
                currentSize = 0;
            }
            current.bytes(record);
            currentSize += 4 + record.length;
        }
        if (current != null) {
            frames.add(current.toByteArray());
        }
        return frames;
    }

    /** The frames of an APPEND, {@code [APPEND, id, spec, record frames…]}. */
    static List<byte[]> append(long requestId, AppendRequest request) {
        Fields spec = new Fields().i32(request.appends().size());
        List<byte[]> records = new ArrayList<>();
        for (AppendRequest.StreamAppend append : request.appends()) {
            expected(spec.shortText(append.stream()), append.expected()).i32(append.events().size());
            append.events().forEach(event -> records.add(eventData(event)));
        }
        spec.i32(request.checks().size());
        for (AppendRequest.StreamCheck check : request.checks()) {
            expected(spec.shortText(check.stream()), check.expected());
        }
        List<byte[]> frames = new ArrayList<>(List.of(Frames.text("APPEND"), requestId(requestId), spec.toByteArray()));
        frames.addAll(pack(records));
        return frames;
    }

    /** The frames of a reply that carries records; any other reply is all text and not covered here. */
    static List<byte[]> replyWithRecords(CommandReply reply) {
        List<byte[]> records = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        if (reply instanceof CommandReply.Appended appended) {
            frames.addAll(List.of(Frames.text("APPENDED"), requestId(appended.requestId())));
            appended.result().events().forEach(written -> records.add(written(written)));
        } else if (reply instanceof CommandReply.Events events) {
            frames.addAll(List.of(Frames.text("EVENTS"), requestId(events.requestId()),
                    Frames.text(events.truncated() ? "1" : "0")));
            events.events().forEach(event -> records.add(recordedEvent(new Fields(), event).toByteArray()));
        } else if (reply instanceof CommandReply.Streams streams) {
            frames.addAll(List.of(Frames.text("STREAMS"), requestId(streams.requestId()),
                    Frames.text(streams.nextAfter().orElse(""))));
            streams.streams().forEach(info -> records.add(streamInfo(info)));
        } else if (reply instanceof CommandReply.Delivery delivery) {
            frames.addAll(List.of(Frames.text("DELIVER"), requestId(delivery.requestId())));
            delivery.events().forEach(delivered -> records.add(subscriptionEvent(delivered)));
        } else {
            throw new IllegalArgumentException("not a reply with records: " + reply);
        }
        frames.addAll(pack(records));
        return frames;
    }

    static byte[] requestId(long id) {
        return new Fields().i64(id).toByteArray();
    }

    static byte[] eventData(EventData event) {
        Fields out = new Fields().u8(event.id() == null ? 0 : 1);
        if (event.id() != null) {
            out.uuid(event.id());
        }
        return out.shortText(event.type()).bytes(event.metadata()).bytes(event.data()).toByteArray();
    }

    static byte[] written(AppendResult.Written written) {
        return new Fields().shortText(written.stream()).i64(written.version()).i64(written.position())
                .uuid(written.id()).toByteArray();
    }

    static byte[] streamInfo(StreamInfo info) {
        return new Fields().shortText(info.stream()).i64(info.headVersion()).i64(info.firstPosition())
                .i64(info.lastPosition()).toByteArray();
    }

    static byte[] subscriptionEvent(SubscriptionEvent delivered) {
        return recordedEvent(new Fields().i64(delivered.previousPosition()), delivered.event()).toByteArray();
    }

    private static Fields recordedEvent(Fields out, RecordedEvent event) {
        return out.shortText(event.stream()).i64(event.version()).i64(event.position()).uuid(event.id())
                .shortText(event.type()).i64(event.timestamp().getEpochSecond()).i32(event.timestamp().getNano())
                .bytes(event.metadata()).bytes(event.data());
    }

    private static Fields expected(Fields out, ExpectedVersion expected) {
        return out.u8(expected.kind().ordinal())
                .i64(expected.kind() == ExpectedVersion.Kind.EXACTLY ? expected.version() : 0);
    }
}
