package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves, by counting the bytes start-up reads through the I/O interface, that reopening a large
 * store reads the log only from the last index flush on (plus the index files), not all of it.
 */
class ReopenReadsOnlyTheTailTest {

    private static final int INDEXED_EVENTS = 200_000;
    private static final int TAIL_EVENTS = 500;

    @TempDir
    Path root;

    @Test
    void reopeningReadsTheTailSinceTheLastIndexFlushNotTheWholeLog() throws IOException {
        Path live = root.resolve("live");
        Path crashed = root.resolve("crashed");
        LogConfig config = LogConfig.builder(live).segmentSize(8L << 20).indexFlushThreshold(100_000).build();
        long indexedLogBytes;
        try (LogEventStore store = LogEventStore.open(config)) {
            for (int i = 0; i < INDEXED_EVENTS; i += 1000) {
                store.append("stream-" + (i / 1000), ExpectedVersion.noStream(), Fixtures.events(i, 1000));
            }
            // Two flushes so far (at 100k and 200k events): the checkpoint is position 200k.
            Conditions.await(() -> indexFiles(live) == 2, "the second index flush");
            indexedLogBytes = logBytes(live);
            for (int i = 0; i < TAIL_EVENTS; i++) {
                store.append("tail-" + (i % 10), ExpectedVersion.any(), Fixtures.event(INDEXED_EVENTS + i));
            }
            Fixtures.crashCopy(live, crashed); // no close: the tail is not in any index file
        }
        long tailBytes = logBytes(crashed) - indexedLogBytes;
        long indexBytes = 0;
        for (Path index : Fixtures.filesEndingWith(crashed, IndexGeneration.SUFFIX)) {
            indexBytes += Files.size(index);
        }

        TestFileIO io = new TestFileIO();
        LogConfig crashedConfig = LogConfig.builder(crashed).segmentSize(8L << 20).indexFlushThreshold(100_000)
                .fileIO(io).build();
        try (LogEventStore store = LogEventStore.open(crashedConfig)) {
            long segmentReads = io.segmentBytesRead.get();
            long segmentHeaders = (long) Segment.HEADER_BYTES * Fixtures.filesEndingWith(crashed, Segment.SUFFIX).size();
            // Start-up read the tail records and each segment's header, nothing else of the log.
            assertThat(segmentReads).isBetween(tailBytes, tailBytes + segmentHeaders);
            assertThat(io.indexBytesRead.get()).isEqualTo(indexBytes);
            assertThat(segmentReads + io.indexBytesRead.get()).isLessThan(logBytes(crashed) / 2);

            assertThat(store.headPosition()).isEqualTo(INDEXED_EVENTS + TAIL_EVENTS - 1);
            List<RecordedEvent> tail = store.readStream("tail-3", 0, Direction.FORWARD, 100);
            assertThat(tail).hasSize(TAIL_EVENTS / 10);
            assertThat(store.readStream("stream-7", 999, Direction.FORWARD, 10)).singleElement()
                    .extracting(RecordedEvent::position).isEqualTo(7_999L);
        }
    }

    private static int indexFiles(Path directory) {
        try {
            return Fixtures.filesEndingWith(directory, IndexGeneration.SUFFIX).size();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long logBytes(Path directory) throws IOException {
        long total = 0;
        for (Path segment : Fixtures.filesEndingWith(directory, Segment.SUFFIX)) {
            total += Files.size(segment);
        }
        return total;
    }
}
