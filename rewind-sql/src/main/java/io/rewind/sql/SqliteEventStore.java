package io.rewind.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.rewind.api.StoreUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Opens the embedded SQL store: one SQLite database file, in WAL mode with {@code synchronous=FULL},
 * so that an acknowledged append is on disk (the WAL is fsynced at every commit, and group commit
 * shares one commit among the appends waiting). Readers run beside the writer (WAL). Another process
 * may open the same file: appenders then take turns at SQLite's write lock, waiting up to the busy
 * timeout, and subscriptions see its events within their idle poll (no notification crosses
 * processes). Stateless.
 */
public final class SqliteEventStore {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private SqliteEventStore() {
    }

    /**
     * Opens (creating if needed) the database in {@code config.file()}, creating or checking its schema.
     *
     * @throws SchemaVersionException     if the file holds a newer Rewind schema
     * @throws StoreUnavailableException  if the file cannot be opened or created
     */
    public static SqlEventStore open(SqliteConfig config) {
        Path file = config.file().toAbsolutePath();
        String name = "SQLite store " + file;
        try {
            Path directory = file.getParent();
            if (directory != null) {
                Files.createDirectories(directory);
            }
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot create the directory of " + name + ": " + e, e);
        }
        SQLiteDataSource files = new SQLiteDataSource(sqliteSettings(config));
        files.setUrl("jdbc:sqlite:" + file);
        int id = COUNTER.incrementAndGet();
        HikariDataSource writeConnections = null;
        HikariDataSource readConnections = null;
        try {
            writeConnections = pool(files, "rewind-sqlite-write-" + id, 1);
            try (Connection connection = writeConnections.getConnection()) {
                Schema.ensure(connection, SqliteDialect.INSTANCE, name);
            }
            readConnections = pool(files, "rewind-sqlite-read-" + id, config.readConnections());
            return new SqlEventStore(name, SqliteDialect.INSTANCE, readConnections, writeConnections,
                    config.maxEventBytes(), config.clock());
        } catch (SQLException | HikariPool.PoolInitializationException e) {
            SqlEventStore.closePools(readConnections, writeConnections);
            throw new StoreUnavailableException("cannot open " + name + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            SqlEventStore.closePools(readConnections, writeConnections);
            throw e;
        }
    }

    private static SQLiteConfig sqliteSettings(SqliteConfig config) {
        SQLiteConfig settings = new SQLiteConfig();
        settings.setJournalMode(SQLiteConfig.JournalMode.WAL);
        settings.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        settings.setBusyTimeout((int) config.busyTimeout().toMillis());
        return settings;
    }

    private static HikariDataSource pool(SQLiteDataSource files, String poolName, int size) {
        HikariConfig settings = new HikariConfig();
        settings.setDataSource(files);
        settings.setPoolName(poolName);
        settings.setMaximumPoolSize(size);
        settings.setMinimumIdle(1);
        settings.setAutoCommit(true);
        return new HikariDataSource(settings);
    }
}
