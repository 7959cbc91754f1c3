package io.rewind.log;

import static io.rewind.log.Fixtures.event;
import static io.rewind.log.Fixtures.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.EventTooLargeException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.IdempotencyConflictException;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.Limits;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamPage;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.api.WrongExpectedVersionException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The EventStore behaviour of the log, directly (the shared contract suite adds to this). */
class LogEventStoreTest {

    @TempDir
    Path directory;
    private LogEventStore store;

    @BeforeEach
    void open() {
        store = LogEventStore.open(LogConfig.builder(directory).maxEventBytes(1000).build());
    }

    @AfterEach
    void close() {
        store.close();
    }

    /**
     * Once {@code append} returns, a subscription from the end starts after that append: the
     * writer moves the head watch before it wakes the caller. Repeated, because the opposite order
     * loses only when the woken caller outruns the writer.
     */
    @Test
    void aSubscriptionFromTheEndStartsAfterTheAppendThatJustReturned() {
        SubscriptionListener ignoring = event -> { };
        for (int i = 0; i < 500; i++) {
            long position = store.append("s", ExpectedVersion.any(), event(i)).lastPosition();
            try (Subscription subscription = store.subscribe(SubscriptionRequest.fromEnd(), ignoring)) {
                assertThat(subscription.lastPosition()).as("start of a subscription made after append %d", i)
                        .isEqualTo(position);
            }
        }
    }

    private void reopen() {
        store.close();
        store = LogEventStore.open(LogConfig.builder(directory).maxEventBytes(1000).build());
    }

    @Test
    void appendsGetDenseVersionsAndPositionsAndSurviveReopen() {
        AppendResult first = store.append("orders-1", ExpectedVersion.noStream(), events(0, 3));
        AppendResult second = store.append("orders-2", ExpectedVersion.any(), event(3));
        assertThat(first.events()).extracting(AppendResult.Written::version).containsExactly(0L, 1L, 2L);
        assertThat(first.events()).extracting(AppendResult.Written::position).containsExactly(0L, 1L, 2L);
        assertThat(second.firstPosition()).isEqualTo(3);
        reopen();
        assertThat(store.headPosition()).isEqualTo(3);
        List<RecordedEvent> stream = store.readStream("orders-1", 0, Direction.FORWARD, 10);
        assertThat(stream).extracting(RecordedEvent::version).containsExactly(0L, 1L, 2L);
        assertThat(stream.get(1).dataEquals(event(1).data())).isTrue();
        assertThat(stream.get(1).type()).isEqualTo("type-1");
        assertThat(store.streamInfo("orders-1")).contains(new StreamInfo("orders-1", 2, 0, 2));
        assertThat(store.append("orders-1", ExpectedVersion.exactly(2), event(4)).firstPosition()).isEqualTo(4);
    }

    @Test
    void expectedVersionsAndChecksAreEnforcedAtomically() {
        store.append("a", ExpectedVersion.noStream(), event(0));
        assertThatThrownBy(() -> store.append("a", ExpectedVersion.noStream(), event(1)))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.stream()).isEqualTo("a");
                    assertThat(e.actualVersion()).isZero();
                });
        assertThatThrownBy(() -> store.append("b", ExpectedVersion.streamExists(), event(1)))
                .isInstanceOf(WrongExpectedVersionException.class);
        AppendRequest guarded = AppendRequest.builder()
                .append("b", ExpectedVersion.noStream(), event(2))
                .append("c", ExpectedVersion.noStream(), event(3))
                .check("a", ExpectedVersion.exactly(5))
                .build();
        assertThatThrownBy(() -> store.append(guarded)).isInstanceOf(WrongExpectedVersionException.class);
        assertThat(store.headPosition()).isZero();
        AppendResult multi = store.append(AppendRequest.builder()
                .append("b", ExpectedVersion.noStream(), event(2))
                .append("c", ExpectedVersion.noStream(), event(3), event(4))
                .check("a", ExpectedVersion.exactly(0))
                .build());
        assertThat(multi.events()).extracting(AppendResult.Written::position).containsExactly(1L, 2L, 3L);
        assertThat(multi.lastVersion("c")).isEqualTo(1);
    }

    @Test
    void aRetriedAppendReturnsTheOriginalResultEvenInTheSameBatch() {
        EventData e1 = event(1);
        EventData e2 = event(2);
        AppendRequest request = AppendRequest.to("s", ExpectedVersion.noStream(), e1, e2);
        CompletableFuture<AppendResult> first = store.appendAsync(request);
        CompletableFuture<AppendResult> retry = store.appendAsync(request);
        assertThat(EventStore.await(retry)).isEqualTo(EventStore.await(first));
        assertThat(store.append(request)).isEqualTo(EventStore.await(first));
        assertThat(store.headPosition()).isEqualTo(1);
        assertThatThrownBy(() -> store.append("s", ExpectedVersion.any(), e1.withMetadata(new byte[] {9})))
                .isInstanceOf(IdempotencyConflictException.class);
        assertThatThrownBy(() -> store.append("s", ExpectedVersion.any(), e1, event(3)))
                .isInstanceOf(IdempotencyConflictException.class);
        reopen();
        assertThat(store.append(request).firstPosition()).isZero();
    }

    @Test
    void invalidRequestsAreRefused() {
        assertThatThrownBy(() -> store.append("", ExpectedVersion.any(), event(0)))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> store.append("s", ExpectedVersion.any(), List.of()))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> store.append("s", ExpectedVersion.any(), EventData.of("t", new byte[1001])))
                .isInstanceOf(EventTooLargeException.class);
        assertThatThrownBy(() -> store.readAll(0, Direction.FORWARD, 0)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> store.readAll(0, Direction.FORWARD, Limits.MAX_READ_LIMIT + 1))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> store.readAll(-1, Direction.FORWARD, 1)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> store.readStream("s", -2, Direction.BACKWARD, 1))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> store.readStream("x".repeat(256), 0, Direction.FORWARD, 1))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> store.listStreams("", null, 0)).isInstanceOf(InvalidRequestException.class);
        assertThat(store.headPosition()).isEqualTo(-1);
    }

    @Test
    void readsGoBothWaysWithLimitsAndEnd() {
        for (int i = 0; i < 10; i++) {
            store.append(i % 2 == 0 ? "even" : "odd", ExpectedVersion.any(), event(i));
        }
        assertThat(store.readAll(3, Direction.FORWARD, 4)).extracting(RecordedEvent::position)
                .containsExactly(3L, 4L, 5L, 6L);
        assertThat(store.readAll(EventStore.END, Direction.BACKWARD, 3)).extracting(RecordedEvent::position)
                .containsExactly(9L, 8L, 7L);
        assertThat(store.readAll(1, Direction.BACKWARD, 5)).extracting(RecordedEvent::position)
                .containsExactly(1L, 0L);
        assertThat(store.readAll(10, Direction.FORWARD, 5)).isEmpty();
        assertThat(store.readStream("odd", EventStore.END, Direction.BACKWARD, 2)).extracting(RecordedEvent::position)
                .containsExactly(9L, 7L);
        assertThat(store.readStream("odd", 3, Direction.FORWARD, 10)).extracting(RecordedEvent::version)
                .containsExactly(3L, 4L);
        assertThat(store.readStream("none", 0, Direction.FORWARD, 10)).isEmpty();
    }

    @Test
    void readEventFindsEventsByIdBeforeAndAfterAnIndexFlush() {
        UUID id = UUID.randomUUID();
        store.append("s", ExpectedVersion.any(), EventData.of(id, "t", new byte[] {7}));
        assertThat(store.readEvent(id)).map(RecordedEvent::position).contains(0L);
        reopen(); // close flushed the index; the id is now found in the index file
        assertThat(store.readEvent(id)).map(RecordedEvent::stream).contains("s");
        assertThat(store.readEvent(UUID.randomUUID())).isEmpty();
    }

    @Test
    void firstPositionAtOrAfterFindsTheMoment() {
        Instant before = Instant.now().minusSeconds(1);
        assertThat(store.firstPositionAtOrAfter(before)).isZero();
        List<Instant> stamps = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            store.append("s", ExpectedVersion.any(), event(i));
        }
        for (RecordedEvent e : store.readAll(0, Direction.FORWARD, 100)) {
            stamps.add(e.timestamp());
        }
        assertThat(stamps).isSorted();
        assertThat(store.firstPositionAtOrAfter(before)).isZero();
        assertThat(store.firstPositionAtOrAfter(stamps.get(19).plusNanos(1))).isEqualTo(20);
        for (int i = 0; i < 20; i++) {
            assertThat(store.firstPositionAtOrAfter(stamps.get(i))).isEqualTo(stamps.indexOf(stamps.get(i)));
        }
        assertThat(store.firstPositionAtOrAfter(Instant.MAX)).isEqualTo(20);
        assertThat(store.firstPositionAtOrAfter(Instant.MIN)).isZero();
    }

    @Test
    void listStreamsPagesInCodePointOrder() {
        List<String> names = new ArrayList<>(List.of("b", "a", "ab", "a\uD83D\uDE00", "a\uFFFF", "c-1", "c-2"));
        for (String name : names) {
            store.append(name, ExpectedVersion.noStream(), event(0));
        }
        Collections.sort(names, Limits.STREAM_NAME_ORDER);
        List<String> listed = new ArrayList<>();
        String after = null;
        do {
            StreamPage page = store.listStreams("", after, 2);
            page.streams().forEach(info -> listed.add(info.stream()));
            after = page.nextAfter().orElse(null);
        } while (after != null);
        assertThat(listed).isEqualTo(names);
        assertThat(store.listStreams("c-", null, 10).streams()).extracting(StreamInfo::stream)
                .containsExactly("c-1", "c-2");
        StreamPage last = store.listStreams("c-", "c-1", 1);
        assertThat(last.streams()).extracting(StreamInfo::stream).containsExactly("c-2");
        assertThat(last.nextAfter()).isEmpty();
    }

    @Test
    void subscriptionsDeliverHistoryThenLiveWithoutGaps() throws Exception {
        store.append("s", ExpectedVersion.any(), events(0, 5));
        List<SubscriptionEvent> seen = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(10);
        CountDownLatch caughtUp = new CountDownLatch(1);
        try (Subscription subscription = store.subscribe(SubscriptionRequest.fromBeginning(), new SubscriptionListener() {
            @Override
            public void onEvent(SubscriptionEvent event) {
                seen.add(event);
                all.countDown();
            }

            @Override
            public void onCaughtUp() {
                caughtUp.countDown();
            }
        })) {
            assertThat(caughtUp.await(10, TimeUnit.SECONDS)).isTrue();
            store.append("s", ExpectedVersion.any(), events(5, 5));
            assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
            Conditions.await(() -> subscription.lastPosition() == 9, "the subscription to record position 9");
        }
        for (int i = 0; i < seen.size(); i++) {
            assertThat(seen.get(i).event().position()).isEqualTo(i);
            assertThat(seen.get(i).previousPosition()).isEqualTo(i - 1);
        }
    }

    @Test
    void closedStoreRefusesEverything() throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        Throwable[] cause = new Throwable[1];
        store.subscribe(SubscriptionRequest.fromEnd(), new SubscriptionListener() {
            @Override
            public void onEvent(SubscriptionEvent event) {
            }

            @Override
            public void onClose(Throwable reason) {
                cause[0] = reason;
                ended.countDown();
            }
        });
        store.close();
        store.close();
        assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(cause[0]).isInstanceOf(StoreClosedException.class);
        assertThatThrownBy(() -> store.append("s", ExpectedVersion.any(), event(0)))
                .isInstanceOf(StoreClosedException.class);
        assertThatThrownBy(() -> store.readAll(0, Direction.FORWARD, 1)).isInstanceOf(StoreClosedException.class);
        assertThat(store.appendAsync(AppendRequest.to("s", ExpectedVersion.any(), event(0))))
                .isCompletedExceptionally();
    }

    @Test
    void closingFromACompletionCallbackDoesNotWaitForItself() {
        CompletableFuture<Void> closedInCallback = store.appendAsync(AppendRequest.to("s", ExpectedVersion.any(), event(0)))
                .thenRun(store::close);
        Conditions.await(closedInCallback::isDone, "close() called from the completion callback to return");
        assertThat(closedInCallback).isNotCompletedExceptionally();
        assertThatThrownBy(() -> store.headPosition()).isInstanceOf(StoreClosedException.class);
    }
}
