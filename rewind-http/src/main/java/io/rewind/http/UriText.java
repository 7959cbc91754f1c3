package io.rewind.http;

import io.rewind.api.InvalidRequestException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict decoding of the raw path and query of a request URI: percent-escapes decode to UTF-8 that
 * must be well-formed (a stream name is never silently changed into replacement characters), and
 * a path segment may hold an escaped slash ({@code %2F}), since stream names may contain '/'.
 * Stateless and thread-safe.
 */
final class UriText {

    private UriText() {
    }

    /** The decoded segments of a raw path, without empty ones at the start and end. */
    static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        if (rawPath == null) {
            return segments;
        }
        for (String raw : rawPath.split("/", -1)) {
            segments.add(decode(raw, "the path"));
        }
        while (!segments.isEmpty() && segments.get(0).isEmpty()) {
            segments.remove(0);
        }
        while (!segments.isEmpty() && segments.get(segments.size() - 1).isEmpty()) {
            segments.remove(segments.size() - 1);
        }
        return segments;
    }

    /** The decoded query parameters in order, each with every value it was given. */
    static Map<String, List<String>> query(String rawQuery) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals), "a query parameter name").replace('+', ' ');
            String value = equals < 0 ? "" : decodeQueryValue(pair.substring(equals + 1), name);
            parameters.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
        }
        return parameters;
    }

    private static String decodeQueryValue(String raw, String name) {
        return decode(raw.replace('+', ' '), name);
    }

    /** Percent-decodes {@code raw} into well-formed UTF-8 text. */
    static String decode(String raw, String what) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw new InvalidRequestException(what + ": a '%' must be followed by two hex digits");
                }
                int high = Character.digit(raw.charAt(i + 1), 16);
                int low = Character.digit(raw.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw new InvalidRequestException(what + ": a '%' must be followed by two hex digits");
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else {
                int codePoint = raw.codePointAt(i);
                byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
                i += Character.charCount(codePoint) - 1;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidRequestException(what + ": the percent-escapes are not well-formed UTF-8");
        }
    }
}
