package io.rewind.log;

import static io.rewind.log.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.CorruptionException;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreUnavailableException;
import io.rewind.log.io.FileIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's explicit cut: at the end of a whole append only, keeping a copy of everything it
 * removes, leaving a log that opens with exactly the events before the cut; anything else is
 * refused with nothing changed.
 */
class LogRepairTest {

    private static final int EVENTS = 60;

    @TempDir
    Path root;
    private Path crashed;
    private final List<EventData> written = new ArrayList<>();

    private static LogConfig config(Path directory) {
        return LogConfig.builder(directory).segmentSize(4096).indexFlushThreshold(25).build();
    }

    @BeforeEach
    void writeAndCrash() throws IOException {
        Path live = root.resolve("live");
        try (LogEventStore store = LogEventStore.open(config(live))) {
            for (int i = 0; i < EVENTS - 2; i++) {
                written.add(event(i));
                store.append("stream-" + (i % 5), ExpectedVersion.any(), written.get(i));
            }
            List<EventData> pair = List.of(event(EVENTS - 2), event(EVENTS - 1));
            written.addAll(pair);
            store.append("pair", ExpectedVersion.noStream(), pair);
            // Index files cover 0..50; everything after is replayed on open.
            Conditions.await(() -> indexFiles(live) == 2, "two index flushes");
            crashed = Fixtures.crashCopy(live, root.resolve("crashed"));
        }
    }

    private static int indexFiles(Path directory) {
        try {
            return Fixtures.filesEndingWith(directory, IndexGeneration.SUFFIX).size();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Path lastSegment() throws IOException {
        List<Path> segments = Fixtures.filesEndingWith(crashed, Segment.SUFFIX);
        return segments.get(segments.size() - 1);
    }

    private void assertOpensWith(int count) {
        try (LogEventStore store = LogEventStore.open(config(crashed))) {
            List<RecordedEvent> all = store.readAll(0, Direction.FORWARD, 1000);
            assertThat(all).hasSize(count);
            for (int i = 0; i < count; i++) {
                assertThat(all.get(i).id()).isEqualTo(written.get(i).id());
            }
            assertThat(store.append("after-repair", ExpectedVersion.noStream(), event(900)).firstPosition())
                    .isEqualTo(count);
        }
    }

    @Test
    void aDamagedAcknowledgedAppendIsCutWholeOnRequestKeepingACopy() throws IOException {
        Path last = lastSegment();
        List<Long> records = Fixtures.recordOffsets(last);
        long pairStart = records.get(records.size() - 2);
        Fixtures.flipByte(last, records.get(records.size() - 1) + 70);
        byte[] before = Files.readAllBytes(last);
        assertThatThrownBy(() -> LogEventStore.open(config(crashed))).isInstanceOf(CorruptionException.class);

        LogRepair.Cut cut = LogRepair.cutAt(crashed, FileIO.real(), null, pairStart);

        assertThat(cut.segment()).isEqualTo(last);
        assertThat(cut.nextPosition()).isEqualTo(EVENTS - 2);
        assertThat(cut.bytesCut()).isEqualTo(before.length - pairStart);
        assertThat(cut.kept()).hasSize(1);
        assertThat(Files.readAllBytes(cut.kept().get(0)))
                .isEqualTo(Arrays.copyOfRange(before, (int) pairStart, before.length));
        assertThat(Files.size(last)).isEqualTo(pairStart);
        assertThat(DurableEnd.read(FileIO.real(), crashed).nextPosition()).isEqualTo(EVENTS - 2);
        assertThat(LogVerifier.verify(crashed, FileIO.real()).problems()).isEmpty();
        assertOpensWith(EVENTS - 2);
    }

    @Test
    void cuttingInAnEarlierSegmentSetsAsideEveryLaterSegmentAndTheIndexFilesBeyondTheCut() throws IOException {
        List<Path> segments = Fixtures.filesEndingWith(crashed, Segment.SUFFIX);
        assertThat(segments).hasSizeGreaterThan(2);
        Path first = segments.get(0);
        long cutOffset = Fixtures.recordOffsets(first).get(10); // positions 0..9 stay
        List<Path> indexes = Fixtures.filesEndingWith(crashed, IndexGeneration.SUFFIX);

        LogRepair.Cut cut = LogRepair.cutAt(crashed, FileIO.real(), first.getFileName().toString(), cutOffset);

        assertThat(cut.nextPosition()).isEqualTo(10);
        assertThat(Fixtures.filesEndingWith(crashed, Segment.SUFFIX)).containsExactly(first);
        assertThat(Fixtures.filesEndingWith(crashed, IndexGeneration.SUFFIX)).isEmpty();
        assertThat(cut.kept()).hasSize(1 + (segments.size() - 1) + indexes.size());
        for (Path segment : segments.subList(1, segments.size())) {
            assertThat(cut.kept()).anySatisfy(kept -> assertThat(kept.getFileName().toString())
                    .startsWith(segment.getFileName() + ".cut-"));
        }
        assertOpensWith(10);
    }

    @Test
    void aCutThatIsNotTheEndOfAWholeAppendIsRefusedAndChangesNothing() throws IOException {
        Path last = lastSegment();
        List<Long> records = Fixtures.recordOffsets(last);
        long commitRecord = records.get(records.size() - 1);
        Map<String, String> before = Fixtures.snapshot(crashed);

        assertThatThrownBy(() -> LogRepair.cutAt(crashed, FileIO.real(), null, commitRecord + 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset " + (commitRecord + 5) + " is not at a record boundary of " + last);
        assertThatThrownBy(() -> LogRepair.cutAt(crashed, FileIO.real(), null, commitRecord))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inside an append that starts at offset " + records.get(records.size() - 2));
        assertThatThrownBy(() -> LogRepair.cutAt(crashed, FileIO.real(), null, Files.size(last) + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the records of " + last);
        assertThatThrownBy(() -> LogRepair.cutAt(crashed, FileIO.real(), null, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the records of " + last);
        assertThatThrownBy(() -> LogRepair.cutAt(crashed, FileIO.real(), "00000000000000000999.log", 24))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("there is no segment 00000000000000000999.log in " + crashed);
        assertThat(Fixtures.snapshot(crashed)).isEqualTo(before);
    }

    @Test
    void aCutBeyondDamageIsRefusedNamingTheDamageAndWhereToCut() throws IOException {
        Path last = lastSegment();
        List<Long> records = Fixtures.recordOffsets(last);
        Fixtures.flipByte(last, records.get(1) + 70);
        Map<String, String> before = Fixtures.snapshot(crashed);

        assertThatThrownBy(() -> LogRepair.cutAt(crashed, FileIO.real(), null, records.get(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("record at offset " + records.get(1) + " of " + last)
                .hasMessageContaining("cut at offset " + records.get(1));
        assertThat(Fixtures.snapshot(crashed)).isEqualTo(before);
    }

    @Test
    void aLogInUseIsRefused() throws IOException {
        try (LogEventStore store = LogEventStore.open(config(crashed))) {
            assertThat(store.headPosition()).isEqualTo(EVENTS - 1);
            long end = Files.size(lastSegment());
            assertThatThrownBy(() -> LogRepair.cutAt(crashed, FileIO.real(), null, end))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("in use");
        }
    }
}
