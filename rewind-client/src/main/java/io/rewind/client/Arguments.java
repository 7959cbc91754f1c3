package io.rewind.client;

import io.rewind.api.InvalidRequestException;
import io.rewind.api.Limits;

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
     * Checks a name-like text (a stream-name prefix, a listing cursor) as every store does: see
     * {@link Limits#checkNameText}. Null stands for "".
     */
    static String nameText(String text, String what) {
        return Limits.checkNameText(text, what);
    }
}
