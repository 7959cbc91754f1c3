package io.rewind.api;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Limits every store enforces the same way, and the validation of names against them.
 * Stateless and thread-safe.
 */
public final class Limits {

    /** A stream name is 1 to 255 bytes of well-formed UTF-8 (GoRewind's rule). */
    public static final int MAX_STREAM_NAME_BYTES = 255;
    /** An event type is 0 to 255 bytes of well-formed UTF-8. */
    public static final int MAX_TYPE_BYTES = 255;
    /** The most events one append may carry, over all its streams. */
    public static final int MAX_EVENTS_PER_APPEND = 100_000;
    /**
     * The largest limit a read or a stream listing accepts; a limit below 1 or above it is an
     * {@link InvalidRequestException}, as {@link EventStore} says.
     */
    public static final int MAX_READ_LIMIT = 10_000;

    /**
     * The order of stream names in listings: by Unicode code point, which is the order of their
     * UTF-8 bytes compared unsigned (and of PostgreSQL's "C" collation), unlike
     * {@link String#compareTo}, which compares UTF-16 units.
     */
    public static final java.util.Comparator<String> STREAM_NAME_ORDER = Limits::compareCodePoints;

    private Limits() {
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /**
     * Checks a stream name and returns its UTF-8 bytes.
     *
     * @throws InvalidRequestException naming what is wrong with it
     */
    public static byte[] checkStreamName(String stream) {
        if (stream == null || stream.isEmpty()) {
            throw new InvalidRequestException("stream name must not be empty");
        }
        byte[] bytes = strictUtf8(stream, "stream name");
        if (bytes.length > MAX_STREAM_NAME_BYTES) {
            throw new InvalidRequestException("stream name is " + bytes.length
                    + " bytes of UTF-8, the limit is " + MAX_STREAM_NAME_BYTES);
        }
        return bytes;
    }

    /**
     * Checks an event type and returns its UTF-8 bytes.
     *
     * @throws InvalidRequestException naming what is wrong with it
     */
    public static byte[] checkType(String type) {
        if (type == null) {
            throw new InvalidRequestException("event type must not be null (use \"\" for none)");
        }
        byte[] bytes = strictUtf8(type, "event type");
        if (bytes.length > MAX_TYPE_BYTES) {
            throw new InvalidRequestException("event type is " + bytes.length
                    + " bytes of UTF-8, the limit is " + MAX_TYPE_BYTES);
        }
        return bytes;
    }

    /**
     * Checks a stream-name prefix ("" stands for every stream) and returns its UTF-8 bytes: at most
     * {@link #MAX_STREAM_NAME_BYTES}, as no longer name could match it.
     *
     * @throws InvalidRequestException naming what is wrong with it
     */
    public static byte[] checkStreamPrefix(String prefix) {
        if (prefix == null) {
            throw new InvalidRequestException("stream prefix must not be null (use \"\" for every stream)");
        }
        byte[] bytes = strictUtf8(prefix, "stream prefix");
        if (bytes.length > MAX_STREAM_NAME_BYTES) {
            throw new InvalidRequestException("stream prefix is " + bytes.length
                    + " bytes of UTF-8, the limit is " + MAX_STREAM_NAME_BYTES);
        }
        return bytes;
    }

    /**
     * Checks a name-like text (a stream-name prefix, a listing cursor): well-formed Unicode of at
     * most {@link #MAX_STREAM_NAME_BYTES} bytes of UTF-8, the longest a stream name can be.
     *
     * @return the text, or "" for null
     * @throws InvalidRequestException naming {@code what} and what is wrong with it
     */
    public static String checkNameText(String text, String what) {
        if (text == null) {
            return "";
        }
        byte[] bytes = strictUtf8(text, what);
        if (bytes.length > MAX_STREAM_NAME_BYTES) {
            throw new InvalidRequestException(what + " is " + bytes.length + " bytes of UTF-8, the limit is "
                    + MAX_STREAM_NAME_BYTES);
        }
        return text;
    }

    /** The number of UTF-8 bytes of a well-formed string, without encoding it. */
    static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static byte[] strictUtf8(String text, String what) {
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            ByteBuffer encoded = encoder.encode(CharBuffer.wrap(text));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new InvalidRequestException(what + " is not well-formed Unicode (lone surrogate)");
        }
    }
}
