package io.rewind.cluster;

import io.rewind.api.RecordedEvent;
import io.rewind.log.RecordedAppend;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The read-only queries a node far behind asks the leader, and their answers (docs/CLUSTER.md,
 * "Snapshots"). All big-endian.
 *
 * <pre>
 * APPLIED query:  u8 2                         answer: i64 term, i64 index, i64 next position
 * APPENDS query:  u8 3, i64 from, i64 end, i32 max bytes, i64 id most, i64 id least (of the asking
 *                  node's event at from - 1, or zeros when from is 0: the leader checks it is its own)
 *          answer: u8 0, then u32 appends; each: u32 events; each event: u16 stream length, stream (UTF-8),
 *                  i64 version, i64 position, i64 id most, i64 id least, u16 type length, type,
 *                  i64 timestamp (microseconds), i32 metadata length, metadata, i32 data length, data
 *          or:     u8 1, then the leader's refusal as UTF-8 (it cannot serve that page)
 * </pre>
 * A page is a list of whole appends: the format has no way to carry part of one. A refusal is an
 * answer, not a failed query: a failed read-only request closes the Ratis client's ordered
 * window, which this node's appends share.
 */
final class CatchUpCodec {

    static final byte QUERY_APPLIED = 2;
    static final byte QUERY_APPENDS = 3;

    private CatchUpCodec() {
    }

    /** The id sent with a query from position 0 (there is no event before it). */
    static final UUID NONE = new UUID(0, 0);

    static byte[] appliedQuery() {
        return new byte[] {QUERY_APPLIED};
    }

    static byte[] encodeApplied(AppliedIndex.Applied applied) {
        return ByteBuffer.allocate(24).putLong(applied.term()).putLong(applied.index())
                .putLong(applied.nextPosition()).array();
    }

    static AppliedIndex.Applied decodeApplied(ByteBuffer in) {
        try {
            return new AppliedIndex.Applied(in.getLong(), in.getLong(), in.getLong());
        } catch (BufferUnderflowException e) {
            throw new InvalidCommandException("an APPLIED answer of " + in.limit() + " bytes is not 24 bytes");
        }
    }

    /** The APPENDS query. */
    record AppendsQuery(long from, long end, int maxBytes, UUID before) {
    }

    static byte[] appendsQuery(long from, long end, int maxBytes, UUID before) {
        return ByteBuffer.allocate(37).put(QUERY_APPENDS).putLong(from).putLong(end).putInt(maxBytes)
                .putLong(before.getMostSignificantBits()).putLong(before.getLeastSignificantBits()).array();
    }

    /** Decodes an APPENDS query whose first byte (the kind) was read. */
    static AppendsQuery decodeAppendsQuery(ByteBuffer in) {
        if (in.remaining() != 36) {
            throw new InvalidCommandException("an APPENDS query must have 36 bytes after its kind, this one has "
                    + in.remaining());
        }
        return new AppendsQuery(in.getLong(), in.getLong(), in.getInt(), new UUID(in.getLong(), in.getLong()));
    }

    static byte[] encodeRefusal(String why) {
        byte[] text = why.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + text.length).put((byte) 1).put(text).array();
    }

    static byte[] encodeAppends(List<RecordedAppend> appends) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(0);
            out.writeInt(appends.size());
            for (RecordedAppend append : appends) {
                out.writeInt(append.size());
                for (RecordedEvent event : append.events()) {
                    writeString(out, event.stream());
                    out.writeLong(event.version());
                    out.writeLong(event.position());
                    out.writeLong(event.id().getMostSignificantBits());
                    out.writeLong(event.id().getLeastSignificantBits());
                    writeString(out, event.type());
                    out.writeLong(ChronoUnit.MICROS.between(Instant.EPOCH, event.timestamp()));
                    byte[] metadata = event.metadata();
                    out.writeInt(metadata.length);
                    out.write(metadata);
                    byte[] data = event.data();
                    out.writeInt(data.length);
                    out.write(data);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Decodes an APPENDS answer.
     *
     * @throws io.rewind.api.StoreFailedException carrying the leader's refusal
     * @throws InvalidCommandException            if the answer is malformed
     */
    static List<RecordedAppend> decodeAppends(ByteBuffer in) {
        try {
            byte status = in.get();
            if (status == 1) {
                byte[] text = new byte[in.remaining()];
                in.get(text);
                throw new io.rewind.api.StoreFailedException("the leader refused the copy: "
                        + new String(text, StandardCharsets.UTF_8), null);
            }
            if (status != 0) {
                throw new InvalidCommandException("an APPENDS answer has status " + status);
            }
            int count = in.getInt();
            if (count < 0) {
                throw new InvalidCommandException("an APPENDS answer claims " + count + " appends");
            }
            List<RecordedAppend> appends = new ArrayList<>(Math.min(count, 4096));
            for (int a = 0; a < count; a++) {
                int events = in.getInt();
                if (events <= 0) {
                    throw new InvalidCommandException("append " + a + " of an APPENDS answer claims " + events + " events");
                }
                List<RecordedEvent> list = new ArrayList<>(Math.min(events, 4096));
                for (int e = 0; e < events; e++) {
                    String stream = readString(in);
                    long version = in.getLong();
                    long position = in.getLong();
                    UUID id = new UUID(in.getLong(), in.getLong());
                    String type = readString(in);
                    Instant timestamp = Instant.EPOCH.plus(in.getLong(), ChronoUnit.MICROS);
                    byte[] metadata = bytes(in);
                    byte[] data = bytes(in);
                    list.add(new RecordedEvent(stream, version, position, id, type, timestamp, data, metadata));
                }
                appends.add(new RecordedAppend(list));
            }
            if (in.hasRemaining()) {
                throw new InvalidCommandException("an APPENDS answer has " + in.remaining() + " bytes after its appends");
            }
            return appends;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new InvalidCommandException("an APPENDS answer is cut short or malformed: " + e);
        }
    }

    private static void writeString(DataOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeShort(bytes.length);
        out.write(bytes);
    }

    private static String readString(ByteBuffer in) {
        byte[] bytes = new byte[Short.toUnsignedInt(in.getShort())];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new InvalidCommandException("a length of " + length + " runs past the APPENDS answer");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }
}
