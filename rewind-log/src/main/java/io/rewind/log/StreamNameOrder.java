package io.rewind.log;

import io.rewind.api.Limits;
import java.util.Comparator;

/**
 * {@link Limits#STREAM_NAME_ORDER} (Unicode code point order), computed on UTF-16 units without
 * decoding code points: the two orders differ only where a surrogate (part of a supplementary
 * code point, which is above every BMP character) meets a BMP character at or above U+E000.
 * The stream heads map compares names on every append, so this matters. Stateless and
 * thread-safe; valid for well-formed names (which {@link Limits#checkStreamName} guarantees).
 */
final class StreamNameOrder {

    static final Comparator<String> ORDER = StreamNameOrder::compare;

    private StreamNameOrder() {
    }

    static int compare(String a, String b) {
        int common = Math.min(a.length(), b.length());
        for (int i = 0; i < common; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                boolean xSurrogate = Character.isSurrogate(x);
                if (xSurrogate != Character.isSurrogate(y)) {
                    return xSurrogate ? 1 : -1;
                }
                return Character.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    }
}
