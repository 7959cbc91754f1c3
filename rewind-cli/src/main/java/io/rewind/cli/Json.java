package io.rewind.cli;

/**
 * Writes one JSON object on one line, key by key, for the tools' {@code --json} output. Strings are
 * escaped as RFC 8259 requires (quote, backslash and every control character), so a line never
 * breaks inside a value and any well-formed Java string round-trips through a JSON parser. Not
 * thread-safe; one instance per line.
 */
final class Json {

    private final StringBuilder line = new StringBuilder(128).append('{');
    private boolean empty = true;

    /** Adds a string member. */
    Json put(String key, String value) {
        key(key);
        quote(value);
        return this;
    }

    /** Adds a number member. */
    Json put(String key, long value) {
        key(key);
        line.append(value);
        return this;
    }

    /** Adds an array of strings. */
    Json put(String key, java.util.List<String> values) {
        key(key);
        line.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                line.append(',');
            }
            quote(values.get(i));
        }
        line.append(']');
        return this;
    }

    /** The object as one line of text, without the line end. */
    @Override
    public String toString() {
        return line + "}";
    }

    private void key(String key) {
        if (!empty) {
            line.append(',');
        }
        empty = false;
        quote(key);
        line.append(':');
    }

    private void quote(String text) {
        line.append('"');
        appendEscaped(line, text, true);
        line.append('"');
    }

    /**
     * Appends {@code text} with the backslash and every control character (and DEL) escaped the
     * way JSON writes them (backslash and n, t, ..., or backslash, u and four hex digits), so that it
     * stays on one line; the double quote too when {@code inQuotes}.
     */
    static void appendEscaped(StringBuilder out, String text, boolean inQuotes) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '"' -> out.append(inQuotes ? "\\\"" : "\"");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}
