package io.rewind.sql;

import io.rewind.api.SubscriptionRequest;
import io.rewind.testkit.RecordingListener;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of a test that works in a fresh PostgreSQL schema of its own: it is created before each
 * test, and after it everything the test opened through {@link #open} or {@link #closeAfterTest} is
 * closed, newest first, and the schema is dropped. Skipped (failed under CI) without a database:
 * see {@link PostgresTestDatabase}.
 */
abstract class PostgresSchemaTest {

    protected PostgresTestDatabase database;
    protected String schema;
    /** Subscriptions may be added from a test's worker threads too. */
    private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();

    @BeforeEach
    final void createSchema() throws SQLException {
        database = PostgresTestDatabase.require();
        schema = database.createSchema();
    }

    @AfterEach
    final void closeAndDropSchema() throws Exception {
        try {
            for (int i = opened.size() - 1; i >= 0; i--) {
                opened.get(i).close();
            }
        } finally {
            if (schema != null) {
                database.dropSchema(schema);
            }
        }
    }

    /** Closes {@code resource} after the test. */
    protected final <T extends AutoCloseable> T closeAfterTest(T resource) {
        opened.add(resource);
        return resource;
    }

    /** A store over this test's schema, closed after the test. */
    protected final SqlEventStore open() {
        return open(Clock.systemUTC());
    }

    /** A store over this test's schema, timestamping with {@code clock}, closed after the test. */
    protected final SqlEventStore open(Clock clock) {
        return closeAfterTest(PostgresEventStore.open(database.config(schema).clock(clock).build()));
    }

    /** Subscribes a new recording listener; the subscription is closed after the test. */
    protected final RecordingListener subscribe(SqlEventStore store, SubscriptionRequest request) {
        return subscribe(store, request, new RecordingListener());
    }

    /** Subscribes {@code listener}; the subscription is closed after the test. */
    protected final RecordingListener subscribe(SqlEventStore store, SubscriptionRequest request,
            RecordingListener listener) {
        closeAfterTest(store.subscribe(request, listener));
        return listener;
    }
}
