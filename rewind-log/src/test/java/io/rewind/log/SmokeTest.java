package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
    @TempDir
    Path dir;

    @Test
    void appendReadReopen() {
        LogConfig config = LogConfig.builder(dir).build();
        try (LogEventStore store = LogEventStore.open(config)) {
            store.append("a", ExpectedVersion.noStream(), EventData.of("t", new byte[] {1}), EventData.of("t", new byte[] {2}));
            store.append("b", ExpectedVersion.any(), EventData.of("t", new byte[] {3}));
            assertThat(store.readAll(0, Direction.FORWARD, 10)).hasSize(3);
            assertThat(store.readStream("a", 0, Direction.FORWARD, 10)).hasSize(2);
        }
        try (LogEventStore store = LogEventStore.open(config)) {
            assertThat(store.headPosition()).isEqualTo(2);
            assertThat(store.readStream("a", EventStoreEnd.END, Direction.BACKWARD, 10)).hasSize(2);
            store.append("a", ExpectedVersion.exactly(1), EventData.of("t", new byte[] {4}));
            assertThat(store.readAll(0, Direction.FORWARD, 10)).hasSize(4);
        }
    }

    interface EventStoreEnd {
        long END = io.rewind.api.EventStore.END;
    }
}
