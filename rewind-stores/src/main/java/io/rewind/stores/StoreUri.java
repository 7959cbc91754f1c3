package io.rewind.stores;

import io.rewind.api.EventStore;
import io.rewind.log.Durability;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.log.io.FileIO;
import io.rewind.memory.MemoryEventStore;
import io.rewind.sql.SqlStores;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a store is, as the command line names it: {@code log:DIR} (the embedded log; the CLI's
 * default is {@code log:./data}), {@code memory:} (nothing kept after exit), {@code sqlite:FILE},
 * or a PostgreSQL URI ({@code postgresql://user:password@host:port/database}, or the
 * {@code jdbc:postgresql:} form; see {@link SqlStores}). The one parser of store URIs: the
 * {@code rewind} command and the load generator both use it. A password in the URI never leaves
 * it: {@link #toString()} and every message show it as {@code ***} ({@link SqlStores#mask}).
 * Immutable and thread-safe.
 */
public final class StoreUri {

    /** What kind of store a URI names. */
    public enum Kind { LOG, MEMORY, SQL }

    private final String text;
    private final Kind kind;
    private final Path directory;

    private StoreUri(String text, Kind kind, Path directory) {
        this.text = text;
        this.kind = kind;
        this.directory = directory;
    }

    /**
     * Parses a store URI.
     *
     * @throws InvalidStoreUriException naming the accepted forms, with any password masked
     */
    public static StoreUri parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidStoreUriException("--store: a store URI is needed"
                    + " (use log:DIR, memory:, sqlite:FILE or postgresql://user:password@host:port/database)");
        }
        if (text.equals("memory:")) {
            return new StoreUri(text, Kind.MEMORY, null);
        }
        if (text.startsWith("log:")) {
            String dir = text.substring("log:".length());
            if (dir.isEmpty()) {
                throw new InvalidStoreUriException("--store: 'log:' needs a directory, e.g. log:./data");
            }
            return new StoreUri(text, Kind.LOG, Path.of(dir));
        }
        if (SqlStores.handles(text)) {
            return new StoreUri(text, Kind.SQL, null);
        }
        throw new InvalidStoreUriException("--store: '" + SqlStores.mask(text) + "' is not a store URI this build"
                + " supports (use log:DIR, memory:, sqlite:FILE or postgresql://user:password@host:port/database)");
    }

    /**
     * Parses {@code --fsync}: {@code always}, {@code never} or {@code interval:MS}.
     *
     * @throws InvalidStoreUriException naming the accepted forms
     */
    public static Durability parseFsync(String text) {
        try {
            return Durability.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidStoreUriException("--fsync: " + e.getMessage(), e);
        }
    }

    public Kind kind() {
        return kind;
    }

    /** The log's directory; empty for the other stores. */
    public Optional<Path> directory() {
        return Optional.ofNullable(directory);
    }

    /**
     * Checks that {@code fsync} (the --fsync setting as given) means something for this store: only
     * the log has a durability policy of its own; SQLite always commits with synchronous=FULL,
     * PostgreSQL follows its own synchronous_commit, and memory keeps nothing.
     *
     * @throws InvalidStoreUriException if it does not apply
     */
    public void checkFsyncApplies(String fsync) {
        if (kind != Kind.LOG && !fsync.equals("always")) {
            throw new InvalidStoreUriException("--fsync " + fsync + " applies only to log: stores; a "
                    + (kind == Kind.SQL ? "SQL store is durable when the database commits"
                            : "memory: store keeps nothing"));
        }
    }

    /** How durable an acknowledged append is, in words (for the line a server prints when ready). */
    public String durability(Durability policy) {
        return switch (kind) {
            case LOG -> "fsync " + policy;
            case MEMORY -> "in memory only";
            case SQL -> "durable at the database's commit";
        };
    }

    /**
     * Opens the store this URI names.
     *
     * @param durability    the log's fsync policy (the other stores have none of their own)
     * @param maxEventBytes the largest event (data and metadata) the store accepts
     * @param io            every file access of a log store goes through it (the benchmarks count
     *                      forces with it); {@link FileIO#real()} otherwise
     * @throws IllegalArgumentException             if a SQL URI is malformed
     * @throws io.rewind.api.EventStoreException    if the store cannot be opened
     */
    public EventStore open(Durability durability, int maxEventBytes, FileIO io) {
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(io, "io");
        return switch (kind) {
            case MEMORY -> MemoryEventStore.create(maxEventBytes);
            case SQL -> SqlStores.open(text, maxEventBytes);
            case LOG -> LogEventStore.open(LogConfig.builder(directory)
                    .durability(durability)
                    .maxEventBytes(maxEventBytes)
                    .fileIO(io)
                    .build());
        };
    }

    /** The URI with any password replaced by {@code ***}, fit to print or log. */
    public static String redact(String uri) {
        return SqlStores.mask(uri);
    }

    /** The URI as given, with any password masked. */
    @Override
    public String toString() {
        return redact(text);
    }
}
