package io.rewind.log;

import io.rewind.api.RecordedEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The byte layout of one record in a segment, and its encoding and checking. Stateless; every
 * method works on absolute offsets of a buffer and leaves its position alone (except
 * {@link #encode}, which appends at the position). Thread-safe; the {@link CRC32C} passed in is
 * the caller's.
 *
 * <pre>
 * offset size  field
 *  0     4     body length L (int, big-endian): the bytes after the CRC
 *  4     4     CRC-32C of the L body bytes
 *  8     8     position (global, dense)
 * 16     8     stream version
 * 24     8     timestamp, microseconds since the Unix epoch
 * 32     1     flags: bit 0 COMMIT (last record of an append); other bits 0
 * 33     1     stream name length S (1..255)
 * 34     1     type length T (0..255)
 * 35     8     event id, most significant bits
 * 43     8     event id, least significant bits
 * 51     4     metadata length M
 * 55     4     data length D
 * 59     S     stream name, UTF-8
 * 59+S   T     type, UTF-8
 * ..     M     metadata
 * ..     D     data
 * </pre>
 * L = 51 + S + T + M + D. All integers big-endian.
 */
final class RecordCodec {

    static final int FRAME_BYTES = 8;
    static final int BODY_FIXED_BYTES = 51;
    /** The size of a record with empty names and payload: frame plus fixed body. */
    static final int FIXED_BYTES = FRAME_BYTES + BODY_FIXED_BYTES;
    /** The largest body a valid record can have; a larger length field is corruption or garbage. */
    static final int MAX_BODY_BYTES = BODY_FIXED_BYTES + 255 + 255 + LogConfig.MAX_MAX_EVENT_BYTES;

    static final int FLAG_COMMIT = 1;

    private static final int LENGTH = 0;
    private static final int CRC = 4;
    private static final int POSITION = 8;
    private static final int VERSION = 16;
    private static final int TIMESTAMP = 24;
    private static final int FLAGS = 32;
    private static final int STREAM_LENGTH = 33;
    private static final int TYPE_LENGTH = 34;
    private static final int ID_MOST = 35;
    private static final int ID_LEAST = 43;
    private static final int METADATA_LENGTH = 51;
    private static final int DATA_LENGTH = 55;
    private static final int STREAM = 59;

    /** The outcome of {@link #check}: a record is valid only if its length and checksum hold. */
    enum Check {
        /** Length, checksum and layout hold. */
        VALID,
        /** The buffer ends before the record does (a torn write, if at the end of the log). */
        INCOMPLETE,
        /** The length field is impossible. */
        BAD_LENGTH,
        /** The checksum does not match the body. */
        BAD_CRC,
        /** Checksum holds but the field lengths do not add up, or unknown flags are set. */
        BAD_LAYOUT
    }

    private RecordCodec() {
    }

    /** The encoded size of a record with these field sizes. */
    static int recordSize(int streamBytes, int typeBytes, int metadataBytes, int dataBytes) {
        return FIXED_BYTES + streamBytes + typeBytes + metadataBytes + dataBytes;
    }

    /**
     * Appends one record at the buffer's position, which must have room for
     * {@link #recordSize} bytes.
     */
    static void encode(ByteBuffer buffer, long position, long version, long timestampMicros, boolean commit,
            byte[] stream, byte[] type, UUID id, byte[] metadata, byte[] data, CRC32C crc) {
        int start = buffer.position();
        int bodyLength = BODY_FIXED_BYTES + stream.length + type.length + metadata.length + data.length;
        buffer.putInt(bodyLength).putInt(0)
                .putLong(position).putLong(version).putLong(timestampMicros)
                .put((byte) (commit ? FLAG_COMMIT : 0))
                .put((byte) stream.length).put((byte) type.length)
                .putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits())
                .putInt(metadata.length).putInt(data.length)
                .put(stream).put(type).put(metadata).put(data);
        buffer.putInt(start + CRC, computeCrc(buffer, start, bodyLength, crc));
    }

    /**
     * Checks the record at {@code at}, given that the valid bytes of the buffer end at
     * {@code end}.
     */
    static Check check(ByteBuffer buffer, int at, int end, CRC32C crc) {
        if (end - at < FRAME_BYTES) {
            return Check.INCOMPLETE;
        }
        int bodyLength = buffer.getInt(at + LENGTH);
        if (bodyLength < BODY_FIXED_BYTES + 1 || bodyLength > MAX_BODY_BYTES) {
            return Check.BAD_LENGTH;
        }
        if ((long) end - at < FRAME_BYTES + (long) bodyLength) {
            return Check.INCOMPLETE;
        }
        if (computeCrc(buffer, at, bodyLength, crc) != storedCrc(buffer, at)) {
            return Check.BAD_CRC;
        }
        int declared = BODY_FIXED_BYTES + streamLength(buffer, at) + typeLength(buffer, at)
                + buffer.getInt(at + METADATA_LENGTH) + buffer.getInt(at + DATA_LENGTH);
        boolean lengthsAddUp = buffer.getInt(at + METADATA_LENGTH) >= 0 && buffer.getInt(at + DATA_LENGTH) >= 0
                && declared == bodyLength && streamLength(buffer, at) > 0;
        boolean flagsKnown = (buffer.get(at + FLAGS) & ~FLAG_COMMIT) == 0;
        return lengthsAddUp && flagsKnown ? Check.VALID : Check.BAD_LAYOUT;
    }

    /**
     * Describes why the record at {@code at} (file offset {@code fileOffset}) failed
     * {@link #check}, with expected and actual values.
     */
    static String describe(Check check, ByteBuffer buffer, int at, int end, java.nio.file.Path file,
            long fileOffset, CRC32C crc) {
        String where = "record at offset " + fileOffset + " of " + file;
        return switch (check) {
            case VALID -> where + " is valid";
            case INCOMPLETE -> where + " is incomplete: " + (end - at) + " bytes remain"
                    + (end - at >= FRAME_BYTES ? " but its length field says " + totalSize(buffer, at) : "");
            case BAD_LENGTH -> where + " has an impossible body length " + bodyLength(buffer, at)
                    + " (expected " + (BODY_FIXED_BYTES + 1) + " to " + MAX_BODY_BYTES + ")";
            case BAD_CRC -> String.format("%s fails its checksum: stored CRC-32C %08x, computed %08x", where,
                    storedCrc(buffer, at), computeCrc(buffer, at, bodyLength(buffer, at), crc));
            case BAD_LAYOUT -> where + " has a valid checksum but inconsistent field lengths or unknown flags";
        };
    }

    /** The whole size (frame and body) of the record at {@code at}, from its length field. */
    static int totalSize(ByteBuffer buffer, int at) {
        return FRAME_BYTES + buffer.getInt(at + LENGTH);
    }

    static int bodyLength(ByteBuffer buffer, int at) {
        return buffer.getInt(at + LENGTH);
    }

    static int storedCrc(ByteBuffer buffer, int at) {
        return buffer.getInt(at + CRC);
    }

    /** The CRC-32C of the {@code bodyLength} body bytes of the record at {@code at}. */
    static int computeCrc(ByteBuffer buffer, int at, int bodyLength, CRC32C crc) {
        crc.reset();
        ByteBuffer body = buffer.duplicate();
        body.limit(at + FRAME_BYTES + bodyLength).position(at + FRAME_BYTES);
        crc.update(body);
        return (int) crc.getValue();
    }

    static long position(ByteBuffer buffer, int at) {
        return buffer.getLong(at + POSITION);
    }

    static long version(ByteBuffer buffer, int at) {
        return buffer.getLong(at + VERSION);
    }

    static long timestampMicros(ByteBuffer buffer, int at) {
        return buffer.getLong(at + TIMESTAMP);
    }

    static boolean isCommit(ByteBuffer buffer, int at) {
        return (buffer.get(at + FLAGS) & FLAG_COMMIT) != 0;
    }

    static long idMost(ByteBuffer buffer, int at) {
        return buffer.getLong(at + ID_MOST);
    }

    static long idLeast(ByteBuffer buffer, int at) {
        return buffer.getLong(at + ID_LEAST);
    }

    static String stream(ByteBuffer buffer, int at) {
        return string(buffer, at + STREAM, streamLength(buffer, at));
    }

    /** Whether the record's stream name is {@code expected} (its UTF-8 bytes), without decoding it. */
    static boolean streamEquals(ByteBuffer buffer, int at, byte[] expected) {
        if (streamLength(buffer, at) != expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (buffer.get(at + STREAM + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** Decodes a record that {@link #check} found valid. */
    static RecordedEvent decode(ByteBuffer buffer, int at) {
        int streamLength = streamLength(buffer, at);
        int typeLength = typeLength(buffer, at);
        int metadataLength = buffer.getInt(at + METADATA_LENGTH);
        int dataLength = buffer.getInt(at + DATA_LENGTH);
        int typeAt = at + STREAM + streamLength;
        int metadataAt = typeAt + typeLength;
        return new RecordedEvent(
                stream(buffer, at),
                version(buffer, at),
                position(buffer, at),
                new UUID(idMost(buffer, at), idLeast(buffer, at)),
                string(buffer, typeAt, typeLength),
                toInstant(timestampMicros(buffer, at)),
                bytes(buffer, metadataAt + metadataLength, dataLength),
                bytes(buffer, metadataAt, metadataLength));
    }

    static Instant toInstant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /** Microseconds since the epoch, rounded down (timestamps are stored with microsecond precision). */
    static long toMicros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000L);
    }

    private static int streamLength(ByteBuffer buffer, int at) {
        return buffer.get(at + STREAM_LENGTH) & 0xFF;
    }

    private static int typeLength(ByteBuffer buffer, int at) {
        return buffer.get(at + TYPE_LENGTH) & 0xFF;
    }

    private static String string(ByteBuffer buffer, int at, int length) {
        return new String(bytes(buffer, at, length), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer buffer, int at, int length) {
        byte[] bytes = new byte[length];
        buffer.get(at, bytes);
        return bytes;
    }
}
