package io.rewind.sql;

import java.util.Optional;

/**
 * Turns a stream-name prefix into a range of names, so that a listing reads only the streams it
 * returns through the primary key. Names sort by code point (UTF-8 bytes, SQLite's BINARY collation,
 * PostgreSQL's "C" collation), and the names starting with a prefix are exactly those from the
 * prefix itself up to, not including, the prefix with its last code point raised by one. Stateless.
 */
final class StreamNameRange {

    private StreamNameRange() {
    }

    /**
     * The smallest name greater than every name starting with {@code prefix}, or empty when there is
     * none (the prefix is empty, or made only of U+10FFFF).
     */
    static Optional<String> upperBound(String prefix) {
        String rest = prefix;
        while (!rest.isEmpty()) {
            int last = rest.codePointBefore(rest.length());
            String head = rest.substring(0, rest.length() - Character.charCount(last));
            if (last < Character.MAX_CODE_POINT) {
                int next = last + 1;
                if (next >= Character.MIN_SURROGATE && next <= Character.MAX_SURROGATE) {
                    // Surrogates are not characters: U+D7FF is followed by U+E000.
                    next = Character.MAX_SURROGATE + 1;
                }
                return Optional.of(head + Character.toString(next));
            }
            rest = head;
        }
        return Optional.empty();
    }
}
