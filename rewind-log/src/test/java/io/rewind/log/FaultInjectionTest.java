package io.rewind.log;

import static io.rewind.log.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreFailedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failing writes and forces through the I/O interface: the store is fail-stop, keeps serving what
 * it acknowledged, and a reopen holds exactly the acknowledged appends.
 */
class FaultInjectionTest {

    @TempDir
    Path directory;
    private final TestFileIO io = new TestFileIO();

    private LogConfig config() {
        return LogConfig.builder(directory).fileIO(io).segmentSize(4096).build();
    }

    private List<EventData> appendAcknowledged(LogEventStore store, int count) {
        List<EventData> acknowledged = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            EventData event = event(i);
            store.append("s", ExpectedVersion.any(), event);
            acknowledged.add(event);
        }
        return acknowledged;
    }

    private void assertFailStopThenReopenHoldsExactly(LogEventStore store, List<EventData> acknowledged) {
        assertThatThrownBy(() -> store.append("s", ExpectedVersion.any(), event(1000)))
                .isInstanceOf(StoreFailedException.class)
                .hasMessageContaining("injected");
        assertThat(store.appendAsync(AppendRequest.to("other", ExpectedVersion.any(), event(1001))))
                .isCompletedExceptionally();
        assertThat(ids(store.readAll(0, Direction.FORWARD, 1000))).isEqualTo(ids(acknowledged));
        assertThat(store.readEvent(acknowledged.get(acknowledged.size() - 1).id())).isPresent();
        store.close();
        try (LogEventStore reopened = LogEventStore.open(LogConfig.builder(directory).segmentSize(4096).build())) {
            assertThat(ids(reopened.readAll(0, Direction.FORWARD, 1000))).isEqualTo(ids(acknowledged));
            assertThat(reopened.append("s", ExpectedVersion.exactly(acknowledged.size() - 1), event(2000))
                    .firstPosition()).isEqualTo(acknowledged.size());
        }
    }

    private static List<Object> ids(List<?> events) {
        return events.stream().map(e -> e instanceof RecordedEvent r ? r.id() : ((EventData) e).id())
                .map(Object.class::cast).toList();
    }

    @Test
    void aFailedWriteFailsThatAppendAndEveryLaterOne() {
        LogEventStore store = LogEventStore.open(config());
        List<EventData> acknowledged = appendAcknowledged(store, 40); // spans several segments
        io.failSegmentWrite(1);
        assertThatThrownBy(() -> store.append("s", ExpectedVersion.any(), event(999)))
                .isInstanceOf(StoreFailedException.class)
                .hasMessageContaining("injected write failure");
        assertFailStopThenReopenHoldsExactly(store, acknowledged);
    }

    @Test
    void aFailedForceFailsThatAppendAndItsBytesAreCutBack() {
        LogEventStore store = LogEventStore.open(config());
        List<EventData> acknowledged = appendAcknowledged(store, 10);
        io.failSegmentForce(1);
        assertThatThrownBy(() -> store.append("s", ExpectedVersion.any(), event(999), event(998)))
                .isInstanceOf(StoreFailedException.class)
                .hasMessageContaining("injected force failure");
        assertFailStopThenReopenHoldsExactly(store, acknowledged);
    }

    @Test
    void aFailedForceWhileSealingASegmentRemovesTheNewSegment() {
        LogEventStore store = LogEventStore.open(config());
        List<EventData> acknowledged = appendAcknowledged(store, 5);
        io.failSegmentForce(2); // the batch's roll forces the old segment first, then the new one
        List<EventData> big = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            big.add(event(500 + i));
        }
        // 30 events do not fit what is left of the first segment: the writer rolls, then writes.
        assertThatThrownBy(() -> store.append("s", ExpectedVersion.any(), big))
                .isInstanceOf(StoreFailedException.class);
        assertFailStopThenReopenHoldsExactly(store, acknowledged);
    }

    @Test
    void appendsQueuedBehindAFailedBatchFailToo() throws Exception {
        LogEventStore store = LogEventStore.open(config());
        List<EventData> acknowledged = appendAcknowledged(store, 3);
        CountDownLatch forcing = io.holdNextForce();
        io.failSegmentForce(1);
        CompletableFuture<AppendResult> failing = store.appendAsync(AppendRequest.to("s", ExpectedVersion.any(), event(7)));
        assertThat(forcing.await(10, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<AppendResult>> queued = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            queued.add(store.appendAsync(AppendRequest.to("s", ExpectedVersion.any(), event(100 + i))));
        }
        io.releaseForce();
        assertThatThrownBy(() -> EventStore.await(failing)).isInstanceOf(StoreFailedException.class);
        for (CompletableFuture<AppendResult> future : queued) {
            assertThatThrownBy(() -> EventStore.await(future)).isInstanceOf(StoreFailedException.class);
        }
        assertFailStopThenReopenHoldsExactly(store, acknowledged);
    }

    @Test
    void aFailedIndexFlushStopsTheWriterWithoutLosingAcknowledgedEvents() {
        LogEventStore store = LogEventStore.open(LogConfig.builder(directory).fileIO(io).indexFlushThreshold(10).build());
        io.failIndexFiles();
        List<EventData> acknowledged = new ArrayList<>();
        // The flush runs in the background: appends go on succeeding until the writer hears of it.
        for (int i = 0; i < 10_000; i++) {
            EventData event = event(i);
            try {
                store.append("s", ExpectedVersion.any(), event);
                acknowledged.add(event);
            } catch (StoreFailedException e) {
                assertThat(e).hasMessageContaining("index");
                break;
            }
        }
        assertThat(acknowledged).hasSizeBetween(10, 9_999);
        assertFailStopThenReopenHoldsExactly(store, acknowledged);
    }
}
