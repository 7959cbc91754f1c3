package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.ExpectedVersion;
import io.rewind.api.StoreUnavailableException;
import io.rewind.log.io.FileIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogVerifierTest {

    @TempDir
    Path directory;

    @BeforeEach
    void writeStore() {
        try (LogEventStore store = LogEventStore.open(
                LogConfig.builder(directory).segmentSize(4096).indexFlushThreshold(40).build())) {
            for (int i = 0; i < 100; i += 4) {
                store.append("s-" + (i % 3), ExpectedVersion.any(), Fixtures.events(i, 4));
            }
        }
    }

    @Test
    void aSoundLogVerifiesCleanly() throws IOException {
        LogVerifier.Report report = LogVerifier.verify(directory, FileIO.real());
        assertThat(report.problems()).isEmpty();
        assertThat(report.isSound()).isTrue();
        assertThat(report.events()).isEqualTo(100);
        assertThat(report.segments()).isEqualTo(Fixtures.filesEndingWith(directory, Segment.SUFFIX).size());
        assertThat(report.indexFiles()).isEqualTo(3); // 40, 40, then the last 20 at close
    }

    @Test
    void damageAnywhereIsReportedWithFileAndOffsetAndNothingChanges() throws IOException {
        Path segment = Fixtures.filesEndingWith(directory, Segment.SUFFIX).get(1);
        long record = Fixtures.recordOffsets(segment).get(1);
        Fixtures.flipByte(segment, record + 60);
        Path index = Fixtures.filesEndingWith(directory, IndexGeneration.SUFFIX).get(2);
        Fixtures.flipByte(index, 70);
        Map<String, String> before = Fixtures.snapshot(directory);

        List<String> problems = LogVerifier.verify(directory, FileIO.real()).problems();

        assertThat(problems).anySatisfy(problem -> assertThat(problem)
                .contains(segment.toString()).contains("offset " + record).contains("checksum"));
        assertThat(problems).anySatisfy(problem -> assertThat(problem)
                .contains(index.toString()).contains("checksum"));
        assertThat(Fixtures.snapshot(directory)).isEqualTo(before);
    }

    /** A copy of the directory taken while a store has it open, after one more acknowledged append. */
    private Path crashCopyAfterOneMoreAppend(Path target) throws IOException {
        try (LogEventStore store = LogEventStore.open(LogConfig.builder(directory).segmentSize(4096).build())) {
            store.append("s-last", ExpectedVersion.noStream(), Fixtures.events(100, 2));
            return Fixtures.crashCopy(directory, target);
        }
    }

    @Test
    void damageToTheLastAcknowledgedAppendIsReportedAsDamageNotAsATornTail() throws IOException {
        Path crashed = crashCopyAfterOneMoreAppend(directory.resolveSibling(directory.getFileName() + "-crashed"));
        List<Path> segments = Fixtures.filesEndingWith(crashed, Segment.SUFFIX);
        Path last = segments.get(segments.size() - 1);
        List<Long> records = Fixtures.recordOffsets(last);
        long commitRecord = records.get(records.size() - 1);
        Fixtures.flipByte(last, commitRecord + 70);

        LogVerifier.Report report = LogVerifier.verify(crashed, FileIO.real());

        assertThat(report.isSound()).isFalse();
        assertThat(report.problems()).singleElement().satisfies(problem -> assertThat(problem)
                .startsWith("damage to acknowledged data (before the durable end, position 102")
                .contains(last.toString()).contains("offset " + commitRecord).doesNotContain("torn")
                .endsWith("rewind repair --cut-at " + last.getFileName() + ":" + records.get(records.size() - 2)
                        + " " + crashed));
    }

    @Test
    void aTornTailAfterTheDurableEndIsANoteNotDamage() throws IOException {
        Path crashed = crashCopyAfterOneMoreAppend(directory.resolveSibling(directory.getFileName() + "-torn"));
        List<Path> segments = Fixtures.filesEndingWith(crashed, Segment.SUFFIX);
        Path last = segments.get(segments.size() - 1);
        long end = java.nio.file.Files.size(last);
        java.nio.file.Files.write(last, new byte[] {0, 0, 0, 90, 1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);

        LogVerifier.Report report = LogVerifier.verify(crashed, FileIO.real());

        assertThat(report.problems()).isEmpty();
        assertThat(report.events()).isEqualTo(102);
        assertThat(report.notes()).singleElement().satisfies(note -> assertThat(note)
                .startsWith("torn tail after the durable end").contains("offset " + end).contains(last.toString()));
    }

    @Test
    void aLogWithoutACheckpointGetsANoteAndItsDamagedTailStaysAProblem() throws IOException {
        java.nio.file.Files.delete(directory.resolve(DurableEnd.FILE_NAME));
        assertThat(LogVerifier.verify(directory, FileIO.real()).notes()).singleElement()
                .satisfies(note -> assertThat(note).contains("no durable-end checkpoint"));
    }

    @Test
    void aDirectoryInUseIsRefused() {
        try (LogEventStore store = LogEventStore.open(LogConfig.builder(directory).build())) {
            assertThat(store.headPosition()).isEqualTo(99);
            assertThatThrownBy(() -> LogVerifier.verify(directory, FileIO.real()))
                    .isInstanceOf(StoreUnavailableException.class);
        }
    }
}
