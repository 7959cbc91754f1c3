package io.rewind.protocol;

import io.rewind.api.Limits;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Conversions between frames and the scalar values the protocols carry in them: ASCII words,
 * strict UTF-8 text, decimal numbers and event ids in their 36-character text form. Stateless and
 * thread-safe.
 */
public final class Frames {

    private static final String ERROR_PREFIX = "ERROR ";

    /** An empty frame: the REQ/DEALER delimiter, or an absent optional value. */
    public static final byte[] EMPTY = new byte[0];

    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** Long.MIN_VALUE has 20 characters; anything longer cannot be a long. */
    private static final int MAX_DECIMAL_CHARS = 20;

    private Frames() {
    }

    /** The ASCII (or UTF-8) bytes of {@code text}. */
    public static byte[] text(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether {@code frame} holds exactly the ASCII word {@code word}. */
    public static boolean is(byte[] frame, String word) {
        if (frame.length != word.length()) {
            // an ASCII word has one byte per char; any other word has more bytes than chars
            return word.length() < frame.length && Arrays.equals(frame, text(word));
        }
        for (int i = 0; i < frame.length; i++) {
            char c = word.charAt(i);
            if (c >= 0x80) {
                return Arrays.equals(frame, text(word));
            }
            if (frame[i] != (byte) c) {
                return false;
            }
        }
        return true;
    }

    /**
     * Decodes a frame as strict UTF-8.
     *
     * @param what names the field in the error message
     * @throws MalformedMessageException if the bytes are not well-formed UTF-8
     */
    public static String utf8(byte[] frame, String what) {
        return utf8(frame, 0, frame.length, what);
    }

    /**
     * Decodes {@code length} bytes of {@code bytes} from {@code offset} as strict UTF-8, in place.
     * ASCII, by far the most common text, is recognised and copied straight into the string.
     *
     * @param what names the field in the error message
     * @throws MalformedMessageException if the bytes are not well-formed UTF-8
     */
    public static String utf8(byte[] bytes, int offset, int length, String what) {
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (bytes[i] < 0) {
                return strictUtf8(bytes, offset, length, what);
            }
        }
        return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }

    private static String strictUtf8(byte[] bytes, int offset, int length, String what) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes, offset, length));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new MalformedMessageException(what + " is not well-formed UTF-8");
        }
    }

    /**
     * Decodes a stream name: 1 to {@link Limits#MAX_STREAM_NAME_BYTES} bytes of well-formed UTF-8.
     *
     * @throws MalformedMessageException naming what is wrong with it
     */
    public static String streamName(byte[] frame) {
        if (frame.length == 0) {
            throw new MalformedMessageException("Invalid stream name: it is empty");
        }
        if (frame.length > Limits.MAX_STREAM_NAME_BYTES) {
            throw new MalformedMessageException("Invalid stream name: it is " + frame.length
                    + " bytes, the limit is " + Limits.MAX_STREAM_NAME_BYTES);
        }
        return utf8(frame, "Invalid stream name: it");
    }

    /** The one-frame legacy error {@code ERROR <reason>}. */
    public static byte[] error(String reason) {
        return text(ERROR_PREFIX + reason);
    }

    /** The reason of a one-frame legacy error, or null when {@code frame} is not one. */
    public static String errorReason(byte[] frame) {
        String text = utf8(frame, "reply");
        return text.startsWith(ERROR_PREFIX) ? text.substring(ERROR_PREFIX.length()) : null;
    }

    /** A printable, bounded rendering of a frame for log lines and error reasons. */
    public static String printable(byte[] frame) {
        int shown = Math.min(frame.length, 40);
        StringBuilder out = new StringBuilder(shown + 8);
        for (int i = 0; i < shown; i++) {
            int b = frame[i] & 0xff;
            out.append(b >= 0x20 && b < 0x7f ? (char) b : '?');
        }
        if (frame.length > shown) {
            out.append("...(").append(frame.length).append(" bytes)");
        }
        return out.toString();
    }

    /** The decimal text of {@code value}. */
    public static byte[] decimal(long value) {
        return text(Long.toString(value));
    }

    /**
     * Parses a decimal frame.
     *
     * @throws MalformedMessageException naming {@code what} when it is not a decimal number
     */
    public static long parseDecimal(byte[] frame, String what) {
        if (frame.length == 0 || frame.length > MAX_DECIMAL_CHARS) {
            throw new MalformedMessageException(what + " is not a decimal number: '" + printable(frame) + "'");
        }
        String text = new String(frame, StandardCharsets.ISO_8859_1);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new MalformedMessageException(what + " is not a decimal number: '" + printable(frame) + "'");
        }
    }

    /** Parses a decimal frame that must lie in {@code [min, max]}. */
    public static int parseInt(byte[] frame, String what, int min, int max) {
        long value = parseDecimal(frame, what);
        if (value < min || value > max) {
            throw new MalformedMessageException(what + " must be between " + min + " and " + max + ", was " + value);
        }
        return (int) value;
    }

    /** The lower-case 36-character text form of an event id. */
    public static byte[] eventId(UUID id) {
        return text(id.toString());
    }

    /**
     * Parses an event id in its 36-character text form (either case).
     *
     * @throws MalformedMessageException if the frame is not such an id
     */
    public static UUID parseEventId(byte[] frame, String what) {
        if (frame.length != 36) {
            throw new MalformedMessageException(what + " is not an event id: '" + printable(frame) + "'");
        }
        String text = new String(frame, StandardCharsets.ISO_8859_1);
        if (!UUID_TEXT.matcher(text).matches()) {
            throw new MalformedMessageException(what + " is not an event id: '" + printable(frame) + "'");
        }
        return UUID.fromString(text);
    }

    /** Parses an optional event id: an empty frame means none (returns null). */
    public static UUID parseOptionalEventId(byte[] frame, String what) {
        return frame.length == 0 ? null : parseEventId(frame, what);
    }

    /** Throws unless {@code frames} has exactly {@code count} frames. */
    public static void requireCount(List<byte[]> frames, int count, String command) {
        if (frames.size() != count) {
            throw new MalformedMessageException("Wrong number of frames for " + command + ": expected " + count
                    + ", got " + frames.size() + ".");
        }
    }
}
