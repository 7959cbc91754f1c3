package io.rewind.groups;

import io.rewind.api.EventStore;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Groups over the embedded log, restarted by closing the store and opening its directory again. */
class LogGroupServiceTest extends GroupServiceContract {

    @TempDir
    Path directory;

    @Override
    EventStore openStore() {
        return LogEventStore.open(LogConfig.builder(directory).build());
    }

    @Override
    EventStore restart(EventStore old) {
        old.close();
        return openStore();
    }
}
