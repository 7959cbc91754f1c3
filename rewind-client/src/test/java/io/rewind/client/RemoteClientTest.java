package io.rewind.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionRequest;
import io.rewind.memory.MemoryEventStore;
import io.rewind.testkit.Await;
import io.rewind.testkit.ConcurrentTasks;
import io.rewind.testkit.ForwardingEventStore;
import io.rewind.testkit.RecordingListener;
import io.rewind.testkit.TestEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The client's own behaviour against a live in-process server, beyond the EventStore contract:
 * pipelining from many threads, reads longer than one reply, its threads, misuse it refuses.
 */
class RemoteClientTest {

    @Test
    void manyThreadsEachWithSixtyFourAppendsInFlightShareOneClient() {
        int threads = 4;
        int appendsPerThread = 250;
        try (InProcessServer server = InProcessServer.start(); EventStore client = server.connect()) {
            ConcurrentLinkedQueue<AppendResult> results = new ConcurrentLinkedQueue<>();
            ConcurrentTasks.run(threads, Duration.ofMinutes(2), thread -> {
                Semaphore window = new Semaphore(64);
                List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
                for (int i = 0; i < appendsPerThread; i++) {
                    window.acquire();
                    CompletableFuture<AppendResult> future = client.appendAsync(AppendRequest.to("writer-" + thread,
                            ExpectedVersion.any(), TestEvents.event("w" + thread + "-" + i)));
                    future.whenComplete((result, failure) -> window.release());
                    futures.add(future.thenApply(result -> {
                        results.add(result);
                        return result;
                    }));
                }
                CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
            });

            int total = threads * appendsPerThread;
            assertThat(results).hasSize(total);
            assertThat(results.stream().map(AppendResult::firstPosition).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrderElementsOf(LongStream.range(0, total).boxed().toList());
            for (int thread = 0; thread < threads; thread++) {
                List<RecordedEvent> stream = client.readStream("writer-" + thread, 0, Direction.FORWARD, 1000);
                assertThat(stream).extracting(RecordedEvent::version)
                        .containsExactlyElementsOf(LongStream.range(0, appendsPerThread).boxed().toList());
            }
        }
    }

    @Test
    void readsLongerThanOneReplyArriveWholeInEveryDirection() {
        // 64 KiB per reply: the 40 events of 8 KiB below need several replies per read.
        try (InProcessServer server = InProcessServer.start(MemoryEventStore.create(),
                settings -> settings.maxReplyBytes(64 * 1024)); EventStore client = server.connect()) {
            List<EventData> large = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                large.add(EventData.of(UUID.randomUUID(), "large", TestEvents.randomBytes(8192, i)));
            }
            client.append("large", ExpectedVersion.noStream(), large);

            assertThat(client.readAll(0, Direction.FORWARD, 40)).extracting(RecordedEvent::position)
                    .containsExactlyElementsOf(positions(0, 39));
            assertThat(client.readAll(EventStore.END, Direction.BACKWARD, 25)).extracting(RecordedEvent::position)
                    .containsExactlyElementsOf(positions(39, 15));
            assertThat(client.readStream("large", 5, Direction.FORWARD, 30)).extracting(RecordedEvent::version)
                    .containsExactlyElementsOf(positions(5, 34));
            assertThat(client.readStream("large", EventStore.END, Direction.BACKWARD, 100))
                    .extracting(RecordedEvent::version).containsExactlyElementsOf(positions(39, 0));
            List<RecordedEvent> all = client.readAll(0, Direction.FORWARD, 100);
            for (int i = 0; i < 40; i++) {
                assertThat(all.get(i).dataEquals(TestEvents.randomBytes(8192, i))).as("event " + i).isTrue();
            }
        }
    }

    @Test
    void theFarthestInstantsTravel() {
        try (InProcessServer server = InProcessServer.start(); EventStore client = server.connect()) {
            client.append("s", ExpectedVersion.any(), TestEvents.events("s", 2));

            assertThat(client.firstPositionAtOrAfter(Instant.MIN)).isZero();
            assertThat(client.firstPositionAtOrAfter(Instant.MAX)).isEqualTo(2);
        }
    }

    @Test
    void closingTheClientStopsEveryThreadItStarted() {
        Set<Thread> before = clientThreads();
        try (InProcessServer server = InProcessServer.start()) {
            EventStore client = server.connect();
            client.append("s", ExpectedVersion.any(), TestEvents.events("s", 3));
            RecordingListener first = new RecordingListener();
            RecordingListener second = new RecordingListener();
            client.subscribe(SubscriptionRequest.fromBeginning(), first);
            client.subscribe(SubscriptionRequest.fromEnd(), second);
            first.awaitCount(3);
            assertThat(clientThreads()).as("the client's I/O thread and one thread per subscription")
                    .hasSize(before.size() + 3);

            client.close();

            assertThat(first.awaitClosed()).hasValueSatisfying(
                    cause -> assertThat(cause).isExactlyInstanceOf(StoreClosedException.class));
            assertThat(second.awaitClosed()).hasValueSatisfying(
                    cause -> assertThat(cause).isExactlyInstanceOf(StoreClosedException.class));
            Await.until(() -> clientThreads().equals(before), "every client thread ends");
        }
    }

    @Test
    void aBlockingCallInsideAFutureCallbackFailsInsteadOfHangingTheClient() {
        // The store holds the append until the callback is attached, so the reply (and the
        // callback) can only arrive on the client's I/O thread, never on this one.
        CompletableFuture<Void> attached = new CompletableFuture<>();
        EventStore held = new ForwardingEventStore(MemoryEventStore.create()) {
            @Override
            public CompletableFuture<AppendResult> appendAsync(AppendRequest request) {
                return attached.thenCompose(ignored -> delegate().appendAsync(request));
            }
        };
        try (InProcessServer server = InProcessServer.start(held, settings -> settings);
                EventStore client = server.connect()) {
            CompletableFuture<Long> nested = client.appendAsync(AppendRequest.to("s", ExpectedVersion.any(),
                    TestEvents.event("e"))).thenApply(result -> client.headPosition());
            attached.complete(null);

            Throwable failure = catchThrowable(() -> nested.get(30, TimeUnit.SECONDS));

            assertThat(failure).hasCauseExactlyInstanceOf(IllegalStateException.class);
            assertThat(failure.getCause()).hasMessageContaining("async");
            assertThat(client.headPosition()).as("the client still works").isZero();
        }
    }

    @Test
    void textTheWireCannotCarryFaithfullyIsRefusedBeforeItIsSent() {
        String loneSurrogate = "bad-\uD800";
        try (InProcessServer server = InProcessServer.start(); EventStore client = server.connect()) {
            assertThat(catchThrowable(() -> client.listStreams(loneSurrogate, null, 10)))
                    .isExactlyInstanceOf(InvalidRequestException.class).hasMessageContaining("stream prefix");
            assertThat(catchThrowable(() -> client.listStreams("", loneSurrogate, 10)))
                    .isExactlyInstanceOf(InvalidRequestException.class).hasMessageContaining("after");
            assertThat(catchThrowable(() -> client.subscribe(SubscriptionRequest.fromBeginning()
                    .withStreamPrefix(loneSurrogate), new RecordingListener())))
                    .isExactlyInstanceOf(InvalidRequestException.class).hasMessageContaining("stream prefix");
            assertThat(catchThrowable(() -> client.append("s", ExpectedVersion.any(),
                    TestEvents.event(loneSurrogate, "data")))).isExactlyInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("event type");
            assertThat(catchThrowable(() -> client.streamInfo(loneSurrogate)))
                    .isExactlyInstanceOf(InvalidRequestException.class);
            assertThat(server.store.headPosition()).as("nothing reached the store").isEqualTo(-1);
            assertThat(server.store.listStreams("", null, 10).streams()).isEmpty();
        }
    }

    @Test
    void aSubscriptionSurvivesAGracefulServerRestartOnTheSamePort() {
        EventStore store = MemoryEventStore.create();
        RestartableServer holder = new RestartableServer(store);
        try (holder; EventStore client = RewindClient.connect(ClientConfig.builder().endpoint(holder.endpoint())
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200)).build())) {
            RecordingListener listener = new RecordingListener();
            Subscription subscription = client.subscribe(SubscriptionRequest.fromBeginning(), listener);
            store.append("before", ExpectedVersion.any(), TestEvents.events("before", 10));
            listener.awaitCount(10);

            holder.restart();
            store.append("after", ExpectedVersion.any(), TestEvents.events("after", 10));

            listener.awaitCount(20);
            assertThat(listener.recordedEvents()).containsExactlyElementsOf(store.readAll(0, Direction.FORWARD, 100));
            listener.assertUnbrokenChainFrom(-1);
            assertThat(subscription.isClosed()).isFalse();
            assertThat(listener.isClosed()).isFalse();
        } finally {
            store.close();
        }
    }

    private static List<Long> positions(long from, long to) {
        long step = from <= to ? 1 : -1;
        List<Long> positions = new ArrayList<>();
        for (long p = from; p != to + step; p += step) {
            positions.add(p);
        }
        return positions;
    }

    private static Set<Thread> clientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("rewind-client-") && thread.isAlive())
                .collect(Collectors.toSet());
    }
}
