package io.rewind.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.UUID;

/**
 * Reads what {@link BinaryWriter} wrote, in place in the frame's array: a record inside a record
 * frame is read through a {@link #record view} of its bytes, not a copy. Every read checks the
 * remaining length first, so a truncated or lying frame yields a {@link MalformedMessageException},
 * never an unchecked error or a huge allocation. Not thread-safe.
 */
public final class BinaryReader {

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] frame;
    private final String what;
    /** The next byte to read; {@code position <= end} always. */
    private int position;
    /** One past the last byte this reader may read. */
    private final int end;

    /** @param what names the frame in error messages */
    public BinaryReader(byte[] frame, String what) {
        this(frame, 0, frame.length, what);
    }

    private BinaryReader(byte[] frame, int offset, int end, String what) {
        this.frame = frame;
        this.position = offset;
        this.end = end;
        this.what = what;
    }

    public int u8() {
        need(1);
        return frame[position++] & 0xff;
    }

    public int i32() {
        need(Integer.BYTES);
        int value = (int) INT.get(frame, position);
        position += Integer.BYTES;
        return value;
    }

    public long i64() {
        need(Long.BYTES);
        long value = (long) LONG.get(frame, position);
        position += Long.BYTES;
        return value;
    }

    public UUID uuid() {
        need(2 * Long.BYTES);
        UUID id = new UUID((long) LONG.get(frame, position), (long) LONG.get(frame, position + Long.BYTES));
        position += 2 * Long.BYTES;
        return id;
    }

    /** A length, checked to be non-negative and at most what is left in the frame. */
    public int length(int elementSize) {
        int length = i32();
        if (length < 0 || (long) length * elementSize > remaining()) {
            throw new MalformedMessageException(what + " declares " + length + " entries but holds only "
                    + remaining() + " more bytes");
        }
        return length;
    }

    public String shortText(String field) {
        int length = u8();
        need(length);
        String text = Frames.utf8(frame, position, length, field);
        position += length;
        return text;
    }

    public byte[] bytes() {
        int length = length(1);
        byte[] bytes = Arrays.copyOfRange(frame, position, position + length);
        position += length;
        return bytes;
    }

    /**
     * A byte string read in place: a reader over its bytes (named {@code recordWhat} in errors),
     * sharing this reader's array. This reader moves past it.
     */
    public BinaryReader record(String recordWhat) {
        int length = length(1);
        BinaryReader record = new BinaryReader(frame, position, position + length, recordWhat);
        position += length;
        return record;
    }

    public boolean hasRemaining() {
        return position < end;
    }

    /** Throws unless the whole frame was read: trailing bytes mean the layout was not understood. */
    public void requireEnd() {
        if (hasRemaining()) {
            throw new MalformedMessageException(what + " has " + remaining() + " unexpected trailing bytes");
        }
    }

    private int remaining() {
        return end - position;
    }

    private void need(int bytes) {
        if (remaining() < bytes) {
            throw new MalformedMessageException(what + " is truncated: needed " + bytes + " more bytes, "
                    + remaining() + " left");
        }
    }
}
