package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.ExpectedVersion;
import io.rewind.api.StoreUnavailableException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryLockTest {

    @TempDir
    Path directory;

    @Test
    void aSecondStoreInThisProcessCannotOpenTheSameDirectory() {
        try (LogEventStore store = LogEventStore.open(LogConfig.builder(directory).build())) {
            assertThatThrownBy(() -> LogEventStore.open(LogConfig.builder(directory).build()))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining(directory.toString());
            store.append("s", ExpectedVersion.any(), Fixtures.event(0)); // the first store is unharmed
        }
        try (LogEventStore reopened = LogEventStore.open(LogConfig.builder(directory).build())) {
            assertThat(reopened.headPosition()).isZero();
        }
    }

    @Test
    void anotherProcessCannotOpenTheDirectoryWhileItIsOpen() throws IOException, InterruptedException {
        try (LogEventStore store = LogEventStore.open(LogConfig.builder(directory).build())) {
            assertThat(store.headPosition()).isEqualTo(-1);
            assertThat(runOtherProcess()).isEqualTo(LockProbe.LOCKED);
        }
        assertThat(runOtherProcess()).isEqualTo(LockProbe.OPENED);
    }

    private int runOtherProcess() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LockProbe.class.getName(), directory.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the lock probe process did not finish in 60 s");
        }
        return process.exitValue();
    }

    /** Run in a separate JVM: tries to open the store and reports by exit code. */
    public static final class LockProbe {
        static final int OPENED = 0;
        static final int LOCKED = 3;

        private LockProbe() {
        }

        public static void main(String[] args) {
            try (LogEventStore store = LogEventStore.open(LogConfig.builder(Path.of(args[0])).build())) {
                store.headPosition();
                System.exit(OPENED);
            } catch (StoreUnavailableException e) {
                System.exit(LOCKED);
            }
        }
    }
}
