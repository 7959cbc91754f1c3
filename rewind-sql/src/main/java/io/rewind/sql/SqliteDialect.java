package io.rewind.sql;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * SQLite: ids as 16-byte blobs, timestamps as integer microseconds since the epoch, names as TEXT
 * compared by the BINARY collation (memcmp of UTF-8, which is code-point order). Transactions are
 * {@code BEGIN IMMEDIATE}: the database's single write lock is taken at the start, so appenders in
 * other processes wait (busy timeout) instead of failing half-way. Stateless and thread-safe.
 */
final class SqliteDialect extends SqlDialect {

    static final SqliteDialect INSTANCE = new SqliteDialect();

    private SqliteDialect() {
    }

    @Override
    String databaseName() {
        return "SQLite";
    }

    @Override
    List<String> createSchemaStatements() {
        return List.of(
                "CREATE TABLE rewind_head ("
                        + " singleton INTEGER PRIMARY KEY CHECK (singleton = 1),"
                        + " head_position INTEGER NOT NULL,"
                        + " last_timestamp_us INTEGER NOT NULL)",
                "INSERT INTO rewind_head (singleton, head_position, last_timestamp_us) VALUES (1, -1, 0)",
                "CREATE TABLE rewind_events ("
                        + " position INTEGER PRIMARY KEY,"
                        + " stream TEXT NOT NULL,"
                        + " version INTEGER NOT NULL,"
                        + " id BLOB NOT NULL UNIQUE,"
                        + " type TEXT NOT NULL,"
                        + " recorded_at INTEGER NOT NULL,"
                        + " data BLOB NOT NULL,"
                        + " metadata BLOB NOT NULL,"
                        + " UNIQUE (stream, version))",
                "CREATE INDEX rewind_events_recorded_at ON rewind_events (recorded_at, position)",
                "CREATE TABLE rewind_streams ("
                        + " stream TEXT PRIMARY KEY,"
                        + " head_version INTEGER NOT NULL,"
                        + " first_position INTEGER NOT NULL,"
                        + " last_position INTEGER NOT NULL) WITHOUT ROWID");
    }

    @Override
    void lockSchema(Connection connection) {
        // BEGIN IMMEDIATE already holds the database's write lock.
    }

    @Override
    void begin(Connection connection) throws SQLException {
        execute(connection, "BEGIN IMMEDIATE");
    }

    @Override
    void commit(Connection connection) throws SQLException {
        execute(connection, "COMMIT");
    }

    @Override
    void rollback(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("ROLLBACK");
        } catch (SQLException e) {
            // "no transaction is active": SQLite already rolled back, for instance after a failed COMMIT.
            if (!isNoTransaction(e)) {
                throw e;
            }
        }
    }

    private static boolean isNoTransaction(SQLException e) {
        return e.getMessage() != null && e.getMessage().contains("no transaction is active");
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @Override
    String lockHeadQuery() {
        return "SELECT head_position, last_timestamp_us FROM rewind_head";
    }

    @Override
    void setId(PreparedStatement statement, int index, UUID id) throws SQLException {
        statement.setBytes(index, ByteBuffer.allocate(16)
                .putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array());
    }

    @Override
    UUID getId(ResultSet row, int index) throws SQLException {
        ByteBuffer bytes = ByteBuffer.wrap(row.getBytes(index));
        return new UUID(bytes.getLong(), bytes.getLong());
    }

    @Override
    void setTimestamp(PreparedStatement statement, int index, Instant timestamp) throws SQLException {
        statement.setLong(index, Micros.of(timestamp));
    }

    @Override
    Instant getTimestamp(ResultSet row, int index) throws SQLException {
        return Micros.toInstant(row.getLong(index));
    }

    @Override
    boolean isTransient(SQLException failure) {
        if (!(failure instanceof SQLiteException sqlite)) {
            return false;
        }
        SQLiteErrorCode code = sqlite.getResultCode();
        return code == SQLiteErrorCode.SQLITE_BUSY
                || code == SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT
                || code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
                || code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY;
    }
}
