package io.rewind.sql;

import io.rewind.api.EventStore;
import io.rewind.testkit.EventStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The whole EventStore contract against the SQLite store, a new database file per test. */
class SqliteEventStoreContractTest extends EventStoreContract {

    @TempDir
    Path directory;

    @Override
    protected EventStore createStore() {
        return SqliteEventStore.open(SqliteConfig.builder(directory.resolve("events.db")).build());
    }
}
