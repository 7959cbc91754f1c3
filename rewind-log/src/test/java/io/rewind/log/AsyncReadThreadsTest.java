package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.log.io.FileIO;
import io.rewind.log.io.ForwardingFileIO;
import io.rewind.log.io.ForwardingStoreFile;
import io.rewind.log.io.FileIO.OpenMode;
import io.rewind.log.io.StoreFile;
import io.rewind.testkit.TestEvents;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log's async reads read the files on the store's reader threads, never on the caller's. */
class AsyncReadThreadsTest {

    @TempDir
    Path directory;
    private final Set<String> readingThreads = ConcurrentHashMap.newKeySet();
    private LogEventStore store;

    /** Records the name of every thread that reads a file of the store. */
    private final class RecordingFileIO extends ForwardingFileIO {
        RecordingFileIO(FileIO delegate) {
            super(delegate);
        }

        @Override
        public StoreFile open(Path path, OpenMode mode) throws IOException {
            return new ForwardingStoreFile(super.open(path, mode)) {
                @Override
                public int read(ByteBuffer destination, long offset) throws IOException {
                    readingThreads.add(Thread.currentThread().getName());
                    return super.read(destination, offset);
                }
            };
        }
    }

    @BeforeEach
    void open() {
        store = LogEventStore.open(LogConfig.builder(directory).fileIO(new RecordingFileIO(FileIO.real())).build());
        store.append("s", ExpectedVersion.noStream(), TestEvents.events("e", 5).toArray(EventData[]::new));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private <T> T readOffThisThread(Supplier<CompletableFuture<T>> read) throws Exception {
        readingThreads.clear();
        T result = read.get().get(30, TimeUnit.SECONDS);
        assertThat(readingThreads).as("threads that read the files").isNotEmpty()
                .doesNotContain(Thread.currentThread().getName())
                .anySatisfy(name -> assertThat(name).startsWith("rewind-reader-log-"));
        return result;
    }

    @Test
    void everyAsyncReadReadsOnAReaderThread() throws Exception {
        RecordedEvent third = readOffThisThread(() -> store.readStreamAsync("s", ReadOptions.from(2,
                Direction.FORWARD))).events().get(0);
        assertThat(third.version()).isEqualTo(2);
        assertThat(readOffThisThread(() -> store.readAllAsync(ReadOptions.backward())).events()).hasSize(5);
        assertThat(readOffThisThread(() -> store.readEventAsync(third.id()))).contains(third);
    }

    @Test
    void theBlockingFormsReadOnTheCallersThread() {
        readingThreads.clear();
        assertThat(store.readAll(ReadOptions.forward()).events()).hasSize(5);
        assertThat(readingThreads).contains(Thread.currentThread().getName());
    }
}
