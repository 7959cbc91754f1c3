package io.rewind.testkit;

import static io.rewind.testkit.StoreAssertions.assertDenseAndOrdered;
import static io.rewind.testkit.TestEvents.event;
import static io.rewind.testkit.TestEvents.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Reads of one stream or of the whole store, from a version or position, forwards or backwards,
 * with a limit; look-up by id; timestamps and the first position at or after a time.
 */
public interface ReadContract extends ContractFixture {

    @Test
    default void aFreshStoreIsEmpty() {
        assertThat(store().headPosition()).isEqualTo(-1);
        assertThat(store().readAll(0, Direction.FORWARD, 10)).isEmpty();
        assertThat(store().readAll(EventStore.END, Direction.BACKWARD, 10)).isEmpty();
        assertThat(store().listStreams("", null, 10).streams()).isEmpty();
        assertThat(store().firstPositionAtOrAfter(Instant.EPOCH)).isZero();
        assertThat(store().readEvent(UUID.randomUUID())).isEmpty();
    }

    @Test
    default void readStreamForwardStartsAtTheVersionAndStopsAtTheLimit() {
        List<EventData> proposed = appendTenToStreamInterleavedWithOthers();

        assertThat(store().readStream("main", 0, Direction.FORWARD, 100))
                .extracting(RecordedEvent::id).containsExactlyElementsOf(ids(proposed));
        assertThat(store().readStream("main", 3, Direction.FORWARD, 4))
                .extracting(RecordedEvent::version).containsExactly(3L, 4L, 5L, 6L);
        assertThat(store().readStream("main", 9, Direction.FORWARD, 4))
                .extracting(RecordedEvent::version).containsExactly(9L);
        assertThat(store().readStream("main", 10, Direction.FORWARD, 4)).isEmpty();
        assertThat(store().readStream("main", EventStore.END, Direction.FORWARD, 4)).isEmpty();
    }

    @Test
    default void readStreamBackwardGoesFromTheVersionTowardsTheOldest() {
        appendTenToStreamInterleavedWithOthers();

        assertThat(store().readStream("main", EventStore.END, Direction.BACKWARD, 3))
                .extracting(RecordedEvent::version).containsExactly(9L, 8L, 7L);
        assertThat(store().readStream("main", 4, Direction.BACKWARD, 3))
                .extracting(RecordedEvent::version).containsExactly(4L, 3L, 2L);
        assertThat(store().readStream("main", 1, Direction.BACKWARD, 5))
                .extracting(RecordedEvent::version).containsExactly(1L, 0L);
        assertThat(store().readStream("main", 0, Direction.BACKWARD, 5))
                .extracting(RecordedEvent::version).containsExactly(0L);
        // A start beyond the newest version reads from the newest, as END does.
        assertThat(store().readStream("main", 25, Direction.BACKWARD, 2))
                .extracting(RecordedEvent::version).containsExactly(9L, 8L);
    }

    @Test
    default void aStreamWithNoEventsReadsEmptyInBothDirections() {
        store().append("other", ExpectedVersion.any(), event("other"));

        assertThat(store().readStream("unknown", 0, Direction.FORWARD, 10)).isEmpty();
        assertThat(store().readStream("unknown", EventStore.END, Direction.BACKWARD, 10)).isEmpty();
    }

    @Test
    default void readStreamReturnsOnlyThatStreamsEventsWithTheirGlobalPositions() {
        appendTenToStreamInterleavedWithOthers();

        List<RecordedEvent> main = store().readStream("main", 0, Direction.FORWARD, 100);
        List<RecordedEvent> log = readWholeStore();

        assertThat(main).allSatisfy(event -> assertThat(event.stream()).isEqualTo("main"));
        assertThat(main).allSatisfy(event -> assertThat(log.get((int) event.position())).isEqualTo(event));
        assertThat(main).extracting(RecordedEvent::position).isSorted();
    }

    @Test
    default void readAllGoesForwardsAndBackwardsInGlobalOrder() {
        appendTenToStreamInterleavedWithOthers();
        List<RecordedEvent> log = readWholeStore();
        assertThat(log).hasSize(20);
        assertDenseAndOrdered(log);

        assertThat(store().readAll(5, Direction.FORWARD, 3)).containsExactly(log.get(5), log.get(6), log.get(7));
        assertThat(store().readAll(5, Direction.BACKWARD, 3)).containsExactly(log.get(5), log.get(4), log.get(3));
        assertThat(store().readAll(EventStore.END, Direction.BACKWARD, 2)).containsExactly(log.get(19), log.get(18));
        assertThat(store().readAll(100, Direction.BACKWARD, 1)).containsExactly(log.get(19));
        assertThat(store().readAll(1, Direction.BACKWARD, 10)).containsExactly(log.get(1), log.get(0));
        assertThat(store().readAll(20, Direction.FORWARD, 10)).isEmpty();
        assertThat(store().readAll(EventStore.END, Direction.FORWARD, 10)).isEmpty();
    }

    @Test
    default void pagingThroughTheWholeStoreForwardsAndBackwardsSeesEveryEventOnce() {
        for (int batch = 0; batch < 12; batch++) {
            store().append("paged-" + (batch % 3), ExpectedVersion.any(), events("batch-" + batch, 100));
        }

        List<RecordedEvent> forwards = new ArrayList<>();
        for (long from = 0; ; ) {
            List<RecordedEvent> page = store().readAll(from, Direction.FORWARD, 250);
            if (page.isEmpty()) {
                break;
            }
            assertThat(page.size()).isLessThanOrEqualTo(250);
            forwards.addAll(page);
            from = page.get(page.size() - 1).position() + 1;
        }
        List<RecordedEvent> backwards = new ArrayList<>();
        for (long from = EventStore.END; from >= 0; ) {
            List<RecordedEvent> page = store().readAll(from, Direction.BACKWARD, 333);
            if (page.isEmpty()) {
                break;
            }
            backwards.addAll(page);
            from = page.get(page.size() - 1).position() - 1;
        }

        assertThat(forwards).hasSize(1200);
        assertDenseAndOrdered(forwards);
        assertThat(backwards).containsExactlyElementsOf(reversed(forwards));
    }

    @Test
    default void pagingThroughALongStreamSeesEveryVersionOnce() {
        for (int batch = 0; batch < 6; batch++) {
            store().append(AppendRequest.builder()
                    .append("long", ExpectedVersion.any(), events("long-" + batch, 200))
                    .append("noise", ExpectedVersion.any(), event("noise-" + batch))
                    .build());
        }

        List<RecordedEvent> forwards = new ArrayList<>();
        for (long from = 0; ; from += 500) {
            List<RecordedEvent> page = store().readStream("long", from, Direction.FORWARD, 500);
            if (page.isEmpty()) {
                break;
            }
            forwards.addAll(page);
        }
        List<RecordedEvent> backwards = new ArrayList<>();
        for (long from = EventStore.END; from >= 0; ) {
            List<RecordedEvent> page = store().readStream("long", from, Direction.BACKWARD, 450);
            if (page.isEmpty()) {
                break;
            }
            backwards.addAll(page);
            from = page.get(page.size() - 1).version() - 1;
        }

        assertThat(forwards).extracting(RecordedEvent::version)
                .containsExactlyElementsOf(LongStream.range(0, 1200).boxed().toList());
        assertThat(backwards).containsExactlyElementsOf(reversed(forwards));
    }

    @Test
    default void readEventFindsAnEventByIdAndNothingForAnUnknownId() {
        List<EventData> proposed = appendTenToStreamInterleavedWithOthers();

        RecordedEvent fifth = store().readStream("main", 4, Direction.FORWARD, 1).get(0);

        assertThat(store().readEvent(proposed.get(4).id())).contains(fifth);
        assertThat(store().readEvent(UUID.randomUUID())).isEmpty();
    }

    @Test
    default void timestampsHaveMicrosecondPrecisionAndNeverDecreaseAlongTheGlobalOrder() {
        for (int i = 0; i < 20; i++) {
            store().append("timed-" + (i % 4), ExpectedVersion.any(), events("timed-" + i, 1 + i % 3));
        }

        List<RecordedEvent> log = readWholeStore();

        assertThat(log).extracting(RecordedEvent::timestamp).isSorted();
        assertThat(log).allSatisfy(event -> assertThat(event.timestamp().getNano() % 1000)
                .as("nanoseconds below the microsecond of " + event).isZero());
    }

    @Test
    default void firstPositionAtOrAfterFindsTheFirstEventOfEveryMoment() {
        List<List<RecordedEvent>> batches = new ArrayList<>();
        for (int batch = 0; batch < 5; batch++) {
            long first = store().append("moments", ExpectedVersion.any(), events("moment-" + batch, 3)).firstPosition();
            Instant returned = Instant.now();
            List<RecordedEvent> written = store().readAll(first, Direction.FORWARD, 3);
            batches.add(written);
            // Let a millisecond pass after the append (on the store's clock too, whatever its
            // offset from ours), so that the batches have distinct timestamps.
            Instant newest = written.get(2).timestamp().isAfter(returned) ? written.get(2).timestamp() : returned;
            Await.until(() -> Instant.now().isAfter(newest.plusMillis(1)), "the clock passes " + newest);
        }
        List<RecordedEvent> log = readWholeStore();

        List<Instant> probes = new ArrayList<>(List.of(Instant.EPOCH, Instant.now().plus(Duration.ofDays(1))));
        for (RecordedEvent event : log) {
            probes.add(event.timestamp());
            probes.add(event.timestamp().minusNanos(1000));
            probes.add(event.timestamp().plusNanos(1000));
        }
        for (Instant probe : probes) {
            long expected = log.stream().filter(event -> !event.timestamp().isBefore(probe))
                    .mapToLong(RecordedEvent::position).findFirst().orElse(log.size());
            assertThat(store().firstPositionAtOrAfter(probe)).as("first position at or after " + probe)
                    .isEqualTo(expected);
        }
        for (int batch = 1; batch < batches.size(); batch++) {
            Instant start = batches.get(batch).get(0).timestamp();
            Instant endOfPrevious = batches.get(batch - 1).get(2).timestamp();
            assertThat(start).as("start of batch " + batch).isAfter(endOfPrevious);
            assertThat(store().firstPositionAtOrAfter(start)).isEqualTo(batch * 3L);
            assertThat(store().firstPositionAtOrAfter(endOfPrevious.plusNanos(1000))).isEqualTo(batch * 3L);
        }
        assertThat(store().firstPositionAtOrAfter(Instant.EPOCH)).isZero();
        assertThat(store().firstPositionAtOrAfter(Instant.now().plus(Duration.ofDays(1))))
                .isEqualTo(store().headPosition() + 1).isEqualTo(15);
    }

    /** Ten events in stream "main" (returned), each followed by one in "side-0" or "side-1". */
    private List<EventData> appendTenToStreamInterleavedWithOthers() {
        List<EventData> main = events("main", 10);
        for (int i = 0; i < main.size(); i++) {
            store().append("main", ExpectedVersion.any(), main.get(i));
            store().append("side-" + (i % 2), ExpectedVersion.any(), event("side-" + i));
        }
        return main;
    }

    private static List<UUID> ids(List<EventData> events) {
        return events.stream().map(EventData::id).toList();
    }

    private static List<RecordedEvent> reversed(List<RecordedEvent> events) {
        List<RecordedEvent> copy = new ArrayList<>(events);
        Collections.reverse(copy);
        return copy;
    }
}
