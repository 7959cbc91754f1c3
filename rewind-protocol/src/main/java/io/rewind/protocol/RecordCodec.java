package io.rewind.protocol;

import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import io.rewind.api.SubscriptionEvent;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * The binary layouts of the structured values in Rewind's own commands (events, recorded events,
 * stream infos, expected versions) and the packing of many records into few frames.
 *
 * <p>Records are packed into <em>record frames</em>: each record is an i32 length followed by its
 * bytes, and a frame holds records back to back until it would pass {@link #PACK_TARGET_BYTES}
 * (a record larger than that gets a frame of its own). Packing keeps the frame count of a message
 * small however many events it carries, so a server can cap frames per message without capping
 * events per append. Readers do not depend on where the frame boundaries fall. Stateless and
 * thread-safe.
 */
public final class RecordCodec {

    /** The size at which the packer starts a new frame. */
    public static final int PACK_TARGET_BYTES = 1 << 20;

    private static final int FLAG_HAS_ID = 1;

    private RecordCodec() {
    }

    /** Packs encoded records into record frames. */
    public static List<byte[]> pack(List<byte[]> records) {
        List<byte[]> frames = new ArrayList<>();
        BinaryWriter current = null;
        for (byte[] record : records) {
            if (current != null && current.size() + 4L + record.length > PACK_TARGET_BYTES) {
                frames.add(current.toByteArray());
                current = null;
            }
            if (current == null) {
                current = new BinaryWriter(Math.min(PACK_TARGET_BYTES, record.length + 4));
            }
            current.bytes(record);
        }
        if (current != null) {
            frames.add(current.toByteArray());
        }
        return frames;
    }

    /** Reads every record of the given record frames and decodes it with {@code decoder}. */
    public static <T> List<T> unpack(List<byte[]> frames, String what, Function<BinaryReader, T> decoder) {
        List<T> values = new ArrayList<>();
        for (byte[] frame : frames) {
            BinaryReader reader = new BinaryReader(frame, what + " frame");
            if (!reader.hasRemaining()) {
                throw new MalformedMessageException(what + " frame is empty");
            }
            while (reader.hasRemaining()) {
                BinaryReader record = new BinaryReader(reader.bytes(), what);
                values.add(decoder.apply(record));
                record.requireEnd();
            }
        }
        return values;
    }

    /** Encodes each value with {@code encoder} and packs the results. */
    public static <T> List<byte[]> packAll(List<T> values, Function<T, byte[]> encoder) {
        List<byte[]> records = new ArrayList<>(values.size());
        for (T value : values) {
            records.add(encoder.apply(value));
        }
        return pack(records);
    }

    /** u8 flags (bit 0: id present), [uuid id], short text type, bytes metadata, bytes data. */
    public static byte[] eventData(EventData event) {
        BinaryWriter out = new BinaryWriter(event.dataSize() + event.metadataSize() + 64);
        out.u8(event.id() == null ? 0 : FLAG_HAS_ID);
        if (event.id() != null) {
            out.uuid(event.id());
        }
        return out.shortText(event.type()).bytes(event.metadata()).bytes(event.data()).toByteArray();
    }

    public static EventData eventData(BinaryReader in) {
        int flags = in.u8();
        if ((flags & ~FLAG_HAS_ID) != 0) {
            throw new MalformedMessageException("event has unknown flags " + flags);
        }
        UUID id = (flags & FLAG_HAS_ID) != 0 ? in.uuid() : null;
        String type = in.shortText("event type");
        byte[] metadata = in.bytes();
        byte[] data = in.bytes();
        return new EventData(id, type, data, metadata);
    }

    /**
     * short text stream, i64 version, i64 position, uuid id, short text type, i64 epoch seconds,
     * i32 nanos, bytes metadata, bytes data.
     */
    public static byte[] recordedEvent(RecordedEvent event) {
        BinaryWriter out = new BinaryWriter(event.dataSize() + event.metadataSize() + 128);
        writeRecorded(out, event);
        return out.toByteArray();
    }

    public static RecordedEvent recordedEvent(BinaryReader in) {
        String stream = in.shortText("stream name");
        long version = in.i64();
        long position = in.i64();
        UUID id = in.uuid();
        String type = in.shortText("event type");
        Instant timestamp = instant(in.i64(), in.i32());
        byte[] metadata = in.bytes();
        byte[] data = in.bytes();
        if (version < 0 || position < 0) {
            throw new MalformedMessageException("recorded event has a negative version or position");
        }
        return new RecordedEvent(stream, version, position, id, type, timestamp, data, metadata);
    }

    /** i64 previous position, then a recorded event. */
    public static byte[] subscriptionEvent(SubscriptionEvent delivered) {
        RecordedEvent event = delivered.event();
        BinaryWriter out = new BinaryWriter(event.dataSize() + event.metadataSize() + 136);
        out.i64(delivered.previousPosition());
        writeRecorded(out, event);
        return out.toByteArray();
    }

    public static SubscriptionEvent subscriptionEvent(BinaryReader in) {
        long previous = in.i64();
        return new SubscriptionEvent(recordedEvent(in), previous);
    }

    /** short text stream, i64 head version, i64 first position, i64 last position. */
    public static byte[] streamInfo(StreamInfo info) {
        return new BinaryWriter(64).shortText(info.stream()).i64(info.headVersion())
                .i64(info.firstPosition()).i64(info.lastPosition()).toByteArray();
    }

    public static StreamInfo streamInfo(BinaryReader in) {
        return new StreamInfo(in.shortText("stream name"), in.i64(), in.i64(), in.i64());
    }

    /** u8 kind (0 any, 1 no-stream, 2 stream-exists, 3 exactly), i64 version (0 unless exactly). */
    public static void writeExpected(BinaryWriter out, ExpectedVersion expected) {
        out.u8(expected.kind().ordinal());
        out.i64(expected.kind() == ExpectedVersion.Kind.EXACTLY ? expected.version() : 0);
    }

    public static ExpectedVersion readExpected(BinaryReader in) {
        int kind = in.u8();
        long version = in.i64();
        ExpectedVersion.Kind[] kinds = ExpectedVersion.Kind.values();
        if (kind >= kinds.length) {
            throw new MalformedMessageException("unknown expected-version kind " + kind);
        }
        switch (kinds[kind]) {
            case ANY:
                return ExpectedVersion.any();
            case NO_STREAM:
                return ExpectedVersion.noStream();
            case STREAM_EXISTS:
                return ExpectedVersion.streamExists();
            default:
                if (version < 0) {
                    throw new MalformedMessageException("expected version must be >= 0, was " + version);
                }
                return ExpectedVersion.exactly(version);
        }
    }

    private static void writeRecorded(BinaryWriter out, RecordedEvent event) {
        out.shortText(event.stream()).i64(event.version()).i64(event.position()).uuid(event.id())
                .shortText(event.type()).i64(event.timestamp().getEpochSecond()).i32(event.timestamp().getNano())
                .bytes(event.metadata()).bytes(event.data());
    }

    private static Instant instant(long seconds, int nanos) {
        if (nanos < 0 || nanos > 999_999_999) {
            throw new MalformedMessageException("timestamp nanoseconds out of range: " + nanos);
        }
        try {
            return Instant.ofEpochSecond(seconds, nanos);
        } catch (DateTimeException e) {
            throw new MalformedMessageException("timestamp out of range: " + seconds + " s");
        }
    }
}
