package io.rewind.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * The web console's files (index.html, app.js, style.css), read once from the jar: every asset is
 * served by this server, none comes from elsewhere. Immutable and thread-safe.
 */
final class ConsoleAssets {

    /** Each asset's name and media type; nothing else is ever served from the jar. */
    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8");

    private final Map<String, byte[]> files;

    private ConsoleAssets(Map<String, byte[]> files) {
        this.files = files;
    }

    static ConsoleAssets load() {
        java.util.HashMap<String, byte[]> files = new java.util.HashMap<>();
        for (String name : TYPES.keySet()) {
            try (InputStream in = ConsoleAssets.class.getResourceAsStream("console/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("console/" + name + " is missing from the jar");
                }
                files.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new ConsoleAssets(Map.copyOf(files));
    }

    Optional<byte[]> file(String name) {
        return Optional.ofNullable(files.get(name));
    }

    static String type(String name) {
        return TYPES.get(name);
    }
}
