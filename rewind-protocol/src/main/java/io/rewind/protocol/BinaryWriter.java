package io.rewind.protocol;

import io.rewind.api.InvalidRequestException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.UUID;

/**
 * Writes the big-endian binary fields of Rewind's own structured frames (see docs/PROTOCOL.md)
 * into a growable byte array: ints and longs in one store each, text encoded to UTF-8 straight into
 * the array. A writer sized exactly for its frame hands that array over without a copy. Not
 * thread-safe: one writer builds one frame.
 */
public final class BinaryWriter {

    /** The most UTF-8 bytes a short text may have: its length travels in one byte. */
    public static final int MAX_SHORT_TEXT_BYTES = 255;

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    /** What {@link String#getBytes} writes for a char it cannot encode: a lone surrogate. */
    private static final byte REPLACEMENT = '?';

    private byte[] buffer;
    private int position;
    /**
     * The bytes this writer may still write in place: {@code buffer.length}, or 0 once
     * {@link #toByteArray()} has handed {@code buffer} out, so that the next write copies it first
     * and the array handed out never changes.
     */
    private int limit;

    /** @param expectedSize the capacity to start with; a frame of exactly this size is handed over uncopied */
    public BinaryWriter(int expectedSize) {
        this.buffer = new byte[Math.max(0, expectedSize)];
        this.limit = buffer.length;
    }

    public BinaryWriter u8(int value) {
        ensure(1);
        buffer[position++] = (byte) value;
        return this;
    }

    public BinaryWriter i32(int value) {
        ensure(Integer.BYTES);
        INT.set(buffer, position, value);
        position += Integer.BYTES;
        return this;
    }

    public BinaryWriter i64(long value) {
        ensure(Long.BYTES);
        LONG.set(buffer, position, value);
        position += Long.BYTES;
        return this;
    }

    public BinaryWriter uuid(UUID id) {
        ensure(2 * Long.BYTES);
        LONG.set(buffer, position, id.getMostSignificantBits());
        LONG.set(buffer, position + Long.BYTES, id.getLeastSignificantBits());
        position += 2 * Long.BYTES;
        return this;
    }

    /**
     * A string of at most 255 UTF-8 bytes: u8 length, then the bytes, exactly those of
     * {@code text.getBytes(UTF_8)} (a lone surrogate becomes {@code '?'}).
     *
     * @throws InvalidRequestException if the text has more than 255 bytes of UTF-8; nothing is written then
     */
    public BinaryWriter shortText(String text) {
        int start = position;
        u8(0);
        int length = utf8(text);
        if (length > MAX_SHORT_TEXT_BYTES) {
            position = start;
            throw new InvalidRequestException("text is " + length + " bytes of UTF-8, the limit is 255");
        }
        buffer[start] = (byte) length;
        return this;
    }

    /** A byte string: i32 length, then the bytes. */
    public BinaryWriter bytes(byte[] bytes) {
        i32(bytes.length);
        return raw(bytes);
    }

    /** The bytes alone, without a length. */
    public BinaryWriter raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, position, bytes.length);
        position += bytes.length;
        return this;
    }

    public int size() {
        return position;
    }

    /**
     * The bytes written. When they fill the capacity exactly, the writer's own array is returned
     * and the writer copies it before writing more, so the array returned never changes.
     */
    public byte[] toByteArray() {
        if (position != buffer.length) {
            return Arrays.copyOf(buffer, position);
        }
        limit = 0;
        return buffer;
    }

    /**
     * The number of bytes {@link #shortText} writes after its length byte: those of
     * {@code text.getBytes(UTF_8)}, counted without encoding.
     */
    public static int utf8Length(String text) {
        int length = text.length();
        int bytes = length;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < length
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    bytes += 2; // two chars, four bytes
                    i++;
                } else if (!Character.isSurrogate(c)) {
                    bytes += 2;
                }
                // a lone surrogate is one '?' byte: already counted
            }
        }
        return bytes;
    }

    /** Encodes {@code text} as {@link String#getBytes} does with UTF-8; returns the byte count. */
    private int utf8(String text) {
        int length = text.length();
        ensure(length);
        int i = 0;
        // Fast path: ASCII, one byte per char, capacity already ensured.
        while (i < length) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                break;
            }
            buffer[position++] = (byte) c;
            i++;
        }
        int written = i;
        for (; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                u8(c);
                written += 1;
            } else if (c < 0x800) {
                ensure(2);
                buffer[position++] = (byte) (0xc0 | c >> 6);
                buffer[position++] = (byte) (0x80 | c & 0x3f);
                written += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                int codePoint = Character.toCodePoint(c, text.charAt(++i));
                ensure(4);
                buffer[position++] = (byte) (0xf0 | codePoint >> 18);
                buffer[position++] = (byte) (0x80 | codePoint >> 12 & 0x3f);
                buffer[position++] = (byte) (0x80 | codePoint >> 6 & 0x3f);
                buffer[position++] = (byte) (0x80 | codePoint & 0x3f);
                written += 4;
            } else if (Character.isSurrogate(c)) {
                u8(REPLACEMENT);
                written += 1;
            } else {
                ensure(3);
                buffer[position++] = (byte) (0xe0 | c >> 12);
                buffer[position++] = (byte) (0x80 | c >> 6 & 0x3f);
                buffer[position++] = (byte) (0x80 | c & 0x3f);
                written += 3;
            }
        }
        return written;
    }

    private void ensure(int bytes) {
        if (bytes > limit - position) {
            grow(bytes);
        }
    }

    /** Copies into a larger array (or, after {@link #toByteArray()}, into a private one). */
    private void grow(int bytes) {
        long needed = (long) position + bytes;
        if (needed > Integer.MAX_VALUE - 8) {
            throw new InvalidRequestException("a frame cannot hold " + needed + " bytes");
        }
        int capacity = (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 8L, Math.max(16L, 2L * buffer.length)));
        buffer = Arrays.copyOf(buffer, capacity);
        limit = capacity;
    }
}
