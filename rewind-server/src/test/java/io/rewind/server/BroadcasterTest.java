package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.SubscriptionEvent;
import io.rewind.memory.MemoryEventStore;
import io.rewind.protocol.legacy.Broadcast;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The broadcaster over inproc sockets, where a SUB connected before the first send receives it:
 * this pins down the legacy previous id of the very first broadcast.
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
