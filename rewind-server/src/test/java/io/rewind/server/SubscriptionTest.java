package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionRequest;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Subscriptions over the command socket with credit (docs/PROTOCOL.md, SUBSCRIBE). */
class SubscriptionTest {

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void appendDirect(String stream, int count) {
        for (int i = 0; i < count; i++) {
            server.store.append(stream, ExpectedVersion.any(), EventData.of("t", new byte[] {(byte) i}));
        }
    }

    /** Receives deliveries for {@code id} until {@code count} events came; other messages are returned too. */
    private static List<SubscriptionEvent> receiveEvents(TestClient dealer, long id, int count, List<CommandReply> others) {
        List<SubscriptionEvent> events = new ArrayList<>();
        while (events.size() < count) {
            CommandReply reply = dealer.receiveReply();
            if (reply instanceof CommandReply.Delivery delivery && delivery.requestId() == id) {
                events.addAll(delivery.events());
            } else {
                others.add(reply);
            }
        }
        return events;
    }

    /** Every event's previous position is the one delivered before it (or the start point). */
    private static void assertChained(List<SubscriptionEvent> events, long start) {
        long previous = start;
        for (SubscriptionEvent event : events) {
            assertThat(event.previousPosition()).isEqualTo(previous);
            assertThat(event.event().position()).isGreaterThan(previous);
            previous = event.event().position();
        }
    }

    /** Asserts that nothing arrives within a short window (the server had credit for no more). */
    private static void assertNothingMore(TestClient dealer) {
        dealer.socket.setReceiveTimeOut(250);
        try {
            assertThat(dealer.receiveOrNull()).isNull();
        } finally {
            dealer.socket.setReceiveTimeOut(TestServer.RECEIVE_TIMEOUT_MS);
        }
    }

    @Test
    void historyThenLiveNeverSendingMoreThanTheCreditGranted() {
        server = TestServer.start();
        appendDirect("s", 30);
        TestClient dealer = server.dealer();
        dealer.sendCommand(new CommandRequest.Subscribe(7, SubscriptionRequest.fromBeginning(), 10));
        assertThat(dealer.receiveReply()).isEqualTo(new CommandReply.Subscribed(7, -1));
        List<CommandReply> others = new ArrayList<>();
        List<SubscriptionEvent> events = receiveEvents(dealer, 7, 10, others);
        assertThat(events).hasSize(10);
        assertNothingMore(dealer);

        dealer.sendCommand(new CommandRequest.Credit(7, 1000));
        events.addAll(receiveEvents(dealer, 7, 20, others));
        assertThat(events).extracting(e -> e.event().position()).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, 30).boxed().toList());
        assertChained(events, -1);

        appendDirect("s", 5);
        events.addAll(receiveEvents(dealer, 7, 5, others));
        assertThat(events).hasSize(35);
        assertChained(events, -1);
        assertThat(others).containsExactly(new CommandReply.CaughtUp(7));
    }

    @Test
    void aStalledSubscriberHoldsUpNeitherWritersNorItselfLaterAndMissesNothing() {
        server = TestServer.start();
        TestClient subscriber = server.dealer();
        subscriber.sendCommand(new CommandRequest.Subscribe(1, SubscriptionRequest.fromEnd(), 3));
        assertThat(subscriber.receiveReply()).isEqualTo(new CommandReply.Subscribed(1, -1));

        CommandClient writer = new CommandClient(server.dealer());
        for (int i = 0; i < 2000; i += 100) {
            List<EventData> batch = new ArrayList<>();
            for (int j = 0; j < 100; j++) {
                batch.add(EventData.of("t", new byte[] {(byte) j}));
            }
            writer.call(id -> new CommandRequest.Append(id, AppendRequest.to("w", ExpectedVersion.any(), batch)),
                    CommandReply.Appended.class);
        }
        assertThat(server.store.headPosition()).isEqualTo(1999);

        List<CommandReply> others = new ArrayList<>();
        List<SubscriptionEvent> events = receiveEvents(subscriber, 1, 3, others);
        assertNothingMore(subscriber);
        subscriber.sendCommand(new CommandRequest.Credit(1, 10_000));
        events.addAll(receiveEvents(subscriber, 1, 1997, others));
        assertThat(events).hasSize(2000);
        assertChained(events, -1);
        assertThat(events.get(1999).event().position()).isEqualTo(1999);
    }

    @Test
    void fromEndAfterAPositionAndByStreamPrefix() {
        server = TestServer.start();
        appendDirect("orders-1", 3);
        appendDirect("payments-1", 2);
        TestClient dealer = server.dealer();
        dealer.sendCommand(new CommandRequest.Subscribe(1, SubscriptionRequest.fromEnd(), 100));
        // Thresholds the test never reaches, so no checkpoint notice comes between the deliveries.
        dealer.sendCommand(new CommandRequest.Subscribe(2, SubscriptionRequest.after(0).withStreamPrefix("orders-")
                .withCheckpoints(SubscriptionRequest.MAX_CHECKPOINT_EVENTS, SubscriptionRequest.MAX_CHECKPOINT_INTERVAL),
                100));
        List<SubscriptionEvent> fromEnd = new ArrayList<>();
        List<SubscriptionEvent> orders = new ArrayList<>();
        List<CommandReply> control = new ArrayList<>();
        boolean appended = false;
        while (fromEnd.size() < 1 || orders.size() < 3) {
            CommandReply reply = dealer.receiveReply();
            if (reply instanceof CommandReply.Delivery delivery) {
                (delivery.requestId() == 1 ? fromEnd : orders).addAll(delivery.events());
            } else {
                control.add(reply);
            }
            if (!appended && control.contains(new CommandReply.Subscribed(1, 4))) {
                appendDirect("orders-2", 1);
                appended = true;
            }
        }
        assertThat(control).contains(new CommandReply.Subscribed(1, 4), new CommandReply.Subscribed(2, 0));
        assertThat(fromEnd).singleElement().satisfies(e -> {
            assertThat(e.event().position()).isEqualTo(5);
            assertThat(e.previousPosition()).isEqualTo(4);
        });
        assertThat(orders).extracting(e -> e.event().position()).containsExactly(1L, 2L, 5L);
        assertChained(orders, 0);
    }

    /** Receives until a CHECKPOINT for {@code id} at or past {@code position}; returns the notices' positions. */
    private static List<Long> receiveCheckpointsUntil(TestClient dealer, long id, long position, List<Long> notices) {
        while (notices.isEmpty() || notices.get(notices.size() - 1) < position) {
            CommandReply reply = dealer.receiveReply();
            assertThat(reply).as("only notices and CAUGHT_UP while every event is skipped")
                    .isInstanceOfAny(CommandReply.Checkpoint.class, CommandReply.CaughtUp.class);
            if (reply instanceof CommandReply.Checkpoint notice && notice.requestId() == id) {
                notices.add(notice.position());
            }
        }
        return notices;
    }

    @Test
    void skippedEventsCostNoCreditAndASubscriberThatSkipsEverythingStillGetsNotices() {
        server = TestServer.start();
        appendDirect("noise", 50);
        TestClient dealer = server.dealer();
        dealer.sendCommand(new CommandRequest.Subscribe(4, SubscriptionRequest.fromBeginning().toStream("signal")
                .withCheckpoints(10, SubscriptionRequest.MAX_CHECKPOINT_INTERVAL), 1));
        assertThat(dealer.receiveReply()).isEqualTo(new CommandReply.Subscribed(4, -1));

        // After 50 skipped events fewer than 10 may wait for the next notice: the last is at 40 or later.
        List<Long> notices = receiveCheckpointsUntil(dealer, 4, 40, new ArrayList<>());
        appendDirect("noise", 20);
        receiveCheckpointsUntil(dealer, 4, 60, notices);
        appendDirect("signal", 2);

        List<SubscriptionEvent> events = receiveEvents(dealer, 4, 1, new ArrayList<>());
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.event().position()).as("70 skipped events left the one credit").isEqualTo(70);
            assertThat(event.previousPosition()).as("the start point: notices leave the chain").isEqualTo(-1);
        });
        assertThat(notices).isSorted().doesNotHaveDuplicates().allSatisfy(p -> assertThat(p).isBetween(9L, 69L));
        assertNothingMore(dealer);
        dealer.sendCommand(new CommandRequest.Credit(4, 1));
        assertThat(receiveEvents(dealer, 4, 1, new ArrayList<>())).singleElement()
                .satisfies(event -> assertThat(event.previousPosition()).isEqualTo(70));
    }

    @Test
    void theIntervalBringsOneNoticePerSubscriptionForAFewSkippedEventsAndNoneWhenNothingWasSkipped() {
        server = TestServer.start();
        TestClient dealer = server.dealer();
        SubscriptionRequest quick = SubscriptionRequest.fromBeginning().toStream("signal")
                .withCheckpoints(SubscriptionRequest.MAX_CHECKPOINT_EVENTS, Duration.ofMillis(50));
        dealer.sendCommand(new CommandRequest.Subscribe(1, quick, 10));
        dealer.sendCommand(new CommandRequest.Subscribe(2, quick.withTypes("t"), 10));
        List<CommandReply> control = new ArrayList<>();
        while (control.stream().filter(CommandReply.CaughtUp.class::isInstance).count() < 2) {
            control.add(dealer.receiveReply());
        }
        assertThat(control).contains(new CommandReply.Subscribed(1, -1), new CommandReply.Subscribed(2, -1));

        appendDirect("noise", 1);
        List<CommandReply> notices = List.of(dealer.receiveReply(), dealer.receiveReply());

        assertThat(notices).containsExactlyInAnyOrder(new CommandReply.Checkpoint(1, 0), new CommandReply.Checkpoint(2, 0));
        assertNothingMore(dealer);
    }

    @Test
    void cancelEndsDeliveriesAndUnknownOrDuplicateIdsAreErrors() {
        server = TestServer.start();
        TestClient dealer = server.dealer();
        dealer.sendCommand(new CommandRequest.Subscribe(1, SubscriptionRequest.fromBeginning(), 100));
        dealer.sendCommand(new CommandRequest.Subscribe(2, SubscriptionRequest.fromBeginning(), 100));
        dealer.sendCommand(new CommandRequest.Subscribe(2, SubscriptionRequest.fromBeginning(), 100));
        List<CommandReply> replies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            replies.add(receiveSkippingCaughtUp(dealer));
        }
        assertThat(replies).contains(new CommandReply.Subscribed(1, -1), new CommandReply.Subscribed(2, -1));
        assertThat(replies).filteredOn(CommandReply.Error.class::isInstance).singleElement()
                .satisfies(r -> assertThat(((CommandReply.Error) r).code()).isEqualTo(ErrorCode.BAD_REQUEST));

        dealer.sendCommand(new CommandRequest.Cancel(1));
        assertThat(receiveSkippingCaughtUp(dealer)).isEqualTo(new CommandReply.Cancelled(1));
        appendDirect("s", 1);
        // Subscription 2 is the witness: once it has the event, subscription 1 would have had it too.
        CommandReply next = receiveSkippingCaughtUp(dealer);
        assertThat(next).isInstanceOf(CommandReply.Delivery.class);
        assertThat(((CommandReply.Delivery) next).requestId()).isEqualTo(2);

        dealer.sendCommand(new CommandRequest.Cancel(99));
        CommandReply unknown = receiveSkippingCaughtUp(dealer);
        assertThat(unknown).isInstanceOf(CommandReply.Error.class);
        assertThat(((CommandReply.Error) unknown).code()).isEqualTo(ErrorCode.NOT_FOUND);
    }

    /**
     * The next reply other than CAUGHT_UP: each subscription sends one CAUGHT_UP when it first
     * reaches the head, and that may come before or after other replies (even after a delivery
     * that raced the catch-up), so tests waiting for something else pass over it.
     */
    private static CommandReply receiveSkippingCaughtUp(TestClient dealer) {
        CommandReply reply;
        do {
            reply = dealer.receiveReply();
        } while (reply instanceof CommandReply.CaughtUp);
        return reply;
    }

    @Test
    void subscriptionsEndWithClosedWhenTheStoreCloses() {
        server = TestServer.start();
        TestClient dealer = server.dealer();
        dealer.sendCommand(new CommandRequest.Subscribe(3, SubscriptionRequest.fromBeginning(), 10));
        assertThat(dealer.receiveReply()).isEqualTo(new CommandReply.Subscribed(3, -1));
        assertThat(dealer.receiveReply()).isEqualTo(new CommandReply.CaughtUp(3));
        server.store.close();
        CommandReply reply = dealer.receiveReply();
        assertThat(reply).isInstanceOf(CommandReply.Error.class);
        assertThat(((CommandReply.Error) reply).code()).isEqualTo(ErrorCode.CLOSED);
        assertThat(((CommandReply.Error) reply).requestId()).hasValue(3);
    }

    @Test
    void aDisconnectedClientsSubscriptionsAreDroppedAtTheNextDelivery() {
        server = TestServer.start();
        TestClient dealer = server.dealer();
        dealer.sendCommand(new CommandRequest.Subscribe(1, SubscriptionRequest.fromBeginning(), 1000));
        dealer.sendCommand(new CommandRequest.Subscribe(2, SubscriptionRequest.fromBeginning(), 1000));
        assertThat(List.of(dealer.receiveReply(), dealer.receiveReply(), dealer.receiveReply(), dealer.receiveReply()))
                .contains(new CommandReply.Subscribed(1, -1), new CommandReply.Subscribed(2, -1));
        assertThat(server.server.subscriptionCount()).isEqualTo(2);
        dealer.socket.close();
        // Appending until the server tries to deliver to the vanished client and learns it is gone.
        Await.until("both subscriptions are dropped", Duration.ofSeconds(10), () -> {
            appendDirect("s", 1);
            return server.server.subscriptionCount() == 0;
        });
    }

    @Test
    void aSilentClientsSubscriptionIsDroppedAfterTheTimeout() {
        server = TestServer.start(b -> b.subscriptionTimeout(Duration.ofMillis(500)));
        TestClient dealer = server.dealer();
        dealer.sendCommand(new CommandRequest.Subscribe(5, SubscriptionRequest.fromBeginning(), 10));
        assertThat(dealer.receiveReply()).isEqualTo(new CommandReply.Subscribed(5, -1));
        CommandReply reply;
        do {
            reply = dealer.receiveReply();
        } while (reply instanceof CommandReply.CaughtUp);
        assertThat(reply).isInstanceOf(CommandReply.Error.class);
        CommandReply.Error error = (CommandReply.Error) reply;
        assertThat(error.requestId()).hasValue(5);
        assertThat(error.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(error.reason()).contains("timed out");
    }

    @Test
    void aClientThatKeepsPingingKeepsItsSubscription() {
        // Pings every ~250 ms for twice the timeout: wide margins for a loaded machine.
        server = TestServer.start(b -> b.subscriptionTimeout(Duration.ofMillis(1500)));
        CommandClient client = new CommandClient(server.dealer());
        client.dealer.sendCommand(new CommandRequest.Subscribe(100, SubscriptionRequest.fromBeginning(), 10));
        assertThat(client.dealer.receiveReply()).isEqualTo(new CommandReply.Subscribed(100, -1));
        assertThat(client.dealer.receiveReply()).isEqualTo(new CommandReply.CaughtUp(100));
        long until = System.nanoTime() + Duration.ofMillis(3000).toNanos();
        while (System.nanoTime() < until) {
            client.call(CommandRequest.Ping::new, CommandReply.Pong.class);
            // Paces the pings and checks on the way that no error (time-out notice) arrives.
            assertNothingMore(client.dealer);
        }
        appendDirect("s", 1);
        List<CommandReply> others = new ArrayList<>();
        assertThat(receiveEvents(client.dealer, 100, 1, others)).hasSize(1);
        assertThat(others).isEmpty();
    }
}
