package io.rewind.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventTooLargeException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the contract suite cannot see from outside: the clock handling and the size option. */
class MemoryEventStoreTest {

    @Test
    void timestampsAreTruncatedToMicrosecondsAndClampedWhenTheClockStepsBack() {
        try (MemoryEventStore store = storeWithOneEventAtEach(
                "2024-05-01T10:00:00.123456789Z", "2024-05-01T09:59:59Z", "2024-05-01T10:00:01.000000999Z")) {
            List<Instant> timestamps = store.readAll(0, Direction.FORWARD, 10).stream()
                    .map(RecordedEvent::timestamp).toList();

            assertThat(timestamps).containsExactly(
                    Instant.parse("2024-05-01T10:00:00.123456Z"),
                    Instant.parse("2024-05-01T10:00:00.123456Z"),
                    Instant.parse("2024-05-01T10:00:01Z"));
        }
    }

    @Test
    void firstPositionAtOrAfterFindsTheClampedTimestamps() {
        try (MemoryEventStore store = storeWithOneEventAtEach(
                "2024-05-01T10:00:00Z", "2024-05-01T09:00:00Z", "2024-05-01T11:00:00Z")) {
            assertThat(store.firstPositionAtOrAfter(Instant.parse("2024-05-01T09:00:00Z"))).isZero();
            assertThat(store.firstPositionAtOrAfter(Instant.parse("2024-05-01T10:00:00Z"))).isZero();
            assertThat(store.firstPositionAtOrAfter(Instant.parse("2024-05-01T10:00:00.000001Z"))).isEqualTo(2);
            assertThat(store.firstPositionAtOrAfter(Instant.parse("2024-05-01T11:00:00.000001Z"))).isEqualTo(3);
        }
    }

    @Test
    void aSmallerMaximumEventSizeCountsDataAndMetadata() {
        try (MemoryEventStore store = MemoryEventStore.create(10)) {
            store.append("sized", ExpectedVersion.any(), EventData.of("t", new byte[6]).withMetadata(new byte[4]));

            assertThatThrownBy(() -> store.append("sized", ExpectedVersion.any(),
                    EventData.of("t", new byte[6]).withMetadata(new byte[5])))
                    .isInstanceOf(EventTooLargeException.class)
                    .hasMessageContaining("11 bytes")
                    .extracting(e -> ((EventTooLargeException) e).code()).isEqualTo(ErrorCode.TOO_LARGE);
            assertThat(store.headPosition()).isZero();
        }
    }

    @Test
    void aNegativeMaximumEventSizeIsRefused() {
        assertThatThrownBy(() -> MemoryEventStore.create(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    /** A store whose clock reads the given instants in turn, with one event appended at each. */
    private static MemoryEventStore storeWithOneEventAtEach(String... clockReadings) {
        SteppingClock clock = new SteppingClock(Arrays.stream(clockReadings).map(Instant::parse).toArray(Instant[]::new));
        MemoryEventStore store = MemoryEventStore.create(MemoryEventStore.DEFAULT_MAX_EVENT_BYTES, clock);
        for (int i = 0; i < clockReadings.length; i++) {
            store.append("clock", ExpectedVersion.any(), event(i));
        }
        return store;
    }

    private static EventData event(int number) {
        return EventData.of("numbered", Integer.toString(number).getBytes(StandardCharsets.UTF_8));
    }

    /** A clock that answers the given instants in turn, then repeats the last one. */
    private static final class SteppingClock extends Clock {
        private final Deque<Instant> instants;
        private Instant last;

        SteppingClock(Instant... instants) {
            this.instants = new ArrayDeque<>(List.of(instants));
        }

        @Override
        public synchronized Instant instant() {
            if (!instants.isEmpty()) {
                last = instants.poll();
            }
            return last;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException("a test clock has one zone");
        }
    }
}
