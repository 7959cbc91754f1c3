package io.rewind.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What differs between the SQL databases Rewind stores events in: column types, how an appender
 * takes the head row, how other servers are told of new events, and which errors are worth a
 * retry. Everything else (the statements themselves, the append rules) is shared. Implementations
 * are stateless and thread-safe.
 */
abstract class SqlDialect {

    /** The database's name, for messages: "SQLite", "PostgreSQL". */
    abstract String databaseName();

    /** The statements that create schema version 1 in an empty database, in order. */
    abstract List<String> createSchemaStatements();

    /**
     * Serialises schema creation among servers opening the same database at once; runs first in
     * the schema transaction.
     */
    abstract void lockSchema(Connection connection) throws SQLException;

    /** Starts a transaction on {@code connection}, which is in auto-commit mode. */
    abstract void begin(Connection connection) throws SQLException;

    /** Commits the transaction {@link #begin} started and returns the connection to auto-commit. */
    abstract void commit(Connection connection) throws SQLException;

    /** Rolls back the transaction {@link #begin} started and returns the connection to auto-commit. */
    abstract void rollback(Connection connection) throws SQLException;

    /**
     * The query that reads {@code head_position, last_timestamp_us} from the head row and holds the
     * row against every other appender until the transaction ends: the point at which appenders,
     * on any server, take turns.
     */
    abstract String lockHeadQuery();

    abstract void setId(PreparedStatement statement, int index, UUID id) throws SQLException;

    abstract UUID getId(ResultSet row, int index) throws SQLException;

    /** Binds a timestamp of microsecond precision. */
    abstract void setTimestamp(PreparedStatement statement, int index, Instant timestamp) throws SQLException;

    abstract Instant getTimestamp(ResultSet row, int index) throws SQLException;

    /**
     * Adds to the statements an append transaction that wrote events sends just before it commits
     * what tells other servers on the same database that the head moved (delivered only if the
     * transaction commits). Nothing by default.
     */
    void announce(StatementGroup beforeCommit, long head) {
    }

    /** Whether several statements may go in one prepared statement ({@link StatementGroup}). */
    boolean runsStatementsTogether() {
        return false;
    }

    /**
     * Whether a failed append transaction may simply be planned and run again: it was rolled back,
     * and the failure came from a race another attempt will see settled (a unique key taken
     * meanwhile, a serialisation failure or deadlock, a database busy with another process, a
     * connection lost before the commit).
     */
    abstract boolean isTransient(SQLException failure);

    /**
     * Whether a failure is the database's, not one append's: the connection was lost or none could
     * be had (the server stopped, a failover is under way). Such a failure says nothing about the
     * appends of the batch, so the batch is not split to find a culprit: it is tried again whole,
     * then failed whole (rolled back, nothing stored).
     */
    boolean isConnectionLoss(SQLException failure) {
        return failure instanceof java.sql.SQLTransientConnectionException;
    }

    /**
     * Whether the database can store {@code text} as a name or type. PostgreSQL text cannot hold
     * U+0000; such a name can never be stored, so a read of it finds nothing.
     */
    boolean canStore(String text) {
        return true;
    }
}
