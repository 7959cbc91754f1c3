package io.rewind.protocol;

import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * Reads what {@link BinaryWriter} wrote. Every read checks the remaining length first, so a
 * truncated or lying frame yields a {@link MalformedMessageException}, never an unchecked error or
 * a huge allocation. Not thread-safe.
 */
public final class BinaryReader {

    private final ByteBuffer buffer;
    private final String what;

    /** @param what names the frame in error messages */
    public BinaryReader(byte[] frame, String what) {
        this.buffer = ByteBuffer.wrap(frame);
        this.what = what;
    }

    public int u8() {
        need(1);
        return buffer.get() & 0xff;
    }

    public int i32() {
        need(4);
        return buffer.getInt();
    }

    public long i64() {
        need(8);
        return buffer.getLong();
    }

    public UUID uuid() {
        need(16);
        return new UUID(buffer.getLong(), buffer.getLong());
    }

    /** A length, checked to be non-negative and at most what is left in the frame. */
    public int length(int elementSize) {
        int length = i32();
        if (length < 0 || (long) length * elementSize > buffer.remaining()) {
            throw new MalformedMessageException(what + " declares " + length + " entries but holds only "
                    + buffer.remaining() + " more bytes");
        }
        return length;
    }

    public String shortText(String field) {
        int length = u8();
        need(length);
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return Frames.utf8(bytes, field);
    }

    public byte[] bytes() {
        int length = length(1);
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }

    public boolean hasRemaining() {
        return buffer.hasRemaining();
    }

    /** Throws unless the whole frame was read: trailing bytes mean the layout was not understood. */
    public void requireEnd() {
        if (buffer.hasRemaining()) {
            throw new MalformedMessageException(what + " has " + buffer.remaining() + " unexpected trailing bytes");
        }
    }

    private void need(int bytes) {
        if (buffer.remaining() < bytes) {
            throw new MalformedMessageException(what + " is truncated: needed " + bytes + " more bytes, "
                    + buffer.remaining() + " left");
        }
    }
}
