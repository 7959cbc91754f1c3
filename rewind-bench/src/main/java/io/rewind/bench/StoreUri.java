package io.rewind.bench;

import io.rewind.api.EventStore;
import io.rewind.log.Durability;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.log.io.FileIO;
import io.rewind.memory.MemoryEventStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A store named the way the command line names it: {@code log:DIR} (the embedded log) or
 * {@code memory:}. Immutable and thread-safe.
 */
final class StoreUri {

    private final String text;
    private final Path directory;

    private StoreUri(String text, Path directory) {
        this.text = text;
        this.directory = directory;
    }

    /**
     * Parses a store URI.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    static StoreUri parse(String text) {
        if (text.equals("memory:")) {
            return new StoreUri(text, null);
        }
        if (text.startsWith("log:") && text.length() > "log:".length()) {
            return new StoreUri(text, Path.of(text.substring("log:".length())));
        }
        throw new IllegalArgumentException("--store: '" + text + "' is not a store this benchmark can open"
                + " (use log:DIR or memory:)");
    }

    /** The log's directory; empty for {@code memory:}. */
    Optional<Path> directory() {
        return Optional.ofNullable(directory);
    }

    /** Opens the store with this durability, every file access of a log going through {@code io}. */
    EventStore open(Durability durability, FileIO io) {
        if (directory == null) {
            return MemoryEventStore.create();
        }
        return LogEventStore.open(LogConfig.builder(directory).durability(durability).fileIO(io).build());
    }

    /**
     * Parses a durability mode: {@code always}, {@code never} or {@code interval:MS}.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    static Durability parseFsync(String text) {
        if (text.equals("always")) {
            return Durability.ALWAYS;
        }
        if (text.equals("never")) {
            return Durability.NEVER;
        }
        if (text.startsWith("interval:")) {
            try {
                long millis = Long.parseLong(text.substring("interval:".length()));
                if (millis > 0) {
                    return Durability.interval(Duration.ofMillis(millis));
                }
            } catch (NumberFormatException e) {
                // reported below with the accepted forms
            }
        }
        throw new IllegalArgumentException("--fsync: '" + text + "' is not a durability mode"
                + " (use always, never or interval:MS with MS > 0)");
    }

    @Override
    public String toString() {
        return text;
    }
}
