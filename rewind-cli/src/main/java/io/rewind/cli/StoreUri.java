package io.rewind.cli;

import io.rewind.api.EventStore;
import io.rewind.log.Durability;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.memory.MemoryEventStore;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where a command's store is, as a URI: {@code log:DIR} (the embedded log, the default
 * {@code log:./data}) or {@code memory:} (nothing kept after exit). Immutable.
 */
final class StoreUri {

    enum Kind { LOG, MEMORY }

    private final String text;
    private final Kind kind;
    private final Path directory;

    private StoreUri(String text, Kind kind, Path directory) {
        this.text = text;
        this.kind = kind;
        this.directory = directory;
    }

    static StoreUri parse(String text) {
        if (text.equals("memory:")) {
            return new StoreUri(text, Kind.MEMORY, null);
        }
        if (text.startsWith("log:")) {
            String dir = text.substring("log:".length());
            if (dir.isEmpty()) {
                throw new CliException("--store: 'log:' needs a directory, e.g. log:./data");
            }
            return new StoreUri(text, Kind.LOG, Path.of(dir));
        }
        throw new CliException("--store: '" + text + "' is not a store URI this build supports"
                + " (use log:DIR or memory:)");
    }

    Kind kind() {
        return kind;
    }

    /** Opens the store this URI names. */
    EventStore open(Durability durability, int maxEventSize) {
        return switch (kind) {
            case MEMORY -> MemoryEventStore.create(maxEventSize);
            case LOG -> LogEventStore.open(LogConfig.builder(directory)
                    .durability(durability)
                    .maxEventBytes(maxEventSize)
                    .build());
        };
    }

    /** Parses {@code always}, {@code never} or {@code interval:MS}. */
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
        throw new CliException("--fsync: '" + text + "' is not a durability mode (use always, never or"
                + " interval:MS with MS > 0)");
    }

    @Override
    public String toString() {
        return text;
    }
}
