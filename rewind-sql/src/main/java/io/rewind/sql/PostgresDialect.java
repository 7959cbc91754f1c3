package io.rewind.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * PostgreSQL: ids as {@code uuid}, timestamps as {@code timestamptz} (microsecond precision), names
 * as {@code text COLLATE "C"} so that the primary keys and listings sort by code point. Appenders
 * take the head row with {@code SELECT ... FOR UPDATE}, and an append transaction ends with
 * {@code pg_notify} on the store's channel, which PostgreSQL delivers to every listening server when,
 * and only if, the transaction commits. Immutable and thread-safe.
 */
final class PostgresDialect extends SqlDialect {

    /** SQLSTATEs after which an append is planned and run again: see {@link #isTransient}. */
    private static final List<String> TRANSIENT_STATES = List.of(
            "23505", // unique_violation: a key taken by a transaction that committed meanwhile
            "40001", // serialization_failure
            "40P01", // deadlock_detected
            "57P01", // admin_shutdown: the server terminated the connection
            "57P02", // crash_shutdown
            "57P03"); // cannot_connect_now: the server is starting
    /** The SQLSTATE class of a lost connection: before the commit, the server rolled back. */
    private static final String CONNECTION_EXCEPTION_CLASS = "08";
    /** Any constant: the key of the advisory lock that serialises schema creation. */
    private static final long SCHEMA_LOCK_KEY = 0x52_65_77_69_6e_64L;

    private final String channel;

    /** @param channel the LISTEN/NOTIFY channel of the store's events (one per schema) */
    PostgresDialect(String channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    String channel() {
        return channel;
    }

    @Override
    String databaseName() {
        return "PostgreSQL";
    }

    @Override
    List<String> createSchemaStatements() {
        return List.of(
                "CREATE TABLE rewind_head ("
                        + " singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),"
                        + " head_position bigint NOT NULL,"
                        + " last_timestamp_us bigint NOT NULL)",
                "INSERT INTO rewind_head (singleton, head_position, last_timestamp_us) VALUES (true, -1, 0)",
                "CREATE TABLE rewind_events ("
                        + " position bigint PRIMARY KEY,"
                        + " stream text COLLATE \"C\" NOT NULL,"
                        + " version bigint NOT NULL,"
                        + " id uuid NOT NULL UNIQUE,"
                        + " type text NOT NULL,"
                        + " recorded_at timestamptz NOT NULL,"
                        + " data bytea NOT NULL,"
                        + " metadata bytea NOT NULL,"
                        + " UNIQUE (stream, version))",
                "CREATE INDEX rewind_events_recorded_at ON rewind_events (recorded_at, position)",
                "CREATE TABLE rewind_streams ("
                        + " stream text COLLATE \"C\" PRIMARY KEY,"
                        + " head_version bigint NOT NULL,"
                        + " first_position bigint NOT NULL,"
                        + " last_position bigint NOT NULL)");
    }

    @Override
    void lockSchema(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            statement.setLong(1, SCHEMA_LOCK_KEY);
            statement.execute();
        }
    }

    @Override
    void begin(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
    }

    @Override
    void commit(Connection connection) throws SQLException {
        connection.commit();
        connection.setAutoCommit(true);
    }

    @Override
    void rollback(Connection connection) throws SQLException {
        connection.rollback();
        connection.setAutoCommit(true);
    }

    @Override
    String lockHeadQuery() {
        return "SELECT head_position, last_timestamp_us FROM rewind_head FOR UPDATE";
    }

    @Override
    void setId(PreparedStatement statement, int index, UUID id) throws SQLException {
        statement.setObject(index, id);
    }

    @Override
    UUID getId(ResultSet row, int index) throws SQLException {
        return row.getObject(index, UUID.class);
    }

    @Override
    void setTimestamp(PreparedStatement statement, int index, Instant timestamp) throws SQLException {
        statement.setObject(index, OffsetDateTime.ofInstant(timestamp, ZoneOffset.UTC));
    }

    @Override
    Instant getTimestamp(ResultSet row, int index) throws SQLException {
        return row.getObject(index, OffsetDateTime.class).toInstant();
    }

    @Override
    void announce(StatementGroup beforeCommit, long head) {
        beforeCommit.query("SELECT pg_notify(?, ?)", 2, (statement, first) -> {
            statement.setString(first, channel);
            statement.setString(first + 1, Long.toString(head));
        }, rows -> { });
    }

    /** The JDBC driver sends the statements of one prepared statement as one pipeline: one round trip. */
    @Override
    boolean runsStatementsTogether() {
        return true;
    }

    @Override
    boolean isTransient(SQLException failure) {
        String state = failure.getSQLState();
        return state != null && (TRANSIENT_STATES.contains(state) || state.startsWith(CONNECTION_EXCEPTION_CLASS));
    }

    @Override
    boolean isConnectionLoss(SQLException failure) {
        String state = failure.getSQLState();
        return super.isConnectionLoss(failure) || (state != null && (state.startsWith(CONNECTION_EXCEPTION_CLASS)
                || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")));
    }

    @Override
    boolean canStore(String text) {
        return text.indexOf('\u0000') < 0;
    }

    /** Runs {@code LISTEN} for this store's channel on {@code connection}. */
    void listen(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + quoteIdentifier(channel));
        }
    }

    static String quoteIdentifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
