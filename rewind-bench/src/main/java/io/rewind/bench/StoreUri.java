package io.rewind.bench;

import io.rewind.api.EventStore;
import io.rewind.log.Durability;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.log.io.FileIO;
import io.rewind.memory.MemoryEventStore;
import io.rewind.sql.SqlStores;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A store named the way the command line names it: {@code log:DIR} (the embedded log),
 * {@code memory:}, or a SQL store ({@code sqlite:FILE}, {@code postgresql://…}, see
 * {@link SqlStores}). Immutable and thread-safe.
 */
final class StoreUri {

    /** What travels between {@code ://} and {@code @}: user and password, never printed. */
    private static final Pattern CREDENTIALS = Pattern.compile("://[^/@]*@");

    private final String text;
    private final Path directory;
    private final boolean sql;

    private StoreUri(String text, Path directory, boolean sql) {
        this.text = text;
        this.directory = directory;
        this.sql = sql;
    }

    /**
     * Parses a store URI.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    static StoreUri parse(String text) {
        if (text.equals("memory:")) {
            return new StoreUri(text, null, false);
        }
        if (text.startsWith("log:") && text.length() > "log:".length()) {
            return new StoreUri(text, Path.of(text.substring("log:".length())), false);
        }
        if (SqlStores.handles(text)) {
            return new StoreUri(text, null, true);
        }
        throw new IllegalArgumentException("--store: '" + mask(text) + "' is not a store this benchmark can open"
                + " (use log:DIR, memory:, sqlite:FILE or postgresql://user:password@host:port/database)");
    }

    /** The log's directory; empty for the other stores. */
    Optional<Path> directory() {
        return Optional.ofNullable(directory);
    }

    /** Whether this is a SQL store, durable at the database's commit (no durability setting of ours). */
    boolean isSql() {
        return sql;
    }

    /**
     * Opens the store; a log with this durability and every file access through {@code io} (the
     * other stores have no such settings).
     */
    EventStore open(Durability durability, FileIO io) {
        if (sql) {
            return SqlStores.open(text, LogConfig.DEFAULT_MAX_EVENT_BYTES);
        }
        if (directory == null) {
            return MemoryEventStore.create();
        }
        return LogEventStore.open(LogConfig.builder(directory).durability(durability).fileIO(io).build());
    }

    /**
     * Parses {@code --fsync}: {@code always}, {@code never} or {@code interval:MS}.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    static Durability parseFsync(String text) {
        try {
            return Durability.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--fsync: " + e.getMessage(), e);
        }
    }

    /** The URI with any user and password replaced by {@code ***}. */
    @Override
    public String toString() {
        return mask(text);
    }

    private static String mask(String uri) {
        return CREDENTIALS.matcher(uri).replaceFirst("://***@");
    }
}
