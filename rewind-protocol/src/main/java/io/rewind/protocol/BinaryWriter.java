package io.rewind.protocol;

import io.rewind.api.InvalidRequestException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Writes the big-endian binary fields of Rewind's own structured frames (see docs/PROTOCOL.md).
 * Not thread-safe: one writer builds one frame.
 */
public final class BinaryWriter {

    private final ByteArrayOutputStream out;

    public BinaryWriter(int expectedSize) {
        this.out = new ByteArrayOutputStream(Math.max(16, expectedSize));
    }

    public BinaryWriter u8(int value) {
        out.write(value);
        return this;
    }

    public BinaryWriter i32(int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
        return this;
    }

    public BinaryWriter i64(long value) {
        i32((int) (value >>> 32));
        return i32((int) value);
    }

    public BinaryWriter uuid(UUID id) {
        i64(id.getMostSignificantBits());
        return i64(id.getLeastSignificantBits());
    }

    /** A string of at most 255 UTF-8 bytes: u8 length, then the bytes. */
    public BinaryWriter shortText(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 255) {
            throw new InvalidRequestException("text is " + bytes.length + " bytes of UTF-8, the limit is 255");
        }
        u8(bytes.length);
        out.write(bytes, 0, bytes.length);
        return this;
    }

    /** A byte string: i32 length, then the bytes. */
    public BinaryWriter bytes(byte[] bytes) {
        i32(bytes.length);
        out.write(bytes, 0, bytes.length);
        return this;
    }

    public int size() {
        return out.size();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
