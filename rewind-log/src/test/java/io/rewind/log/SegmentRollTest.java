package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tiny segments: many rolls, reads across them, names by first position, oversized appends. */
class SegmentRollTest {

    @TempDir
    Path directory;

    private LogConfig config() {
        return LogConfig.builder(directory).segmentSize(LogConfig.MIN_SEGMENT_SIZE).indexFlushThreshold(200).build();
    }

    @Test
    void segmentsRollAtTheSizeLimitAndReadsCrossThem() throws IOException {
        List<EventData> written = new ArrayList<>();
        try (LogEventStore store = LogEventStore.open(config())) {
            for (int i = 0; i < 500; i += 5) {
                List<EventData> batch = Fixtures.events(i, 5);
                written.addAll(batch);
                store.append("s-" + (i % 3), ExpectedVersion.any(), batch);
            }
            assertReadable(store, written);
        }
        List<Path> segments = Fixtures.filesEndingWith(directory, Segment.SUFFIX);
        assertThat(segments).hasSizeGreaterThan(50);
        for (Path segment : segments) {
            long base = Segment.parseFileName(segment.getFileName().toString());
            // Appends of 5 events never straddle: each segment starts at a multiple of 5, and only
            // a segment holding a single append may exceed the limit.
            assertThat(base % 5).isZero();
            List<Long> records = Fixtures.recordOffsets(segment);
            assertThat(Files.size(segment) <= LogConfig.MIN_SEGMENT_SIZE || records.size() == 5).isTrue();
        }
        try (LogEventStore store = LogEventStore.open(config())) {
            assertReadable(store, written);
        }
    }

    @Test
    void anAppendLargerThanASegmentExtendsOneSegment() throws IOException {
        try (LogEventStore store = LogEventStore.open(config())) {
            store.append("small", ExpectedVersion.any(), Fixtures.event(0));
            EventData big = EventData.of("big", new byte[5000]);
            store.append("big", ExpectedVersion.noStream(), big);
            store.append("small", ExpectedVersion.any(), Fixtures.event(1));
            assertThat(store.readStream("big", 0, Direction.FORWARD, 1).get(0).dataEquals(big.data())).isTrue();
            assertThat(store.readAll(0, Direction.FORWARD, 10)).hasSize(3);
        }
        List<Path> segments = Fixtures.filesEndingWith(directory, Segment.SUFFIX);
        assertThat(segments).extracting(p -> p.getFileName().toString())
                .containsExactly(Segment.fileName(0), Segment.fileName(1), Segment.fileName(2));
        assertThat(Files.size(segments.get(1))).isGreaterThan(5000);
    }

    private static void assertReadable(LogEventStore store, List<EventData> written) {
        List<RecordedEvent> forward = new ArrayList<>();
        for (long from = 0; from < written.size(); from += 37) {
            forward.addAll(store.readAll(from, Direction.FORWARD, 37));
        }
        assertThat(forward).extracting(RecordedEvent::id).containsExactlyElementsOf(
                written.stream().map(EventData::id).toList());
        List<RecordedEvent> backward = store.readAll(EventStore.END, Direction.BACKWARD, 1000);
        assertThat(backward).hasSize(written.size());
        assertThat(backward.get(0).position()).isEqualTo(written.size() - 1);
        for (EventData event : List.of(written.get(0), written.get(250), written.get(499))) {
            assertThat(store.readEvent(event.id())).map(RecordedEvent::id).contains(event.id());
        }
        assertThat(store.readStream("s-1", 0, Direction.FORWARD, 1000)).hasSize(165);
    }
}
