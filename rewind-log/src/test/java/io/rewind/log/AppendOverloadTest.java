package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreOverloadedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded admission: with the writer held inside a force (through the file layer), appends fill its
 * queue up to the configured bound and the next one fails at once with an overload error, storing
 * nothing; once the writer moves on, the store takes appends again.
 */
class AppendOverloadTest {

    @TempDir
    Path directory;
    private final TestFileIO io = new TestFileIO();

    private final List<EventData> events = Fixtures.events(0, 7);

    private AppendRequest one(int i) {
        return AppendRequest.to("s", ExpectedVersion.any(), events.get(i));
    }

    @Test
    void aFullQueueRefusesTheNextAppendAtOnceAndStoresNothingOfIt() throws Exception {
        LogConfig config = LogConfig.builder(directory).fileIO(io).appendQueueEvents(3).build();
        try (LogEventStore store = LogEventStore.open(config)) {
            CountDownLatch forcing = io.holdNextForce();
            List<CompletableFuture<AppendResult>> accepted = new ArrayList<>();
            accepted.add(store.appendAsync(one(0)));
            assertThat(forcing.await(30, TimeUnit.SECONDS)).as("the writer reached the held force").isTrue();
            for (int i = 1; i <= 3; i++) {
                accepted.add(store.appendAsync(one(i)));
            }
            long queuedBytes = 0;
            for (int i = 1; i <= 3; i++) {
                queuedBytes += events.get(i).dataSize() + events.get(i).metadataSize();
            }
            assertThat(store.writerQueue()).as("what waits for the writer held in its force")
                    .contains(new io.rewind.api.WriterQueue(3, queuedBytes, 3, config.appendQueueBytes()));

            CompletableFuture<AppendResult> refused = store.appendAsync(one(4));

            assertThat(refused).as("refused before appendAsync returned").isCompletedExceptionally();
            Throwable failure = catchThrowable(() -> EventStore.await(refused));
            assertThat(failure).isInstanceOf(StoreOverloadedException.class)
                    .hasMessageContaining("overloaded").hasMessageContaining("3 events");
            assertThat(((StoreOverloadedException) failure).code()).isEqualTo(ErrorCode.OVERLOADED);
            assertThat(catchThrowable(() -> store.append(one(5)))).as("a synchronous append does not wait either")
                    .isInstanceOf(StoreOverloadedException.class);

            io.releaseForce();
            for (CompletableFuture<AppendResult> future : accepted) {
                future.get(30, TimeUnit.SECONDS);
            }
            AppendResult later = store.append(one(6));
            assertThat(store.writerQueue().orElseThrow().events()).as("nothing waits any more").isZero();

            assertThat(later.firstPosition()).isEqualTo(4);
            List<UUID> stored = store.readAll(0, Direction.FORWARD, 100).stream().map(RecordedEvent::id)
                    .toList();
            assertThat(stored).containsExactly(events.get(0).id(), events.get(1).id(), events.get(2).id(),
                    events.get(3).id(), events.get(6).id());
        }
    }

    @Test
    void theByteBoundCountsDataAndMetadata() throws Exception {
        LogConfig config = LogConfig.builder(directory).fileIO(io).appendQueueBytes(1000).build();
        try (LogEventStore store = LogEventStore.open(config)) {
            CountDownLatch forcing = io.holdNextForce();
            CompletableFuture<AppendResult> first = store.appendAsync(one(0));
            assertThat(forcing.await(30, TimeUnit.SECONDS)).isTrue();
            EventData big = EventData.of("big", new byte[600]).withMetadata(new byte[300]);
            CompletableFuture<AppendResult> fits = store.appendAsync(AppendRequest.to("s", ExpectedVersion.any(), big));

            CompletableFuture<AppendResult> tooMuch = store.appendAsync(AppendRequest.to("s", ExpectedVersion.any(),
                    EventData.of("small", new byte[101])));

            assertThat(catchThrowable(() -> EventStore.await(tooMuch))).isInstanceOf(StoreOverloadedException.class)
                    .hasMessageContaining("900 bytes");
            io.releaseForce();
            first.get(30, TimeUnit.SECONDS);
            assertThat(fits.get(30, TimeUnit.SECONDS).firstPosition()).isEqualTo(1);
            assertThat(store.headPosition()).isEqualTo(1);
        }
    }
}
