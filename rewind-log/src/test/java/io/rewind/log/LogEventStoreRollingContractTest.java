package io.rewind.log;

import io.rewind.api.EventStore;
import io.rewind.testkit.EventStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole EventStore contract against the log with tiny segments and a tiny index flush
 * threshold, so every contract also runs across segment rolls and persisted index files.
 */
class LogEventStoreRollingContractTest extends EventStoreContract {

    @TempDir
    Path directory;

    @Override
    protected EventStore createStore() {
        return LogEventStore.open(LogConfig.builder(directory).segmentSize(4096).indexFlushThreshold(7).build());
    }
}
