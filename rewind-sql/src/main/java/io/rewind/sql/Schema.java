package io.rewind.sql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and checks the store's tables. The schema carries its version in
 * {@code rewind_schema_version} (one row); a store creates version {@value #CURRENT_VERSION} in an
 * empty database, uses a database at that version, and refuses one at a newer version, which a
 * newer Rewind wrote and this one cannot read safely.
 *
 * <p>Version 1:
 * <pre>
 * rewind_schema_version(version)                       one row: the schema's version
 * rewind_head(singleton, head_position, last_timestamp_us)
 *                                                      one row: the newest position (-1 when empty)
 *                                                      and timestamp; appenders lock it in turn
 * rewind_events(position PK, stream, version, id UNIQUE, type, recorded_at, data, metadata,
 *               UNIQUE(stream, version)), index (recorded_at, position)
 * rewind_streams(stream PK, head_version, first_position, last_position)
 * </pre>
 * Creation is one transaction (DDL is transactional in both databases), so a database holds either
 * no Rewind tables or all of them with their version row. Stateless and thread-safe.
 */
final class Schema {

    /** The schema version this code writes and reads. */
    static final int CURRENT_VERSION = 1;

    private static final Logger LOG = LoggerFactory.getLogger(Schema.class);

    private Schema() {
    }

    /**
     * Creates the schema if the database has none, and checks its version otherwise.
     *
     * @param connection a connection in auto-commit mode
     * @param where      names the database in messages
     * @throws SchemaVersionException if the database holds a schema newer than {@link #CURRENT_VERSION}
     */
    static void ensure(Connection connection, SqlDialect dialect, String where) throws SQLException {
        dialect.begin(connection);
        boolean committed = false;
        try {
            dialect.lockSchema(connection);
            execute(connection, "CREATE TABLE IF NOT EXISTS rewind_schema_version (version INTEGER NOT NULL)");
            int version = storedVersion(connection);
            if (version == 0) {
                for (String statement : dialect.createSchemaStatements()) {
                    execute(connection, statement);
                }
                execute(connection, "INSERT INTO rewind_schema_version (version) VALUES (" + CURRENT_VERSION + ")");
                LOG.info("created the Rewind schema, version {}, in {}", CURRENT_VERSION, where);
            } else if (version > CURRENT_VERSION) {
                throw new SchemaVersionException(where, version, CURRENT_VERSION);
            }
            dialect.commit(connection);
            committed = true;
        } finally {
            if (!committed) {
                dialect.rollback(connection);
            }
        }
    }

    /** The stored version, 0 when there is none yet. */
    private static int storedVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT MAX(version) FROM rewind_schema_version")) {
            row.next();
            return row.getInt(1);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
