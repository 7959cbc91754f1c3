package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.log.io.FileIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Index files are merged once there are many, and a merge interrupted by a crash is harmless. */
class IndexMergeTest {

    @TempDir
    Path root;
    private final List<EventData> written = new ArrayList<>();

    private static LogConfig config(Path directory) {
        return LogConfig.builder(directory).segmentSize(4096).indexFlushThreshold(10).build();
    }

    private void append(Path directory, int events) {
        try (LogEventStore store = LogEventStore.open(config(directory))) {
            for (int i = 0; i < events; i += 5) {
                List<EventData> batch = Fixtures.events(written.size(), 5);
                written.addAll(batch);
                store.append("s-" + (written.size() % 3), ExpectedVersion.any(), batch);
            }
        }
    }

    private void assertEverythingFound(Path directory) {
        try (LogEventStore store = LogEventStore.open(config(directory))) {
            List<RecordedEvent> all = store.readAll(0, Direction.FORWARD, 1000);
            assertThat(all).extracting(RecordedEvent::id).containsExactlyElementsOf(
                    written.stream().map(EventData::id).toList());
            for (int i = 0; i < written.size(); i++) {
                assertThat(store.readEvent(written.get(i).id())).map(RecordedEvent::position).contains((long) i);
            }
            long streamEvents = 0;
            for (String stream : List.of("s-0", "s-1", "s-2")) {
                List<RecordedEvent> events = store.readStream(stream, 0, Direction.FORWARD, 1000);
                for (int v = 0; v < events.size(); v++) {
                    assertThat(events.get(v).version()).isEqualTo(v);
                }
                streamEvents += events.size();
            }
            assertThat(streamEvents).isEqualTo(written.size());
        }
        assertThat(LogVerifier.verify(directory, FileIO.real()).problems()).isEmpty();
    }

    @Test
    void manyIndexFilesAreMergedIntoOne() throws IOException {
        Path directory = root.resolve("store");
        append(directory, 200); // 20 flushes of 10 events
        List<Path> indexes = Fixtures.filesEndingWith(directory, IndexGeneration.SUFFIX);
        // Merged at the 8th flush into [0, 80), at the 15th into [0, 150), then 5 more files.
        assertThat(indexes).extracting(p -> p.getFileName().toString()).containsExactly(
                IndexGeneration.fileName(0, 150), IndexGeneration.fileName(150, 160), IndexGeneration.fileName(160, 170),
                IndexGeneration.fileName(170, 180), IndexGeneration.fileName(180, 190),
                IndexGeneration.fileName(190, 200));
        assertEverythingFound(directory);
    }

    @Test
    void filesLeftOverFromAnInterruptedMergeAreDeletedOnOpen() throws IOException {
        Path directory = root.resolve("store");
        Path saved = Files.createDirectories(root.resolve("saved"));
        append(directory, 40); // 4 index files
        List<Path> beforeMerge = Fixtures.filesEndingWith(directory, IndexGeneration.SUFFIX);
        assertThat(beforeMerge).hasSize(4);
        for (Path index : beforeMerge) {
            Files.copy(index, saved.resolve(index.getFileName()));
        }
        append(directory, 60); // 10 flushes in all: the first 8 are merged
        List<Path> afterMerge = Fixtures.filesEndingWith(directory, IndexGeneration.SUFFIX);
        assertThat(afterMerge).extracting(p -> p.getFileName().toString())
                .contains(IndexGeneration.fileName(0, 80)).doesNotContain(IndexGeneration.fileName(0, 10));
        // As if the merge had crashed after renaming its file into place, before deleting the old ones:
        for (Path index : beforeMerge) {
            Files.copy(saved.resolve(index.getFileName()), index);
        }

        assertEverythingFound(directory);
        assertThat(Fixtures.filesEndingWith(directory, IndexGeneration.SUFFIX)).isEqualTo(afterMerge);
        assertThat(Fixtures.filesContaining(directory, ".corrupt-")).isEmpty();
    }
}
