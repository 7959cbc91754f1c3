package io.rewind.sql;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL database the tests use, named by the environment variable
 * {@value #URL_VARIABLE} (any URI {@link SqlStores} accepts). Each test works in a fresh schema of
 * its own, dropped afterwards, so tests never see each other's events.
 *
 * <p>Without the variable a test is skipped, with a message saying how to start a database, so that
 * a build on a machine without PostgreSQL passes; under CI ({@code CI=true}) it fails instead,
 * because there a missing database is a broken set-up, not a reason to test less. Thread-safe.
 */
final class PostgresTestDatabase {

    static final String URL_VARIABLE = "REWIND_TEST_POSTGRES_URL";

    private final PostgresConfig base;

    private PostgresTestDatabase(PostgresConfig base) {
        this.base = base;
    }

    /** The test database; skips the calling test (fails it under CI) when none is configured. */
    static PostgresTestDatabase require() {
        String url = System.getenv(URL_VARIABLE);
        if (url == null || url.isBlank()) {
            String message = URL_VARIABLE + " is not set, so the PostgreSQL tests cannot run. Start a throwaway"
                    + " cluster with: eval \"$(.ci/postgres start)\"  (stop it with .ci/postgres stop)";
            if ("true".equals(System.getenv("CI"))) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        return new PostgresTestDatabase(SqlStores.postgresConfig(url, PostgresConfig.DEFAULT_MAX_EVENT_BYTES));
    }

    /** Creates a new, empty schema and returns its name. */
    String createSchema() throws SQLException {
        String schema = "rewind_test_" + UUID.randomUUID().toString().replace("-", "");
        execute("CREATE SCHEMA " + schema);
        return schema;
    }

    /** Drops {@code schema} and everything in it. */
    void dropSchema(String schema) throws SQLException {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    /** A configuration for a store whose tables live in {@code schema}. */
    PostgresConfig.Builder config(String schema) {
        PostgresConfig.Builder builder = PostgresConfig.builder(base.jdbcUrl()).schema(schema);
        base.user().ifPresent(builder::user);
        base.password().ifPresent(builder::password);
        return builder;
    }

    /** A new connection outside any store, its search path set to {@code schema}. */
    Connection connect(String schema) throws SQLException {
        Properties properties = new Properties();
        base.user().ifPresent(user -> properties.setProperty("user", user));
        base.password().ifPresent(password -> properties.setProperty("password", password));
        Connection connection = DriverManager.getConnection(base.jdbcUrl(), properties);
        if (schema != null) {
            connection.setSchema(schema);
        }
        return connection;
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = connect(null); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
