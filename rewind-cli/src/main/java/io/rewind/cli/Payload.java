package io.rewind.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Event data (or metadata) as the tools show it. Rewind stores opaque bytes; when they are
 * well-formed UTF-8 they are shown as text, otherwise as base64. Stateless and thread-safe.
 */
final class Payload {

    private Payload() {
    }

    /** The bytes as text when they are well-formed UTF-8 (strictly: no malformed or overlong sequence). */
    static Optional<String> asText(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * Adds the bytes to a JSON line: {@code name} with the text when it is UTF-8, else
     * {@code name_base64} with the standard base64 encoding.
     */
    static void putJson(Json json, String name, byte[] bytes) {
        Optional<String> text = asText(bytes);
        if (text.isPresent()) {
            json.put(name, text.get());
        } else {
            json.put(name + "_base64", base64(bytes));
        }
    }

    /**
     * The bytes for one line of human-readable output: {@code name=text} with control characters
     * escaped (so an event stays on one line), or {@code name(base64)=...} when they are not UTF-8.
     */
    static String human(String name, byte[] bytes) {
        Optional<String> text = asText(bytes);
        return text.map(t -> name + "=" + escapeControls(t)).orElseGet(() -> name + "(base64)=" + base64(bytes));
    }

    /** Escapes control characters (and the backslash, so that the escaping can be undone). */
    static String escapeControls(String text) {
        StringBuilder out = new StringBuilder(text.length());
        Json.appendEscaped(out, text, false);
        return out.toString();
    }
}
