package io.rewind.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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

    @Override
    protected SqlDialect dialect() {
        return new PostgresDialect(PostgresEventStore.channel(database.config(schema).build()));
    }

    @Override
    protected void rejectEventsOfType(String type) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE FUNCTION reject_poison() RETURNS trigger LANGUAGE plpgsql AS $$"
                    + " BEGIN RAISE EXCEPTION 'poison refused by a test trigger'; END $$");
            statement.execute("CREATE TRIGGER reject_poison BEFORE INSERT ON rewind_events FOR EACH ROW"
                    + " WHEN (NEW.type = '" + type + "') EXECUTE FUNCTION reject_poison()");
        }
    }
}
