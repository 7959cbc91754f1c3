package io.rewind.sql;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
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

    @Override
    protected SqlDialect dialect() {
        return SqliteDialect.INSTANCE;
    }

    @Override
    protected void rejectEventsOfType(String type) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TRIGGER reject_poison BEFORE INSERT ON rewind_events WHEN NEW.type = '"
                    + type + "' BEGIN SELECT RAISE(ABORT, 'poison refused by a test trigger'); END");
        }
    }

    private Path file() {
        return directory.resolve("nested").resolve("events.db");
    }
}
