package io.rewind.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.ErrorCode;
import io.rewind.api.EventStore;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.RecordedEvent;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionRequest;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.testkit.Await;
import io.rewind.testkit.RecordingListener;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * How a client subscription survives what a healthy server never does on its own: a connection that
 * goes silent, a delivery with a gap, a passing error. And what ends it: a permanent error. Each
 * test scripts the server's side of the protocol on a real socket.
 */
class SubscriptionRecoveryTest {

    @Test
    void aSilentConnectionIsReplacedAndTheSubscriptionResumesAfterTheLastEventReceived() {
        Set<ByteBuffer> frozen = ConcurrentHashMap.newKeySet();
        try (ScriptedServer server = ScriptedServer.start((peer, request) -> {
            if (frozen.contains(peer.connection())) {
                return;
            }
            if (request instanceof CommandRequest.Subscribe subscribe && frozen.isEmpty()) {
                // Deliver three events, then freeze: answer nothing on this connection, not even PING.
                peer.reply(new CommandReply.Subscribed(subscribe.requestId(), -1));
                peer.reply(new CommandReply.Delivery(subscribe.requestId(), chain(-1, 0, 1, 2)));
                frozen.add(peer.connection());
            } else {
                resume(peer, request, 3);
            }
        }); EventStore client = connect(server, b -> b.heartbeat(Duration.ofMillis(100), Duration.ofMillis(400)))) {
            RecordingListener listener = new RecordingListener();
            Subscription subscription = client.subscribe(SubscriptionRequest.fromBeginning(), listener);

            listener.awaitCount(4);

            assertThat(listener.positions()).containsExactly(0L, 1L, 2L, 3L);
            listener.assertUnbrokenChainFrom(-1);
            List<ScriptedServer.Received> subscribes = server.received().stream()
                    .filter(received -> received.request() instanceof CommandRequest.Subscribe).toList();
            assertThat(subscribes).hasSize(2);
            assertThat(((CommandRequest.Subscribe) subscribes.get(1).request()).request())
                    .as("the resumption").isEqualTo(SubscriptionRequest.after(2));
            assertThat(subscribes.get(1).connection()).as("the resumption's connection")
                    .isNotEqualTo(subscribes.get(0).connection());
            assertThat(subscription.isClosed()).isFalse();
            assertThat(listener.isClosed()).isFalse();
        }
    }

    @Test
    void aFilteredSubscriptionResumesWithItsFilterAfterTheLastCheckpointReceived() {
        SubscriptionRequest original = SubscriptionRequest.fromBeginning().toStream("scripted").withTypes("scripted")
                .withCheckpoints(3, Duration.ofSeconds(30));
        try (ScriptedServer server = ScriptedServer.start(firstSubscriptionThenResume((peer, id) -> {
            peer.reply(new CommandReply.Delivery(id, chain(-1, 0)));
            peer.reply(new CommandReply.Checkpoint(id, 9));
            peer.reply(error(id, ErrorCode.UNAVAILABLE, "the server is busy"));
        }, 10));
                EventStore client = connect(server, b -> b)) {
            RecordingListener listener = new RecordingListener();
            Subscription subscription = client.subscribe(original, listener);

            listener.awaitCount(2);

            assertThat(listener.positions()).containsExactly(0L, 10L);
            assertThat(listener.checkpoints()).containsExactly(9L);
            // The resumed server subscription names its start, 9; the listener's chain goes on from 0.
            assertThat(listener.events().get(1).previousPosition()).isZero();
            listener.assertUnbrokenChainFrom(-1);
            assertThat(server.received(CommandRequest.Subscribe.class)).extracting(CommandRequest.Subscribe::request)
                    .containsExactly(original, original.resumeAfter(9));
            Await.until(() -> subscription.lastPosition() == 10, "lastPosition() reaches 10");
        }
    }

    @Test
    void aCheckpointThatDoesNotMoveForwardMakesTheClientResubscribeAfterWhatItHas() {
        SubscriptionRequest original = SubscriptionRequest.fromBeginning().toStream("scripted");
        try (ScriptedServer server = ScriptedServer.start(firstSubscriptionThenResume((peer, id) -> {
            peer.reply(new CommandReply.Delivery(id, chain(-1, 0, 1)));
            peer.reply(new CommandReply.Checkpoint(id, 1));
        }, 2));
                EventStore client = connect(server, b -> b)) {
            RecordingListener listener = new RecordingListener();
            client.subscribe(original, listener);

            listener.awaitCount(3);

            assertThat(listener.positions()).containsExactly(0L, 1L, 2L);
            assertThat(listener.checkpoints()).isEmpty();
            listener.assertUnbrokenChainFrom(-1);
            assertThat(server.received(CommandRequest.Subscribe.class)).extracting(CommandRequest.Subscribe::request)
                    .containsExactly(original, original.resumeAfter(1));
        }
    }

    @Test
    void aDeliveryWithAGapMakesTheClientResubscribeAfterTheLastEventInTheChain() {
        // Position 1 is missing: 2 names 1 as its previous, but the client last saw 0.
        try (ScriptedServer server = ScriptedServer.start(firstSubscriptionThenResume((peer, id) ->
                peer.reply(new CommandReply.Delivery(id, List.of(delivered(0, -1), delivered(2, 1)))), 2));
                EventStore client = connect(server, b -> b)) {
            RecordingListener listener = new RecordingListener();
            client.subscribe(SubscriptionRequest.fromBeginning(), listener);

            listener.awaitCount(3);

            assertThat(listener.positions()).containsExactly(0L, 1L, 2L);
            listener.assertUnbrokenChainFrom(-1);
            assertThat(server.received(CommandRequest.Subscribe.class)).extracting(CommandRequest.Subscribe::request)
                    .containsExactly(SubscriptionRequest.fromBeginning(), SubscriptionRequest.after(0));
            long broken = server.received(CommandRequest.Subscribe.class).get(0).requestId();
            Await.until(() -> server.received(CommandRequest.Cancel.class).stream()
                    .anyMatch(cancel -> cancel.requestId() == broken),
                    "the broken server subscription is cancelled");
            assertThat(listener.isClosed()).isFalse();
        }
    }

    @Test
    void aPassingErrorIsRetriedWithoutTellingTheListener() {
        try (ScriptedServer server = ScriptedServer.start(firstSubscriptionThenResume((peer, id) -> {
            peer.reply(new CommandReply.Delivery(id, chain(-1, 0)));
            peer.reply(error(id, ErrorCode.CLOSED, "the server is closing"));
        }, 1));
                EventStore client = connect(server, b -> b)) {
            RecordingListener listener = new RecordingListener();
            Subscription subscription = client.subscribe(SubscriptionRequest.fromBeginning(), listener);

            listener.awaitCount(2);

            assertThat(listener.positions()).containsExactly(0L, 1L);
            listener.assertUnbrokenChainFrom(-1);
            assertThat(server.received(CommandRequest.Subscribe.class)).extracting(CommandRequest.Subscribe::request)
                    .containsExactly(SubscriptionRequest.fromBeginning(), SubscriptionRequest.after(0));
            assertThat(subscription.isClosed()).isFalse();
            assertThat(listener.isClosed()).isFalse();
        }
    }

    @Test
    void aPermanentErrorEndsTheSubscriptionWithTheEmbeddedStoresExceptionAfterTheEventsReceived() {
        try (ScriptedServer server = ScriptedServer.start(firstSubscriptionThenResume((peer, id) -> {
            peer.reply(new CommandReply.Delivery(id, chain(-1, 0, 1)));
            peer.reply(error(id, ErrorCode.BAD_REQUEST, "the prefix is not allowed"));
        }, 1));
                EventStore client = connect(server, b -> b)) {
            RecordingListener listener = new RecordingListener();
            Subscription subscription = client.subscribe(SubscriptionRequest.fromBeginning(), listener);

            assertThat(listener.awaitClosed()).hasValueSatisfying(cause -> {
                assertThat(cause).isExactlyInstanceOf(InvalidRequestException.class)
                        .hasMessage("the prefix is not allowed");
            });
            assertThat(listener.positions()).containsExactly(0L, 1L);
            Await.until(subscription::isClosed, "the subscription reports itself closed");
            assertThat(server.received(CommandRequest.Subscribe.class)).hasSize(1);
        }
    }

    @Test
    void aTinyCreditWindowNeverLetsTheServerRunAheadAndNeverStalls() {
        int window = 3;
        int total = 300;
        List<String> violations = new CopyOnWriteArrayList<>();
        long[] serverCredit = new long[1];
        long[] next = new long[1];
        try (ScriptedServer server = ScriptedServer.start((peer, request) -> {
            if (request instanceof CommandRequest.Subscribe subscribe) {
                serverCredit[0] = subscribe.credit();
                next[0] = 0;
                peer.reply(new CommandReply.Subscribed(subscribe.requestId(), -1));
                sendWhileCredit(peer, subscribe.requestId(), serverCredit, next, total);
            } else if (request instanceof CommandRequest.Credit credit) {
                serverCredit[0] += credit.credit();
                if (serverCredit[0] > window) {
                    violations.add("credit outstanding " + serverCredit[0] + " after a grant of " + credit.credit());
                }
                sendWhileCredit(peer, credit.requestId(), serverCredit, next, total);
            } else {
                resume(peer, request, 0);
            }
        }); EventStore client = connect(server, b -> b.subscriptionCreditWindow(window))) {
            RecordingListener listener = new RecordingListener();
            client.subscribe(SubscriptionRequest.fromBeginning(), listener);

            listener.awaitCount(total);

            listener.assertUnbrokenChainFrom(-1);
            assertThat(server.received(CommandRequest.Subscribe.class)).singleElement()
                    .satisfies(subscribe -> assertThat(subscribe.credit()).isEqualTo(window));
            assertThat(violations).isEmpty();
        }
    }

    /** Sends one event per unit of credit, each in its own DELIVER, up to {@code total} events. */
    private static void sendWhileCredit(ScriptedServer.Peer peer, long id, long[] credit, long[] next, int total) {
        while (credit[0] > 0 && next[0] < total) {
            peer.reply(new CommandReply.Delivery(id, List.of(delivered(next[0], next[0] - 1))));
            next[0]++;
            credit[0]--;
        }
    }

    /**
     * A script that answers the first SUBSCRIBE with SUBSCRIBED from the beginning and then
     * {@code first} (given the subscription id), and everything else as {@link #resume} does.
     */
    private static ScriptedServer.Script firstSubscriptionThenResume(BiConsumer<ScriptedServer.Peer, Long> first,
            long lastPosition) {
        AtomicBoolean subscribed = new AtomicBoolean();
        return (peer, request) -> {
            if (request instanceof CommandRequest.Subscribe subscribe && subscribed.compareAndSet(false, true)) {
                peer.reply(new CommandReply.Subscribed(subscribe.requestId(), -1));
                first.accept(peer, subscribe.requestId());
            } else {
                resume(peer, request, lastPosition);
            }
        };
    }

    /**
     * The well-behaved part of a script: PONG, CANCELLED, and a resumed SUBSCRIBE answered with the
     * events from its start up to {@code lastPosition}.
     */
    private static void resume(ScriptedServer.Peer peer, CommandRequest request, long lastPosition) {
        if (request instanceof CommandRequest.Ping ping) {
            peer.reply(new CommandReply.Pong(ping.requestId()));
        } else if (request instanceof CommandRequest.Cancel cancel) {
            peer.reply(new CommandReply.Cancelled(cancel.requestId()));
        } else if (request instanceof CommandRequest.Subscribe subscribe) {
            long after = subscribe.request().afterPosition();
            peer.reply(new CommandReply.Subscribed(subscribe.requestId(), after));
            List<Long> positions = new ArrayList<>();
            for (long position = after + 1; position <= lastPosition; position++) {
                positions.add(position);
            }
            if (!positions.isEmpty()) {
                peer.reply(new CommandReply.Delivery(subscribe.requestId(),
                        chain(after, positions.stream().mapToLong(Long::longValue).toArray())));
            }
        }
    }

    private static EventStore connect(ScriptedServer server, UnaryOperator<ClientConfig.Builder> settings) {
        return RewindClient.connect(settings.apply(ClientConfig.builder()
                .endpoint(server.endpoint())
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200))).build());
    }

    /** Events at {@code positions}, chained from {@code startAfter}. */
    private static List<SubscriptionEvent> chain(long startAfter, long... positions) {
        List<SubscriptionEvent> events = new ArrayList<>();
        long previous = startAfter;
        for (long position : positions) {
            events.add(delivered(position, previous));
            previous = position;
        }
        return events;
    }

    private static SubscriptionEvent delivered(long position, long previous) {
        RecordedEvent event = new RecordedEvent("scripted", position, position, new UUID(7, position), "scripted",
                Instant.EPOCH.plusSeconds(position), new byte[] {(byte) position}, new byte[0]);
        return new SubscriptionEvent(event, previous);
    }

    private static CommandReply.Error error(long id, ErrorCode code, String reason) {
        return new CommandReply.Error(OptionalLong.of(id), code, reason, List.of());
    }
}
