package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.Direction;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.StoreUnavailableException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An interrupted thread inside a file read closes the shared channel; the store must go on serving
 * every other caller (and its writer) rather than fail for everyone.
 */
class InterruptedReaderTest {

    @TempDir
    Path directory;

    @Test
    void anInterruptedReaderFailsAloneAndTheStoreKeepsWorking() {
        try (LogEventStore store = LogEventStore.open(LogConfig.builder(directory).build())) {
            store.append("s", ExpectedVersion.any(), Fixtures.events(0, 10));
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> store.readAll(0, Direction.FORWARD, 10))
                        .isInstanceOf(StoreUnavailableException.class)
                        .hasMessageContaining("interrupted");
            } finally {
                assertThat(Thread.interrupted()).isTrue();
            }
            assertThat(store.readAll(0, Direction.FORWARD, 10)).hasSize(10);
            store.append("s", ExpectedVersion.exactly(9), Fixtures.event(10));
            assertThat(store.readStream("s", 10, Direction.FORWARD, 1)).hasSize(1);
        }
        try (LogEventStore reopened = LogEventStore.open(LogConfig.builder(directory).build())) {
            assertThat(reopened.headPosition()).isEqualTo(10);
        }
    }
}
