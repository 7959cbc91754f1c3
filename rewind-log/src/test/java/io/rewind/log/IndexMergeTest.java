package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import io.rewind.log.io.FileIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Index files are merged four of a size at a time (size-tiered, {@link MergePolicy}), lookups work
 * across however many there are, and a crash at any step of a flush or merge loses nothing.
 * Flushes here hold 10 events (the flush threshold), so the expected files follow from the number
 * of flushes written in base 4: digit d at 4^k means d files of 10 × 4^k events.
 */
class IndexMergeTest {

    private static final int FLUSH = 10;

    @TempDir
    Path root;
    /** Every append acknowledged so far, in order: its stream and its events. */
    private final List<AppendRequest> acknowledged = new ArrayList<>();
    /** The last append tried in the crash test: refused by the crash, it may still be stored. */
    private AppendRequest attempted;

    private static LogConfig config(Path directory, FileIO io, Durability durability) {
        return LogConfig.builder(directory).segmentSize(4096).indexFlushThreshold(FLUSH).durability(durability)
                .fileIO(io).build();
    }

    private static LogConfig config(Path directory) {
        return config(directory, FileIO.real(), Durability.ALWAYS);
    }

    private static List<EventData> eventsOf(AppendRequest request) {
        return request.appends().get(0).events();
    }

    private int eventCount() {
        return acknowledged.stream().mapToInt(AppendRequest::eventCount).sum();
    }

    /** The next append: 5 new events to one of three streams. */
    private AppendRequest nextAppend() {
        int written = eventCount();
        return AppendRequest.to("s-" + (written / 5 % 3), ExpectedVersion.any(), Fixtures.events(written, 5));
    }

    private void append(Path directory, int events) {
        try (LogEventStore store = LogEventStore.open(config(directory))) {
            append(store, events);
        }
    }

    private void append(LogEventStore store, int events) {
        for (int i = 0; i < events; i += 5) {
            AppendRequest request = nextAppend();
            store.append(request);
            acknowledged.add(request);
        }
    }

    /** The index file names after {@code flushes} flushes of {@link #FLUSH} events, oldest first. */
    private static List<String> expectedFiles(int flushes) {
        List<String> names = new ArrayList<>();
        long from = 0;
        int size = 1;
        while (size * 4 <= flushes) {
            size *= 4;
        }
        for (int left = flushes; size >= 1; size /= 4) {
            for (; left >= size; left -= size) {
                names.add(IndexGeneration.fileName(from, from + (long) size * FLUSH));
                from += (long) size * FLUSH;
            }
        }
        return names;
    }

    private static List<String> indexFiles(Path directory) throws IOException {
        return Fixtures.filesEndingWith(directory, IndexGeneration.SUFFIX).stream()
                .map(p -> p.getFileName().toString()).toList();
    }

    /**
     * Every acknowledged event is found by position, by id and in its stream, every append is
     * recognised as a retry (an id lookup over every generation) and changes nothing, and the
     * verifier finds no problem.
     */
    private void assertEverythingFound(Path directory) {
        List<EventData> events = acknowledged.stream().flatMap(r -> eventsOf(r).stream()).toList();
        try (LogEventStore store = LogEventStore.open(config(directory))) {
            assertThat(store.readAll(0, Direction.FORWARD, 10_000)).extracting(RecordedEvent::id)
                    .containsExactlyElementsOf(events.stream().map(EventData::id).toList());
            for (int i = 0; i < events.size(); i++) {
                assertThat(store.readEvent(events.get(i).id())).map(RecordedEvent::position).contains((long) i);
            }
            long streamEvents = 0;
            for (String stream : List.of("s-0", "s-1", "s-2")) {
                List<RecordedEvent> stored = store.readStream(stream, 0, Direction.FORWARD, 10_000);
                for (int v = 0; v < stored.size(); v++) {
                    assertThat(stored.get(v).version()).isEqualTo(v);
                    assertThat(stored.get(v).stream()).isEqualTo(stream);
                }
                streamEvents += stored.size();
            }
            assertThat(streamEvents).isEqualTo(events.size());
            long position = 0;
            for (AppendRequest request : acknowledged) {
                AppendResult retried = store.append(request);
                assertThat(retried.firstPosition()).isEqualTo(position);
                position += request.eventCount();
            }
            assertThat(store.headPosition()).isEqualTo(events.size() - 1);
        }
        assertThat(LogVerifier.verify(directory, FileIO.real()).problems()).isEmpty();
    }

    @Test
    void flushesAreMergedFourOfATierAtATime() throws IOException {
        Path directory = root.resolve("store");
        append(directory, 230); // 23 flushes = 1 × 16 + 1 × 4 + 3 × 1
        assertThat(indexFiles(directory)).containsExactly(
                IndexGeneration.fileName(0, 160), IndexGeneration.fileName(160, 200),
                IndexGeneration.fileName(200, 210), IndexGeneration.fileName(210, 220),
                IndexGeneration.fileName(220, 230));
        assertThat(indexFiles(directory)).isEqualTo(expectedFiles(23));
        assertEverythingFound(directory);
    }

    @Test
    void eachFlushLeavesTheFilesTheTiersPredictAndEveryEntryIsRewrittenOncePerTier() throws IOException {
        Path directory = root.resolve("store");
        TestFileIO io = new TestFileIO();
        int flushes = 256; // 4^4: the last flush cascades into one file
        try (LogEventStore store = LogEventStore.open(config(directory, io, Durability.NEVER))) {
            for (int flush = 1; flush <= flushes; flush++) {
                append(store, FLUSH);
                List<String> expected = expectedFiles(flush);
                Conditions.await(() -> {
                    try {
                        return indexFiles(directory).equals(expected);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }, "the index files after flush " + flush + " to be " + expected);
            }
        }
        assertThat(indexFiles(directory)).containsExactly(IndexGeneration.fileName(0, (long) flushes * FLUSH));
        // Each entry (52 bytes) is written by its flush, then once per tier it climbs (1 to 4);
        // every file written (256 + 64 + 16 + 4 + 1) adds its header, checksum and stream heads
        // (at most 3 streams of 28 bytes).
        long entryBytes = 52L * flushes * FLUSH;
        long files = 256 + 64 + 16 + 4 + 1;
        assertThat(io.indexBytesWritten.get()).isBetween(5 * entryBytes, 5 * entryBytes + files * (68 + 3 * 28));
        assertEverythingFound(directory);
    }

    @Test
    void anIndexFileOverTwoGibibytesIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path directory = Files.createDirectories(root.resolve("store"));
        long entries = 42_000_000; // 52 bytes each: 2.18 GB
        IndexWriter.Content tooLarge = new IndexWriter.Content() {
            @Override
            public long from() {
                return 0;
            }

            @Override
            public long to() {
                return entries;
            }

            @Override
            public long endSegmentBase() {
                return 0;
            }

            @Override
            public long endOffset() {
                return Segment.HEADER_BYTES;
            }

            @Override
            public long lastTimestampMicros() {
                return 0;
            }

            @Override
            public int offsetOf(long position) {
                throw new AssertionError("nothing may be written");
            }

            @Override
            public IndexWriter.Entries ids() {
                throw new AssertionError("nothing may be written");
            }

            @Override
            public IndexWriter.Entries streams() {
                throw new AssertionError("nothing may be written");
            }

            @Override
            public List<StreamInfo> heads() {
                return List.of();
            }
        };
        assertThatThrownBy(() -> new IndexWriter(FileIO.real(), directory).write(tooLarge))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(IndexGeneration.fileName(0, entries))
                .hasMessageContaining("would have " + IndexGeneration.fileBytes(entries, 0) + " bytes");
        try (var files = Files.list(directory)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void filesLeftOverFromAnInterruptedMergeAreDeletedOnOpen() throws IOException {
        Path directory = root.resolve("store");
        Path saved = Files.createDirectories(root.resolve("saved"));
        append(directory, 30); // 3 index files
        List<Path> beforeMerge = Fixtures.filesEndingWith(directory, IndexGeneration.SUFFIX);
        assertThat(beforeMerge).hasSize(3);
        for (Path index : beforeMerge) {
            Files.copy(index, saved.resolve(index.getFileName()));
        }
        append(directory, 20); // the 4th flush merges the first four, the 5th stays alone
        assertThat(indexFiles(directory)).containsExactly(IndexGeneration.fileName(0, 40),
                IndexGeneration.fileName(40, 50));
        // As if the merge had crashed after renaming its file into place, while deleting the old ones:
        for (Path index : beforeMerge) {
            Files.copy(saved.resolve(index.getFileName()), index);
        }

        assertEverythingFound(directory);
        assertThat(indexFiles(directory)).isEqualTo(expectedFiles(5));
        assertThat(Fixtures.filesContaining(directory, ".corrupt-")).isEmpty();
    }

    @Test
    void aCrashAtAnyStepOfAFlushAndItsCascadeOfMergesLosesNothing() throws IOException {
        Path base = root.resolve("base");
        append(base, 150); // 15 flushes: [0,40) [40,80) [80,120) and three of 10
        assertThat(indexFiles(base)).isEqualTo(expectedFiles(15));
        List<AppendRequest> baseAppends = List.copyOf(acknowledged);
        boolean crashedEverywhere = true;
        // Crash after 0, 1, 2, ... changes to the directory, until the run completes without one.
        for (int changes = 0; crashedEverywhere; changes++) {
            assertThat(changes).as("changes to the directory by two appends and a flush").isLessThan(200);
            acknowledged.clear();
            acknowledged.addAll(baseAppends);
            Path directory = Fixtures.crashCopy(base, root.resolve("crash-" + changes));
            TestFileIO io = new TestFileIO();
            try (LogEventStore store = LogEventStore.open(config(directory, io, Durability.ALWAYS))) {
                io.crashAfter(changes);
                // The 16th flush: [120,160) merges into one of 40, then four of 40 into [0,160).
                for (int i = 0; i < 2; i++) {
                    attempted = nextAppend();
                    store.append(attempted);
                    acknowledged.add(attempted);
                }
            } catch (EventStoreException expected) {
                // The crash refused a write: that append and later ones were never acknowledged.
            }
            crashedEverywhere = io.crashed();
            if (!crashedEverywhere) {
                assertThat(indexFiles(directory)).containsExactly(IndexGeneration.fileName(0, 160));
            }
            assertSurvivesTheCrash(directory);
        }
    }

    /**
     * Reopened after a crash: everything acknowledged is there; an append refused by the crash may
     * be there too, but only after them, whole; no index file was set aside as corrupt.
     */
    private void assertSurvivesTheCrash(Path directory) throws IOException {
        List<RecordedEvent> stored;
        try (LogEventStore store = LogEventStore.open(config(directory))) {
            stored = store.readAll(0, Direction.FORWARD, 10_000);
        }
        int acknowledgedEvents = eventCount();
        assertThat(stored.size()).isIn(acknowledgedEvents, acknowledgedEvents + 5);
        if (stored.size() > acknowledgedEvents) {
            assertThat(stored.subList(acknowledgedEvents, stored.size())).extracting(RecordedEvent::id)
                    .containsExactlyElementsOf(eventsOf(attempted).stream().map(EventData::id).toList());
            acknowledged.add(attempted);
        }
        assertEverythingFound(directory);
        assertThat(Fixtures.filesContaining(directory, ".corrupt-")).isEmpty();
        assertThat(Fixtures.filesEndingWith(directory, ".tmp")).isEmpty();
    }
}
