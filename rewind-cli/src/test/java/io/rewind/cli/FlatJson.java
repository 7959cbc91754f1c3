package io.rewind.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A strict reader of the flat JSON objects the tools print (string and integer members only), so
 * tests check the output as a JSON parser sees it. Throws {@link IllegalArgumentException} on
 * anything else, including trailing text. Test-only; stateless.
 */
final class FlatJson {

    private final String text;
    private int at;

    private FlatJson(String text) {
        this.text = text;
    }

    static Map<String, Object> parse(String line) {
        FlatJson reader = new FlatJson(line);
        Map<String, Object> members = reader.object();
        if (reader.at != line.length()) {
            throw new IllegalArgumentException("text after the object at " + reader.at + ": " + line);
        }
        return members;
    }

    private Map<String, Object> object() {
        expect('{');
        Map<String, Object> members = new LinkedHashMap<>();
        if (peek() == '}') {
            at++;
            return members;
        }
        do {
            String key = string();
            expect(':');
            Object value = peek() == '"' ? string() : number();
            if (members.put(key, value) != null) {
                throw new IllegalArgumentException("duplicate key " + key);
            }
        } while (take() == ',');
        if (text.charAt(at - 1) != '}') {
            throw new IllegalArgumentException("expected , or } at " + (at - 1) + ": " + text);
        }
        return members;
    }

    private String string() {
        expect('"');
        StringBuilder value = new StringBuilder();
        while (true) {
            char c = take();
            if (c == '"') {
                return value.toString();
            }
            if (c < 0x20) {
                throw new IllegalArgumentException("raw control character in a string at " + (at - 1));
            }
            if (c != '\\') {
                value.append(c);
                continue;
            }
            char escape = take();
            switch (escape) {
                case '"', '\\', '/' -> value.append(escape);
                case 'n' -> value.append('\n');
                case 'r' -> value.append('\r');
                case 't' -> value.append('\t');
                case 'b' -> value.append('\b');
                case 'f' -> value.append('\f');
                case 'u' -> {
                    value.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    at += 4;
                }
                default -> throw new IllegalArgumentException("bad escape \\" + escape);
            }
        }
    }

    private Long number() {
        int start = at;
        if (peek() == '-') {
            at++;
        }
        while (at < text.length() && Character.isDigit(text.charAt(at))) {
            at++;
        }
        return Long.parseLong(text.substring(start, at));
    }

    private void expect(char c) {
        if (take() != c) {
            throw new IllegalArgumentException("expected " + c + " at " + (at - 1) + ": " + text);
        }
    }

    private char peek() {
        return text.charAt(at);
    }

    private char take() {
        return text.charAt(at++);
    }
}
