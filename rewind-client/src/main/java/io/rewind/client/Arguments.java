package io.rewind.client;

import io.rewind.api.InvalidRequestException;
import io.rewind.api.Limits;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Checks, before encoding, the arguments the wire cannot carry faithfully. Java's UTF-8 encoder
 * silently turns a lone surrogate into '?', so such text must be refused here, as the embedded
 * store refuses it, instead of reaching the server as a different name. Stateless.
 */
final class Arguments {

    private Arguments() {
    }

    static <T> T requireNonNull(T value, String what) {
        if (value == null) {
            throw new InvalidRequestException(what + " must not be null");
        }
        return value;
    }

    /**
     * Checks a name-like text (a stream-name prefix, a listing cursor): well-formed Unicode of at
     * most {@link Limits#MAX_STREAM_NAME_BYTES} bytes of UTF-8, the most the command frame holds and
     * the longest a stream name can be. Null stands for "".
     */
    static String nameText(String text, String what) {
        if (text == null) {
            return "";
        }
        int bytes;
        try {
            bytes = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(text)).remaining();
        } catch (CharacterCodingException e) {
            throw new InvalidRequestException(what + " is not well-formed Unicode (lone surrogate)");
        }
        if (bytes > Limits.MAX_STREAM_NAME_BYTES) {
            throw new InvalidRequestException(what + " is " + bytes + " bytes of UTF-8, the limit is "
                    + Limits.MAX_STREAM_NAME_BYTES);
        }
        return text;
    }
}
