package io.rewind.log;

import static io.rewind.log.Fixtures.event;
import static io.rewind.log.Fixtures.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.CorruptionException;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage on disk and its exact outcome: a torn or uncommitted tail of the last segment after the
 * durable end is cut (with a copy kept), a corrupt index is rebuilt from the log, anything else
 * (including any damage at or before the durable end) is refused with an error naming file and
 * offset, changing nothing.
 */
class CorruptionTest {

    private static final int EVENTS = 100;

    @TempDir
    Path root;
    private Path live;
    private Path crashed;
    private final List<EventData> written = new ArrayList<>();
    /** The durable-end checkpoint as it was before the last append was written. */
    private byte[] checkpointBeforeLastAppend;

    private LogConfig config(Path directory) {
        // Small segments so there are several; an index threshold never reached, so a crash copy
        // taken while the store is open has no index file and open replays every segment.
        return LogConfig.builder(directory).segmentSize(4096).indexFlushThreshold(1_000_000).build();
    }

    @BeforeEach
    void writeStoreAndCrashCopy() throws IOException {
        live = root.resolve("live");
        try (LogEventStore store = LogEventStore.open(config(live))) {
            for (int i = 0; i < EVENTS - 3; i++) {
                written.add(event(i));
                store.append("stream-" + (i % 7), ExpectedVersion.any(), written.get(i));
            }
            checkpointBeforeLastAppend = Files.readAllBytes(live.resolve(DurableEnd.FILE_NAME));
            List<EventData> last = events(EVENTS - 3, 3);
            written.addAll(last);
            store.append("last-append", ExpectedVersion.noStream(), last);
            crashed = Fixtures.crashCopy(live, root.resolve("crashed"));
        }
        assertThat(segments(crashed)).hasSizeGreaterThan(3);
        assertThat(Fixtures.filesEndingWith(crashed, IndexGeneration.SUFFIX)).isEmpty();
        assertThat(Fixtures.recordOffsets(lastSegment(crashed))).hasSizeGreaterThanOrEqualTo(4);
    }

    /**
     * Puts back the checkpoint from before the last append: the state of a crash after that
     * append's records were written but before their force was confirmed, so it was never
     * acknowledged and a torn write may have hit it.
     */
    private void crashBeforeTheLastAppendWasAcknowledged() throws IOException {
        Files.write(crashed.resolve(DurableEnd.FILE_NAME), checkpointBeforeLastAppend);
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    private static List<Path> segments(Path directory) throws IOException {
        return Fixtures.filesEndingWith(directory, Segment.SUFFIX);
    }

    private static Path lastSegment(Path directory) throws IOException {
        List<Path> segments = segments(directory);
        return segments.get(segments.size() - 1);
    }

    private void assertHolds(LogEventStore store, int count) {
        List<RecordedEvent> all = new ArrayList<>();
        for (long from = 0; from < count; from += 50) {
            all.addAll(store.readAll(from, Direction.FORWARD, 50));
        }
        assertThat(all).hasSize(count);
        assertThat(store.headPosition()).isEqualTo(count - 1);
        for (int i = 0; i < count; i++) {
            assertThat(all.get(i).id()).isEqualTo(written.get(i).id());
            assertThat(all.get(i).dataEquals(written.get(i).data())).isTrue();
        }
    }

    @Test
    void aFlippedByteInASealedSegmentRefusesOpenNamingFileAndOffsetAndChangesNothing() throws IOException {
        Path sealed = segments(crashed).get(1);
        long record = Fixtures.recordOffsets(sealed).get(2);
        Fixtures.flipByte(sealed, record + 70);
        Map<String, String> before = Fixtures.snapshot(crashed);

        assertThatThrownBy(() -> LogEventStore.open(config(crashed)))
                .isInstanceOf(CorruptionException.class)
                .hasMessageContaining(sealed.toString())
                .hasMessageContaining("offset " + record)
                .hasMessageContaining("stored CRC-32C")
                .hasMessageContaining("computed");
        assertThat(Fixtures.snapshot(crashed)).isEqualTo(before);
    }

    @Test
    void aFlippedByteBeforeTheIndexCheckpointIsReportedWhenReadAndTheRestStaysReadable() throws IOException {
        Path sealed = segments(live).get(0);
        long record = Fixtures.recordOffsets(sealed).get(1);
        Fixtures.flipByte(sealed, record + 70);
        Map<String, String> before = Fixtures.snapshot(live);

        try (LogEventStore store = LogEventStore.open(config(live))) {
            // The index flushed at close covers this segment, so start-up does not read it.
            assertThatThrownBy(() -> store.readAll(0, Direction.FORWARD, 10))
                    .isInstanceOf(CorruptionException.class)
                    .hasMessageContaining(sealed.toString())
                    .hasMessageContaining("offset " + record);
            assertThat(store.readAll(50, Direction.FORWARD, 50)).hasSize(EVENTS - 50);
        }
        assertThat(Fixtures.snapshot(live)).isEqualTo(before);
    }

    @Test
    void aFlippedByteInAnIndexFileIsDetectedAndTheIndexIsRebuiltFromTheLog() throws IOException {
        Path index = Fixtures.filesEndingWith(live, IndexGeneration.SUFFIX).get(0);
        Fixtures.flipByte(index, 100);

        try (LogEventStore store = LogEventStore.open(config(live))) {
            assertHolds(store, EVENTS);
            assertThat(store.readEvent(written.get(5).id())).map(RecordedEvent::position).contains(5L);
            assertThat(store.readStream("last-append", 0, Direction.FORWARD, 10)).hasSize(3);
        }
        assertThat(Fixtures.filesContaining(live, ".corrupt-")).hasSize(1);
        Path rebuilt = Fixtures.filesEndingWith(live, IndexGeneration.SUFFIX).get(0);
        assertThat(rebuilt.getFileName()).isEqualTo(index.getFileName());
        IndexGeneration.open(io.rewind.log.io.FileIO.real(), rebuilt); // verifies its checksum
    }

    @Test
    void aLastSegmentTruncatedMidRecordIsCutKeepingACopy() throws IOException {
        Path last = lastSegment(crashed);
        List<Long> records = Fixtures.recordOffsets(last);
        long lastRecord = records.get(records.size() - 1);
        long cutAt = lastRecord + 30;
        truncate(last, cutAt);
        crashBeforeTheLastAppendWasAcknowledged();

        try (LogEventStore store = LogEventStore.open(config(crashed))) {
            // The torn record was the COMMIT of the 3-event append: the whole append goes.
            assertHolds(store, EVENTS - 3);
            assertThat(store.streamInfo("last-append")).isEmpty();
        }
        long appendStart = records.get(records.size() - 3);
        assertThat(Files.size(last)).isEqualTo(appendStart);
        List<Path> copies = Fixtures.filesContaining(crashed, ".torn-");
        assertThat(copies).hasSize(1);
        assertThat(Files.size(copies.get(0))).isEqualTo(cutAt - appendStart);
    }

    @Test
    void theUncommittedHalfOfAMultiEventAppendAtTheTailIsCutAtomically() throws IOException {
        Path last = lastSegment(crashed);
        List<Long> records = Fixtures.recordOffsets(last);
        long commitRecord = records.get(records.size() - 1);
        truncate(last, commitRecord); // two whole, valid records remain, without their COMMIT
        crashBeforeTheLastAppendWasAcknowledged();

        try (LogEventStore store = LogEventStore.open(config(crashed))) {
            assertHolds(store, EVENTS - 3);
            assertThat(store.readStream("last-append", 0, Direction.FORWARD, 10)).isEmpty();
            assertThat(store.append("last-append", ExpectedVersion.noStream(), event(500)).firstPosition())
                    .isEqualTo(EVENTS - 3);
        }
        assertThat(Fixtures.filesContaining(crashed, ".torn-")).hasSize(1);
    }

    @Test
    void anAcknowledgedAppendTruncatedMidRecordRefusesOpenInsteadOfBeingCutAsTorn() throws IOException {
        Path last = lastSegment(crashed);
        List<Long> records = Fixtures.recordOffsets(last);
        long lastRecord = records.get(records.size() - 1);
        truncate(last, lastRecord + 30);
        Map<String, String> before = Fixtures.snapshot(crashed);

        assertThatThrownBy(() -> LogEventStore.open(config(crashed)))
                .isInstanceOf(CorruptionException.class)
                .hasMessageContaining(last.toString())
                .hasMessageContaining("offset " + lastRecord)
                .hasMessageContaining("before the durable end, position " + EVENTS)
                .hasMessageContaining("rewind repair --cut-at " + last.getFileName() + ":"
                        + records.get(records.size() - 3));
        assertThat(Fixtures.snapshot(crashed)).isEqualTo(before);
    }

    @Test
    void aFlippedByteInTheLastAcknowledgedRecordRefusesOpenNamingFileAndOffset() throws IOException {
        Path last = lastSegment(crashed);
        List<Long> records = Fixtures.recordOffsets(last);
        long lastRecord = records.get(records.size() - 1);
        Fixtures.flipByte(last, lastRecord + 70);
        Map<String, String> before = Fixtures.snapshot(crashed);

        assertThatThrownBy(() -> LogEventStore.open(config(crashed)))
                .isInstanceOf(CorruptionException.class)
                .hasMessageContaining(last.toString())
                .hasMessageContaining("offset " + lastRecord)
                .hasMessageContaining("stored CRC-32C")
                .hasMessageContaining("damage to acknowledged data, not a torn write");
        assertThat(Fixtures.snapshot(crashed)).isEqualTo(before);
    }

    @Test
    void anAcknowledgedAppendMissingWholeRefusesOpen() throws IOException {
        Path last = lastSegment(crashed);
        List<Long> records = Fixtures.recordOffsets(last);
        truncate(last, records.get(records.size() - 3)); // the file now ends cleanly, before the last append
        Map<String, String> before = Fixtures.snapshot(crashed);

        assertThatThrownBy(() -> LogEventStore.open(config(crashed)))
                .isInstanceOf(CorruptionException.class)
                .hasMessageContaining("the log ends at position " + (EVENTS - 3))
                .hasMessageContaining("durable-end checkpoint records position " + EVENTS)
                .hasMessageContaining("acknowledged data is missing");
        assertThat(Fixtures.snapshot(crashed)).isEqualTo(before);
    }

    @Test
    void aLogWithoutACheckpointIsJudgedAsBeforeAndKeepsOneFromThenOn() throws IOException {
        // A directory written by the version before checkpoints: its torn-looking tail is cut as before.
        Files.delete(crashed.resolve(DurableEnd.FILE_NAME));
        Path last = lastSegment(crashed);
        List<Long> records = Fixtures.recordOffsets(last);
        truncate(last, records.get(records.size() - 1) + 30);

        Path again;
        try (LogEventStore store = LogEventStore.open(config(crashed))) {
            assertHolds(store, EVENTS - 3);
            assertThat(DurableEnd.read(io.rewind.log.io.FileIO.real(), crashed))
                    .isEqualTo(new DurableEnd.Mark(0, EVENTS - 3, Segment.parseFileName(last.getFileName().toString()),
                            records.get(records.size() - 3)));
            store.append("after-upgrade", ExpectedVersion.noStream(), event(600));
            again = Fixtures.crashCopy(crashed, root.resolve("crashed-again"));
        }
        assertThat(Fixtures.filesContaining(crashed, ".torn-")).hasSize(1);
        // From now on the checkpoint protects what the log holds: the same kind of damage is refused.
        Path lastAgain = lastSegment(again);
        List<Long> kept = Fixtures.recordOffsets(lastAgain);
        truncate(lastAgain, kept.get(kept.size() - 1) + 30);
        assertThatThrownBy(() -> LogEventStore.open(config(again)))
                .isInstanceOf(CorruptionException.class)
                .hasMessageContaining("offset " + kept.get(kept.size() - 1))
                .hasMessageContaining("before the durable end, position " + (EVENTS - 2));
    }

    @Test
    void aCheckpointWithOneDamagedSlotFallsBackToTheOtherAndOneWithBothDamagedRefusesOpen() throws IOException {
        Path checkpoint = crashed.resolve(DurableEnd.FILE_NAME);
        DurableEnd.Mark newest = DurableEnd.read(io.rewind.log.io.FileIO.real(), crashed);
        long newestSlot = (newest.sequence() % 2) * DurableEnd.SLOT_BYTES;
        Fixtures.flipByte(checkpoint, newestSlot + 22); // inside the next position
        DurableEnd.Mark older = DurableEnd.read(io.rewind.log.io.FileIO.real(), crashed);
        assertThat(older.sequence()).isEqualTo(newest.sequence() - 1);
        try (LogEventStore store = LogEventStore.open(config(crashed))) {
            assertHolds(store, EVENTS);
        }

        Fixtures.flipByte(checkpoint, 3);
        Fixtures.flipByte(checkpoint, DurableEnd.SLOT_BYTES + 3);
        Map<String, String> before = Fixtures.snapshot(crashed);
        assertThatThrownBy(() -> LogEventStore.open(config(crashed)))
                .isInstanceOf(CorruptionException.class)
                .hasMessageContaining(checkpoint.toString())
                .hasMessageContaining("neither slot");
        assertThat(Fixtures.snapshot(crashed)).isEqualTo(before);
    }

    @Test
    void aZeroedTailIsCut() throws IOException {
        Path last = lastSegment(crashed);
        long size = Files.size(last);
        Files.write(last, new byte[8192], StandardOpenOption.APPEND);

        try (LogEventStore store = LogEventStore.open(config(crashed))) {
            assertHolds(store, EVENTS);
        }
        assertThat(Files.size(last)).isEqualTo(size);
    }

    @Test
    void aDamagedRecordFollowedByValidOnesInTheLastSegmentIsCorruptionNotATornTail() throws IOException {
        Path last = lastSegment(crashed);
        long record = Fixtures.recordOffsets(last).get(0);
        Fixtures.flipByte(last, record + 2); // the length field
        Map<String, String> before = Fixtures.snapshot(crashed);

        assertThatThrownBy(() -> LogEventStore.open(config(crashed)))
                .isInstanceOf(CorruptionException.class)
                .hasMessageContaining(last.toString())
                .hasMessageContaining("offset " + record)
                .hasMessageContaining("a valid record follows");
        assertThat(Fixtures.snapshot(crashed)).isEqualTo(before);
    }

    @Test
    void aMissingSegmentBeforeTheLastIsCorruption() throws IOException {
        Files.delete(segments(crashed).get(1));
        assertThatThrownBy(() -> LogEventStore.open(config(crashed)))
                .isInstanceOf(CorruptionException.class)
                .hasMessageContaining("starts at position");
    }

    @Test
    void aLogShorterThanItsIndexCheckpointIsCorruption() throws IOException {
        // After a clean close the index covers every event; losing the end of the log now means
        // losing acknowledged events, which recovery must not paper over as a torn tail.
        Path last = lastSegment(live);
        List<Long> records = Fixtures.recordOffsets(last);
        truncate(last, records.get(records.size() - 1));
        Map<String, String> before = Fixtures.snapshot(live);

        assertThatThrownBy(() -> LogEventStore.open(config(live)))
                .isInstanceOf(CorruptionException.class)
                .hasMessageContaining(last.toString())
                .hasMessageContaining("acknowledged data is missing");
        assertThat(Fixtures.snapshot(live)).isEqualTo(before);
    }
}
