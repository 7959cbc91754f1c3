package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.HeadListener;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.protocol.legacy.Broadcast;
import io.rewind.testkit.ForwardingEventStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log store wrapped in the testkit's {@link ForwardingEventStore} gets the broadcast path the log
 * gets: the server watches the head through the contract ({@link EventStore#watchHead}) and never
 * falls back to a store subscription; every PUBLISH reaches a legacy SUB in order, chained by
 * previous id, exactly as for the bare log.
 */
class WrappedStoreBroadcastTest {

    @TempDir
    Path directory;

    @Test
    void aWrappedLogIsBroadcastThroughItsHeadWatchLikeTheBareLog() {
        AtomicInteger watches = new AtomicInteger();
        LogEventStore log = LogEventStore.open(LogConfig.builder(directory).build());
        EventStore wrapped = new ForwardingEventStore(log) {
            @Override
            public Subscription subscribe(SubscriptionRequest request, SubscriptionListener listener) {
                throw new AssertionError("the server must not need a store subscription to broadcast");
            }

            @Override
            public HeadListener.Registration watchHead(HeadListener listener) {
                watches.incrementAndGet();
                return super.watchHead(listener);
            }
        };
        try (TestServer server = TestServer.start(wrapped, b -> b)) {
            assertThat(watches.get()).as("head watches the server registered").isEqualTo(1);
            TestClient sub = server.sub(server.server.legacyStreamEndpoint().orElseThrow(), "");
            UUID probe = awaitSubscribed(wrapped, sub);

            TestClient publisher = server.dealer();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                publisher.sendDelimited(TestClient.texts("PUBLISH", "wrapped", "event " + i));
                List<String> reply = publisher.receiveText();
                assertThat(reply.get(0)).isEqualTo("PUBLISHED");
                ids.add(reply.get(1));
            }

            String previous = probe.toString();
            for (int i = 0; i < 5; i++) {
                Broadcast.LegacyMessage message = Broadcast.LegacyMessage.decode(sub.receive());
                assertThat(message.event().id().toString()).as("broadcast %d", i).isEqualTo(ids.get(i));
                assertThat(message.previousId().toString()).isEqualTo(previous);
                assertThat(new String(message.event().data(), StandardCharsets.UTF_8)).isEqualTo("event " + i);
                previous = ids.get(i);
            }
        }
    }

    /** SUB sockets join late: append probes until one is broadcast; returns the last probe's id. */
    private static UUID awaitSubscribed(EventStore store, TestClient sub) {
        sub.socket.setReceiveTimeOut(50);
        UUID last = null;
        List<byte[]> received = null;
        for (int i = 0; i < 200 && received == null; i++) {
            last = store.append("probe", ExpectedVersion.any(), EventData.of("probe", new byte[0])).events().get(0).id();
            received = sub.receiveOrNull();
        }
        assertThat(received).as("the SUB socket received a probe").isNotNull();
        sub.socket.setReceiveTimeOut(TestServer.RECEIVE_TIMEOUT_MS);
        while (!Broadcast.LegacyMessage.decode(received).event().id().equals(last)) {
            received = sub.receive();
        }
        return last;
    }
}
