package io.rewind.sql;

import io.rewind.api.EventStore;
import io.rewind.testkit.EventStoreContract;

/** The whole EventStore contract against the PostgreSQL store, in a fresh schema per test. */
class PostgresEventStoreContractTest extends EventStoreContract {

    private PostgresTestDatabase database;
    private String schema;

    @Override
    protected EventStore createStore() throws Exception {
        database = PostgresTestDatabase.require();
        schema = database.createSchema();
        return PostgresEventStore.open(database.config(schema).build());
    }

    @Override
    protected void cleanUp() throws Exception {
        if (schema != null) {
            database.dropSchema(schema);
            schema = null;
        }
    }
}
