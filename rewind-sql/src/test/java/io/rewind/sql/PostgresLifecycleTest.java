package io.rewind.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Schema versioning, reopen and clock clamping in a PostgreSQL schema. */
class PostgresLifecycleTest extends SqlStoreLifecycleContract {

    private PostgresTestDatabase database;
    private String schema;

    @BeforeEach
    void createSchema() throws SQLException {
        database = PostgresTestDatabase.require();
        // The store creates the schema itself when it is missing: leave it to the store.
        schema = "rewind_test_" + java.util.UUID.randomUUID().toString().replace("-", "");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        if (schema != null) {
            database.dropSchema(schema);
        }
    }

    @Override
    protected SqlEventStore open(Clock clock) {
        return PostgresEventStore.open(database.config(schema).clock(clock).build());
    }

    @Override
    protected Connection connect() throws SQLException {
        return database.connect(schema);
    }
}
