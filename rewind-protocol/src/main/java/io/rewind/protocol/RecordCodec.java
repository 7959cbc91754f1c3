package io.rewind.protocol;

import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import io.rewind.api.SubscriptionEvent;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

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
    private static final int UUID_BYTES = 2 * Long.BYTES;
    /** The kinds by wire number, read without the copy {@code values()} makes on every call. */
    private static final ExpectedVersion.Kind[] EXPECTED_KINDS = ExpectedVersion.Kind.values();

    /** A record that is already encoded: its bytes as they are. */
    private static final RecordLayout<byte[]> RAW = new RecordLayout<>() {
        @Override
        public int size(byte[] record) {
            return record.length;
        }

        @Override
        public void write(BinaryWriter out, byte[] record) {
            out.raw(record);
        }
    };

    /** The layout of {@link #eventData(EventData)}. */
    public static final RecordLayout<EventData> EVENT_DATA = new RecordLayout<>() {
        @Override
        public int size(EventData event) {
            return 1 + (event.id() == null ? 0 : UUID_BYTES) + shortTextSize(event.type())
                    + Integer.BYTES + event.metadataSize() + Integer.BYTES + event.dataSize();
        }

        @Override
        public void write(BinaryWriter out, EventData event) {
            out.u8(event.id() == null ? 0 : FLAG_HAS_ID);
            if (event.id() != null) {
                out.uuid(event.id());
            }
            out.shortText(event.type());
            bytes(out, event.metadataSize(), event::metadata);
            bytes(out, event.dataSize(), event::data);
        }
    };

    /** The layout of {@link #recordedEvent(RecordedEvent)}. */
    public static final RecordLayout<RecordedEvent> RECORDED_EVENT = new RecordLayout<>() {
        @Override
        public int size(RecordedEvent event) {
            return shortTextSize(event.stream()) + 2 * Long.BYTES + UUID_BYTES + shortTextSize(event.type())
                    + Long.BYTES + Integer.BYTES + Integer.BYTES + event.metadataSize()
                    + Integer.BYTES + event.dataSize();
        }

        @Override
        public void write(BinaryWriter out, RecordedEvent event) {
            out.shortText(event.stream()).i64(event.version()).i64(event.position()).uuid(event.id())
                    .shortText(event.type()).i64(event.timestamp().getEpochSecond()).i32(event.timestamp().getNano());
            bytes(out, event.metadataSize(), event::metadata);
            bytes(out, event.dataSize(), event::data);
        }
    };

    /** The layout of {@link #subscriptionEvent(SubscriptionEvent)}. */
    public static final RecordLayout<SubscriptionEvent> SUBSCRIPTION_EVENT = new RecordLayout<>() {
        @Override
        public int size(SubscriptionEvent delivered) {
            return Long.BYTES + RECORDED_EVENT.size(delivered.event());
        }

        @Override
        public void write(BinaryWriter out, SubscriptionEvent delivered) {
            out.i64(delivered.previousPosition());
            RECORDED_EVENT.write(out, delivered.event());
        }
    };

    /** The layout of {@link #streamInfo(StreamInfo)}. */
    public static final RecordLayout<StreamInfo> STREAM_INFO = new RecordLayout<>() {
        @Override
        public int size(StreamInfo info) {
            return shortTextSize(info.stream()) + 3 * Long.BYTES;
        }

        @Override
        public void write(BinaryWriter out, StreamInfo info) {
            out.shortText(info.stream()).i64(info.headVersion()).i64(info.firstPosition()).i64(info.lastPosition());
        }
    };

    private RecordCodec() {
    }

    /** Packs encoded records into record frames. */
    public static List<byte[]> pack(List<byte[]> records) {
        return packAll(records, RAW);
    }

    /**
     * Encodes each value with {@code layout} straight into its record frame. The sizes of all
     * records are computed first, so each frame is allocated once at its exact length and no
     * record is copied after it is written.
     */
    public static <T> List<byte[]> packAll(List<T> values, RecordLayout<T> layout) {
        int count = values.size();
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
            sizes[i] = layout.size(values.get(i));
        }
        List<byte[]> frames = new ArrayList<>(1);
        int first = 0;
        while (first < count) {
            long frameBytes = Integer.BYTES + (long) sizes[first];
            int end = first + 1;
            while (end < count && frameBytes + Integer.BYTES + sizes[end] <= PACK_TARGET_BYTES) {
                frameBytes += Integer.BYTES + sizes[end];
                end++;
            }
            if (frameBytes > Integer.MAX_VALUE - 8) {
                throw new InvalidRequestException("a record of " + sizes[first] + " bytes does not fit in a frame");
            }
            BinaryWriter out = new BinaryWriter((int) frameBytes);
            for (int i = first; i < end; i++) {
                out.i32(sizes[i]);
                layout.write(out, values.get(i));
            }
            frames.add(requireWritten(out, (int) frameBytes, values.get(first)));
            first = end;
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
                BinaryReader record = reader.record(what);
                values.add(decoder.apply(record));
                record.requireEnd();
            }
        }
        return values;
    }

    /** The bytes of {@code out}, after checking that a layout wrote exactly the size it announced. */
    static byte[] requireWritten(BinaryWriter out, int announced, Object value) {
        if (out.size() != announced) {
            throw new IllegalStateException("a record layout announced " + announced + " bytes but wrote "
                    + out.size() + " for " + value);
        }
        return out.toByteArray();
    }

    /** u8 flags (bit 0: id present), [uuid id], short text type, bytes metadata, bytes data. */
    public static byte[] eventData(EventData event) {
        return EVENT_DATA.encode(event);
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
        return RECORDED_EVENT.encode(event);
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
        return SUBSCRIPTION_EVENT.encode(delivered);
    }

    public static SubscriptionEvent subscriptionEvent(BinaryReader in) {
        long previous = in.i64();
        return new SubscriptionEvent(recordedEvent(in), previous);
    }

    /** short text stream, i64 head version, i64 first position, i64 last position. */
    public static byte[] streamInfo(StreamInfo info) {
        return STREAM_INFO.encode(info);
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
        if (kind >= EXPECTED_KINDS.length) {
            throw new MalformedMessageException("unknown expected-version kind " + kind);
        }
        switch (EXPECTED_KINDS[kind]) {
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

    /** The size of a short text field: its length byte and its UTF-8 bytes. */
    public static int shortTextSize(String text) {
        return 1 + BinaryWriter.utf8Length(text);
    }

    /**
     * Writes a byte string whose length is known without the copy the accessor makes: an empty one
     * (most metadata) costs no copy at all.
     */
    private static void bytes(BinaryWriter out, int size, Supplier<byte[]> copy) {
        if (size == 0) {
            out.i32(0);
        } else {
            out.bytes(copy.get());
        }
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
