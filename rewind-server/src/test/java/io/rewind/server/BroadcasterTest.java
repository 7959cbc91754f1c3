package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.CorruptionException;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.HeadListener;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.memory.MemoryEventStore;
import io.rewind.protocol.legacy.Broadcast;
import io.rewind.testkit.ForwardingEventStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The broadcaster over inproc sockets, where a SUB connected before the first send receives it:
 * this pins down the legacy previous id of the very first broadcast. Every store, wrapped or not,
 * is followed through {@link EventStore#watchHead} and read by the broadcast reader thread.
 */
class BroadcasterTest {

    @Test
    void firstBroadcastAfterStartNamesTheEventStoredJustBeforeIt() {
        try (MemoryEventStore store = MemoryEventStore.create(); ZContext context = new ZContext(1);
                Mailbox mailbox = new Mailbox()) {
            UUID lastBefore = null;
            for (int i = 0; i < 3; i++) {
                lastBefore = store.append("old", ExpectedVersion.any(), EventData.of("t", new byte[] {(byte) i}))
                        .events().get(0).id();
            }
            Sockets sockets = Sockets.open(context);
            ZMQ.Socket streamPub = sockets.streamPub();
            ZMQ.Socket legacyPub = sockets.legacyPub();
            ZMQ.Socket sub = sockets.legacySub();
            Broadcaster broadcaster = new Broadcaster(store, 16, mailbox, cause -> { });
            assertThat(broadcaster.start()).isEqualTo(2);
            UUID first = store.append("new", ExpectedVersion.any(), EventData.of("t", new byte[] {9}))
                    .events().get(0).id();
            UUID second = store.append("new", ExpectedVersion.any(), EventData.of("t", new byte[] {10}))
                    .events().get(0).id();
            List<SubscriptionEvent> published = new ArrayList<>();
            Await.until("two events are published", Duration.ofSeconds(10), () -> {
                published.addAll(broadcaster.publishPending(streamPub, legacyPub));
                return published.size() == 2;
            });
            broadcaster.close();

            Broadcast.LegacyMessage firstMessage = Broadcast.LegacyMessage.decode(receive(sub));
            assertThat(firstMessage.event().id()).isEqualTo(first);
            assertThat(firstMessage.previousId()).isEqualTo(lastBefore);
            Broadcast.LegacyMessage secondMessage = Broadcast.LegacyMessage.decode(receive(sub));
            assertThat(secondMessage.event().id()).isEqualTo(second);
            assertThat(secondMessage.previousId()).isEqualTo(first);
            assertThat(published.get(0).previousPosition()).isEqualTo(2);
            assertThat(broadcaster.lastPublished()).isEqualTo(4);
        }
    }

    @Test
    void theVeryFirstEventOfAStoreHasAnEmptyPreviousId() {
        try (MemoryEventStore store = MemoryEventStore.create(); ZContext context = new ZContext(1);
                Mailbox mailbox = new Mailbox()) {
            Sockets sockets = Sockets.open(context);
            ZMQ.Socket streamPub = sockets.streamPub();
            ZMQ.Socket legacyPub = sockets.legacyPub();
            ZMQ.Socket sub = sockets.legacySub();
            Broadcaster broadcaster = new Broadcaster(store, 16, mailbox, cause -> { });
            assertThat(broadcaster.start()).isEqualTo(-1);
            store.append("s", ExpectedVersion.any(), EventData.of("t", new byte[] {1}));
            Await.until("the event is published", Duration.ofSeconds(10),
                    () -> !broadcaster.publishPending(streamPub, legacyPub).isEmpty());
            broadcaster.close();
            List<byte[]> frames = receive(sub);
            assertThat(frames.get(1)).isEmpty();
        }
    }

    @Test
    void aBacklogLargerThanTheCapacityIsPublishedAPageAtATimeInOrder() {
        try (MemoryEventStore store = MemoryEventStore.create(); ZContext context = new ZContext(1);
                Mailbox mailbox = new Mailbox()) {
            Sockets sockets = Sockets.open(context);
            Broadcaster broadcaster = new Broadcaster(store, 4, mailbox, cause -> { });
            assertThat(broadcaster.start()).isEqualTo(-1);
            for (int i = 0; i < 10; i++) {
                store.append("s", ExpectedVersion.any(), EventData.of("t", new byte[] {(byte) i}));
            }
            List<Integer> pageSizes = new ArrayList<>();
            List<SubscriptionEvent> published = new ArrayList<>();
            Await.until("ten events are published", Duration.ofSeconds(10), () -> {
                List<SubscriptionEvent> page = broadcaster.publishPending(sockets.streamPub(), sockets.legacyPub());
                if (!page.isEmpty()) {
                    pageSizes.add(page.size());
                }
                published.addAll(page);
                return published.size() == 10;
            });
            assertThat(broadcaster.hasPending()).isFalse();
            broadcaster.close();

            assertThat(pageSizes).as("no page larger than the capacity").allMatch(size -> size <= 4);
            for (int i = 0; i < 10; i++) {
                assertThat(published.get(i).event().position()).isEqualTo(i);
                assertThat(published.get(i).previousPosition()).isEqualTo(i - 1);
                assertThat(published.get(i).event().data()).containsExactly((byte) i);
            }
            for (int i = 0; i < 10; i++) {
                assertThat(receive(sockets.legacySub())).as("legacy broadcast %d", i).isNotEmpty();
            }
        }
    }

    @Test
    void aNewDurableEventWakesTheSocketThread() throws Exception {
        try (MemoryEventStore store = MemoryEventStore.create(); ZContext context = new ZContext(1);
                Mailbox mailbox = new Mailbox(context.getContext());
                ZMQ.Poller poller = context.createPoller(1)) {
            Broadcaster broadcaster = new Broadcaster(store, 16, mailbox, cause -> { });
            broadcaster.start();
            poller.register(mailbox.signal(), ZMQ.Poller.POLLIN);
            assertThat(poller.poll(0)).as("nothing to wake for yet").isZero();

            store.append("s", ExpectedVersion.any(), EventData.of("t", new byte[] {1}));

            assertThat(poller.poll(10_000)).as("the mailbox's wake-up socket is readable").isEqualTo(1);
            assertThat(broadcaster.hasPending()).isTrue();
            broadcaster.close();
        }
    }

    @Test
    void aClosedStoreEndsTheBroadcastOnTheSocketThread() {
        MemoryEventStore store = MemoryEventStore.create(); // closed by the test itself (close is idempotent)
        try (store; ZContext context = new ZContext(1); Mailbox mailbox = new Mailbox()) {
            Sockets sockets = Sockets.open(context);
            List<Throwable> ends = new ArrayList<>();
            Broadcaster broadcaster = new Broadcaster(store, 16, mailbox, ends::add);
            broadcaster.start();
            store.close();

            Await.until("the end reaches the socket thread", Duration.ofSeconds(10), () -> {
                broadcaster.publishPending(sockets.streamPub(), sockets.legacyPub());
                mailbox.drain();
                return !ends.isEmpty();
            });
            assertThat(ends).singleElement().isInstanceOf(StoreClosedException.class);
            assertThat(broadcaster.hasPending()).isFalse();
            broadcaster.close();
        }
    }

    @Test
    void aWrappedStoreIsFollowedThroughItsHeadWatchAndReadOffTheSocketThread() {
        try (MemoryEventStore memory = MemoryEventStore.create(); ZContext context = new ZContext(1);
                Mailbox mailbox = new Mailbox()) {
            List<String> readingThreads = new CopyOnWriteArrayList<>();
            AtomicInteger watches = new AtomicInteger();
            EventStore store = new ForwardingEventStore(memory) {
                @Override
                public Subscription subscribe(SubscriptionRequest request, SubscriptionListener listener) {
                    throw new AssertionError("the broadcaster must not need a subscription");
                }

                @Override
                public List<RecordedEvent> readAll(long fromPosition, Direction direction, int limit) {
                    readingThreads.add(Thread.currentThread().getName());
                    return super.readAll(fromPosition, direction, limit);
                }

                @Override
                public HeadListener.Registration watchHead(HeadListener listener) {
                    watches.incrementAndGet();
                    return super.watchHead(listener);
                }
            };
            Sockets sockets = Sockets.open(context);
            Broadcaster broadcaster = new Broadcaster(store, 4, mailbox, cause -> { }, "test-broadcast-reader");
            assertThat(broadcaster.start()).isEqualTo(-1);
            for (int i = 0; i < 10; i++) {
                store.append("s", ExpectedVersion.any(), EventData.of("t", new byte[] {(byte) i}));
            }
            List<SubscriptionEvent> published = new ArrayList<>();
            Await.until("ten events are published", Duration.ofSeconds(10), () -> {
                published.addAll(broadcaster.publishPending(sockets.streamPub(), sockets.legacyPub()));
                return published.size() == 10;
            });
            broadcaster.close();

            assertThat(watches.get()).isEqualTo(1);
            assertThat(published).extracting(event -> event.event().position())
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(readingThreads).as("threads that read the store").isNotEmpty()
                    .allMatch("test-broadcast-reader"::equals);
        }
    }

    @Test
    void aFailingReadEndsTheBroadcastWithoutHoldingUpTheSocketThread() {
        try (MemoryEventStore memory = MemoryEventStore.create(); ZContext context = new ZContext(1);
                Mailbox mailbox = new Mailbox()) {
            EventStore store = new ForwardingEventStore(memory) {
                @Override
                public List<RecordedEvent> readAll(long fromPosition, Direction direction, int limit) {
                    if (direction == Direction.FORWARD) {
                        throw new CorruptionException("bad checksum in 00000000.log at offset 64 (test)");
                    }
                    return super.readAll(fromPosition, direction, limit);
                }
            };
            Sockets sockets = Sockets.open(context);
            List<Throwable> ends = new ArrayList<>();
            Broadcaster broadcaster = new Broadcaster(store, 16, mailbox, ends::add);
            broadcaster.start();
            store.append("s", ExpectedVersion.any(), EventData.of("t", new byte[] {1}));

            Await.until("the failure reaches the socket thread", Duration.ofSeconds(10), () -> {
                assertThat(broadcaster.publishPending(sockets.streamPub(), sockets.legacyPub())).isEmpty();
                mailbox.drain();
                return !ends.isEmpty();
            });
            assertThat(ends).singleElement().isInstanceOf(CorruptionException.class);
            broadcaster.close();
        }
    }

    /** Both PUB sockets on inproc, and a SUB already connected and subscribed to the legacy one. */
    private record Sockets(ZMQ.Socket streamPub, ZMQ.Socket legacyPub, ZMQ.Socket legacySub) {
        static Sockets open(ZContext context) {
            ZMQ.Socket streamPub = context.createSocket(SocketType.PUB);
            streamPub.bind("inproc://stream");
            ZMQ.Socket legacyPub = context.createSocket(SocketType.PUB);
            legacyPub.bind("inproc://legacy");
            ZMQ.Socket sub = context.createSocket(SocketType.SUB);
            sub.connect("inproc://legacy");
            sub.subscribe(new byte[0]);
            sub.setReceiveTimeOut(10_000);
            return new Sockets(streamPub, legacyPub, sub);
        }
    }

    private static List<byte[]> receive(ZMQ.Socket socket) {
        List<byte[]> frames = new ArrayList<>();
        byte[] first = socket.recv(0);
        assertThat(first).as("a broadcast within the timeout").isNotNull();
        frames.add(first);
        while (socket.hasReceiveMore()) {
            frames.add(socket.recv(0));
        }
        return frames;
    }
}
