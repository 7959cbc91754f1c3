package io.rewind.sql;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** Schema versioning, reopen and clock clamping on a SQLite file. */
class SqliteLifecycleTest extends SqlStoreLifecycleContract {

    @TempDir
    Path directory;

    @Override
    protected SqlEventStore open(Clock clock) {
        return SqliteEventStore.open(SqliteConfig.builder(file()).clock(clock).build());
    }

    @Override
    protected Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file());
    }

    private Path file() {
        return directory.resolve("nested").resolve("events.db");
    }
}
