package io.rewind.log;

import io.rewind.api.EventStore;
import io.rewind.testkit.EventStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The whole EventStore contract against the log with its default configuration. */
class LogEventStoreContractTest extends EventStoreContract {

    @TempDir
    Path directory;

    @Override
    protected EventStore createStore() {
        return LogEventStore.open(LogConfig.builder(directory).build());
    }
}
