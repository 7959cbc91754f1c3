package io.rewind.cli;

import io.rewind.api.EventStore;
import io.rewind.log.Durability;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.memory.MemoryEventStore;
import io.rewind.sql.SqlStores;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where a command's store is, as a URI: {@code log:DIR} (the embedded log, the default
 * {@code log:./data}), {@code memory:} (nothing kept after exit), {@code sqlite:FILE}, or a
 * PostgreSQL URI ({@code postgresql://user:password@host:port/database}, or the
 * {@code jdbc:postgresql:} form). Immutable.
 */
final class StoreUri {

    enum Kind { LOG, MEMORY, SQL }

    /** The password in {@code scheme://user:password@host}, which is never printed. */
    private static final Pattern PASSWORD = Pattern.compile("(://[^/:@]*:)[^/@]*@");
    private static final Pattern JDBC_PASSWORD = Pattern.compile("(?i)(password=)[^&]*");

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
        if (SqlStores.handles(text)) {
            return new StoreUri(text, Kind.SQL, null);
        }
        throw new CliException("--store: '" + redact(text) + "' is not a store URI this build supports"
                + " (use log:DIR, memory:, sqlite:FILE or postgresql://user:password@host:port/database)");
    }

    Kind kind() {
        return kind;
    }

    /** Opens the store this URI names. */
    EventStore open(Durability durability, int maxEventSize) {
        return switch (kind) {
            case MEMORY -> MemoryEventStore.create(maxEventSize);
            case SQL -> SqlStores.open(text, maxEventSize);
            case LOG -> LogEventStore.open(LogConfig.builder(directory)
                    .durability(durability)
                    .maxEventBytes(maxEventSize)
                    .build());
        };
    }

    /**
     * Checks that {@code fsync} (the resolved --fsync setting) means something for this store: only
     * the log has a durability policy of its own; SQLite always commits with synchronous=FULL and
     * PostgreSQL follows its own synchronous_commit, and memory keeps nothing.
     */
    void checkFsyncApplies(String fsync) {
        if (kind != Kind.LOG && !fsync.equals("always")) {
            throw new CliException("--fsync " + fsync + " applies only to log: stores; a " + (kind == Kind.SQL
                    ? "SQL store is durable when the database commits" : "memory: store keeps nothing") + "");
        }
    }

    /** How durable an acknowledged append is, in words, for the line the server prints when ready. */
    String durability(Durability policy) {
        return switch (kind) {
            case LOG -> "fsync " + policy;
            case MEMORY -> "in memory only";
            case SQL -> "durable at the database's commit";
        };
    }

    /** The URI with any password replaced by {@code ***}, fit to print or log. */
    static String redact(String uri) {
        String masked = PASSWORD.matcher(uri).replaceFirst("$1***@");
        return JDBC_PASSWORD.matcher(masked).replaceAll("$1***");
    }

    /** Parses {@code --fsync}: {@code always}, {@code never} or {@code interval:MS}. */
    static Durability parseFsync(String text) {
        try {
            return Durability.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CliException("--fsync: " + e.getMessage(), e);
        }
    }

    /** The URI as given, but with any password masked. */
    @Override
    public String toString() {
        return redact(text);
    }
}
