package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.groups.GroupService;
import io.rewind.groups.GroupServiceOptions;
import io.rewind.memory.MemoryEventStore;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.command.CommandRequest.GroupOperation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** Consumers of a group over real sockets: GROUP JOIN, GROUP_DELIVER, ACK, NACK, LEAVE (docs/PROTOCOL.md §5.6). */
class GroupConsumeTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private EventStore store;
    private GroupService groups;
    private RewindServer server;
    private final ZContext clients = new ZContext(1);
    private final List<Consumer> consumers = new ArrayList<>();

    private void start(Duration subscriptionTimeout) {
        store = MemoryEventStore.create();
        groups = GroupService.open(store, GroupServiceOptions.defaults());
        server = RewindServer.start(ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*")
                .streamEndpoint("tcp://127.0.0.1:*").linger(Duration.ofMillis(200))
                .subscriptionTimeout(subscriptionTimeout).build(), store, ServerSecurity.none(), Optional.of(groups));
    }

    @AfterEach
    void stop() {
        clients.close();
        if (server != null) {
            server.close();
        }
        if (groups != null) {
            groups.close();
        }
        if (store != null) {
            store.close();
        }
    }

    /** One DEALER connection holding one consumer. Test thread only. */
    private final class Consumer {
        final TestClient dealer;
        final String group;
        final String name;
        long nextId = 1000;
        long joinId;
        final List<CommandReply.GroupDelivery> deliveries = new ArrayList<>();
        final List<CommandReply> others = new ArrayList<>();

        Consumer(String group, String name) {
            ZMQ.Socket socket = clients.createSocket(SocketType.DEALER);
            socket.setReceiveTimeOut(100);
            socket.setLinger(0);
            socket.setHandshakeIvl(TestServer.HANDSHAKE_INTERVAL_MS);
            socket.connect(server.commandEndpoint());
            this.dealer = new TestClient(socket);
            this.group = group;
            this.name = name;
            consumers.add(this);
        }

        long send(GroupOperation operation, String... arguments) {
            long id = nextId++;
            dealer.sendCommand(new CommandRequest.Group(id, operation, List.of(arguments)));
            return id;
        }

        /** Reads what has arrived (at most one receive timeout of waiting). */
        void pump() {
            List<byte[]> frames = dealer.receiveOrNull();
            while (frames != null) {
                CommandReply reply = CommandReply.decode(frames.subList(1, frames.size()));
                if (reply instanceof CommandReply.GroupDelivery delivery) {
                    deliveries.add(delivery);
                } else {
                    others.add(reply);
                }
                frames = dealer.receiveOrNull();
            }
        }

        /** The reply to request {@code id}, waiting for it. */
        CommandReply replyTo(long id) {
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (System.nanoTime() < end) {
                for (CommandReply reply : others) {
                    if (CommandClient.Replies.idOf(reply) == id) {
                        others.remove(reply);
                        return reply;
                    }
                }
                pump();
            }
            throw new AssertionError(name + ": no reply to request " + id + " within " + DEADLINE);
        }

        void join() {
            joinId = send(GroupOperation.JOIN, group, name);
            CommandReply reply = replyTo(joinId);
            assertThat(reply).as(name + " joined").isInstanceOf(CommandReply.GroupResult.class);
            assertThat(((CommandReply.GroupResult) reply).values().subList(0, 2)).containsExactly(group, name);
        }

        CommandReply ack(long deliveryId) {
            return replyTo(send(GroupOperation.ACK, group, name, Long.toString(deliveryId)));
        }

        CommandReply nack(long deliveryId, String action, String reason) {
            return replyTo(send(GroupOperation.NACK, group, name, Long.toString(deliveryId), action, reason));
        }
    }

    private void create(String name, String strategy, int maxInFlight) {
        Consumer admin = new Consumer(name, "admin");
        CommandReply reply = admin.replyTo(admin.send(GroupOperation.CREATE, name, strategy,
                Integer.toString(maxInFlight), "30000", "3", "0", "ALL", "", "BEGINNING", "-1"));
        assertThat(reply).isInstanceOf(CommandReply.GroupResult.class);
    }

    private List<UUID> append(String stream, int count) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            UUID id = UUID.randomUUID();
            store.append(AppendRequest.to(stream, ExpectedVersion.any(),
                    EventData.of(id, "Made", ("e" + i).getBytes(StandardCharsets.UTF_8))));
            ids.add(id);
        }
        return ids;
    }

    /** Pumps every consumer, acking each new delivery, until {@code done} holds. */
    private void ackUntil(List<Consumer> acking, Predicate<Void> done, String what) {
        Map<Consumer, Integer> acked = new HashMap<>();
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!done.test(null)) {
            assertThat(System.nanoTime()).as("timed out waiting until " + what).isLessThan(end);
            for (Consumer c : acking) {
                c.pump();
                int from = acked.getOrDefault(c, 0);
                for (int i = from; i < c.deliveries.size(); i++) {
                    long deliveryId = c.deliveries.get(i).deliveryId();
                    c.send(GroupOperation.ACK, c.group, c.name, Long.toString(deliveryId));
                }
                acked.put(c, c.deliveries.size());
            }
        }
    }

    private static Set<UUID> ids(List<Consumer> consumers) {
        Set<UUID> ids = new HashSet<>();
        consumers.forEach(c -> c.deliveries.forEach(d -> ids.add(d.event().id())));
        return ids;
    }

    @Test
    void twoConsumersShareTheEventsRoundRobin() {
        start(Duration.ofSeconds(60));
        create("rr", "ROUND_ROBIN", 5);
        Consumer a = new Consumer("rr", "a");
        Consumer b = new Consumer("rr", "b");
        a.join();
        b.join();
        List<UUID> appended = append("orders-1", 20);
        ackUntil(List.of(a, b), x -> ids(List.of(a, b)).containsAll(appended), "every event delivered");
        assertThat(a.deliveries).as("a got a share").isNotEmpty();
        assertThat(b.deliveries).as("b got a share").isNotEmpty();
        Set<UUID> seenByA = new HashSet<>();
        a.deliveries.forEach(d -> seenByA.add(d.event().id()));
        b.deliveries.forEach(d -> assertThat(seenByA).as("no event to both (no timeouts here)")
                .doesNotContain(d.event().id()));
        assertThat(a.deliveries).allSatisfy(d -> assertThat(d.requestId()).isEqualTo(a.joinId));
    }

    @Test
    void pinnedModeKeepsEachStreamOnOneConsumerInOrder() {
        start(Duration.ofSeconds(60));
        create("pin", "PINNED_BY_STREAM", 10);
        Consumer a = new Consumer("pin", "a");
        Consumer b = new Consumer("pin", "b");
        a.join();
        b.join();
        List<UUID> appended = new ArrayList<>();
        for (int s = 0; s < 8; s++) {
            appended.addAll(append("account-" + s, 4));
        }
        ackUntil(List.of(a, b), x -> ids(List.of(a, b)).containsAll(appended), "every event delivered");
        Map<String, String> owner = new HashMap<>();
        Map<String, Long> lastVersion = new HashMap<>();
        for (Consumer c : List.of(a, b)) {
            for (CommandReply.GroupDelivery d : c.deliveries) {
                RecordedEvent e = d.event();
                assertThat(owner.putIfAbsent(e.stream(), c.name)).as(e.stream() + " stays with one consumer")
                        .isIn(null, c.name);
                Long previous = lastVersion.put(e.stream() + "/" + c.name, e.version());
                assertThat(e.version()).as(e.stream() + " in order").isGreaterThan(previous == null ? -1 : previous);
            }
        }
        assertThat(new HashSet<>(owner.values())).as("both consumers hold streams").hasSize(2);
    }

    @Test
    void nackParkAndReplayOverTheWire() {
        start(Duration.ofSeconds(60));
        create("park", "ROUND_ROBIN", 5);
        Consumer a = new Consumer("park", "a");
        a.join();
        UUID id = append("orders-1", 1).get(0);
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (a.deliveries.isEmpty() && System.nanoTime() < end) {
            a.pump();
        }
        CommandReply.GroupDelivery first = a.deliveries.get(0);
        assertThat(first.event().id()).isEqualTo(id);
        assertThat(first.replay()).isFalse();

        CommandReply retried = a.nack(first.deliveryId(), "RETRY", "try again");
        assertThat(retried).isInstanceOf(CommandReply.GroupResult.class);
        while (a.deliveries.size() < 2 && System.nanoTime() < end) {
            a.pump();
        }
        CommandReply.GroupDelivery second = a.deliveries.get(1);
        assertThat(second.event().id()).isEqualTo(id);
        assertThat(second.attempt()).isEqualTo(first.attempt() + 1);

        assertThat(a.nack(second.deliveryId(), "PARK", "bad invoice")).isInstanceOf(CommandReply.GroupResult.class);
        List<String> parked = ((CommandReply.GroupResult) a.replyTo(a.send(GroupOperation.PARKED, "park"))).values();
        assertThat(parked).hasSize(5);
        assertThat(parked.get(2)).isEqualTo(id.toString());
        assertThat(parked.get(4)).isEqualTo("bad invoice");

        assertThat(((CommandReply.GroupResult) a.replyTo(a.send(GroupOperation.REPLAY, "park", "ALL"))).values())
                .containsExactly("1");
        while (a.deliveries.size() < 3 && System.nanoTime() < end) {
            a.pump();
        }
        CommandReply.GroupDelivery replayed = a.deliveries.get(2);
        assertThat(replayed.event().id()).isEqualTo(id);
        assertThat(replayed.replay()).isTrue();
        assertThat(a.ack(replayed.deliveryId())).isInstanceOf(CommandReply.GroupResult.class);
        assertThat(((CommandReply.GroupResult) a.replyTo(a.send(GroupOperation.PARKED, "park"))).values()).isEmpty();

        CommandReply left = a.replyTo(a.send(GroupOperation.LEAVE, "park", "a"));
        assertThat(((CommandReply.GroupResult) left).values()).containsExactly("park", "a");
        CommandReply afterLeave = a.ack(replayed.deliveryId());
        assertThat(((CommandReply.Error) afterLeave).code()).isEqualTo(ErrorCode.NOT_FOUND);
    }

    @Test
    void badInputGetsAnErrorNamingItAndTheGroupKeepsServing() {
        start(Duration.ofSeconds(60));
        create("bad", "ROUND_ROBIN", 1);
        Consumer a = new Consumer("bad", "a");
        Consumer b = new Consumer("bad", "b");
        a.join();
        b.join();

        CommandReply.Error unknownGroup = (CommandReply.Error) a.replyTo(a.send(GroupOperation.JOIN, "nope", "a"));
        assertThat(unknownGroup.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(unknownGroup.reason()).contains("'nope'");
        CommandReply.Error duplicate = (CommandReply.Error) b.replyTo(b.send(GroupOperation.JOIN, "bad", "a"));
        assertThat(duplicate.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(duplicate.reason()).contains("consumer 'a' of group 'bad' is already joined on another connection");
        CommandReply.Error unknownDelivery = (CommandReply.Error) a.ack(987654);
        assertThat(unknownDelivery.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(unknownDelivery.reason()).contains("987654");
        CommandReply.Error notHers = (CommandReply.Error) b.replyTo(b.send(GroupOperation.ACK, "bad", "a", "1"));
        assertThat(notHers.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(notHers.reason()).contains("consumer 'a' of group 'bad' is not joined on this connection");
        CommandReply.Error action = (CommandReply.Error) a.nack(1, "LATER", "x");
        assertThat(action.reason()).contains("RETRY, SKIP or PARK").contains("'LATER'");

        List<UUID> appended = append("orders-1", 2);
        long end = System.nanoTime() + DEADLINE.toNanos();
        while ((a.deliveries.isEmpty() || b.deliveries.isEmpty()) && System.nanoTime() < end) {
            a.pump();
            b.pump();
        }
        CommandReply.GroupDelivery toB = b.deliveries.get(0);
        CommandReply.Error foreign = (CommandReply.Error) a.ack(toB.deliveryId());
        assertThat(foreign.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(foreign.reason()).contains("'b'");
        assertThat(b.ack(toB.deliveryId())).as("b still settles its own").isInstanceOf(CommandReply.GroupResult.class);
        assertThat(a.ack(a.deliveries.get(0).deliveryId())).isInstanceOf(CommandReply.GroupResult.class);
        assertThat(ids(List.of(a, b))).containsExactlyInAnyOrderElementsOf(appended);
    }

    @Test
    void aSilentConsumerIsRemovedAndItsDeliveriesGoToTheOthers() {
        start(Duration.ofMillis(1500));
        create("quiet", "ROUND_ROBIN", 1);
        Consumer silent = new Consumer("quiet", "silent");
        silent.join();
        UUID id = append("orders-1", 1).get(0);
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (silent.deliveries.isEmpty() && System.nanoTime() < end) {
            silent.pump();
        }
        assertThat(silent.deliveries.get(0).event().id()).isEqualTo(id);
        Consumer alive = new Consumer("quiet", "alive");
        alive.join();
        // The silent one sends nothing more; the live one pings until the event reaches it.
        while (alive.deliveries.isEmpty()) {
            assertThat(System.nanoTime()).as("the event reaches the live consumer").isLessThan(end);
            alive.dealer.sendCommand(new CommandRequest.Ping(alive.nextId++));
            alive.pump();
        }
        assertThat(alive.deliveries.get(0).event().id()).isEqualTo(id);
        assertThat(alive.ack(alive.deliveries.get(0).deliveryId())).isInstanceOf(CommandReply.GroupResult.class);
        silent.pump();
        assertThat(silent.others).anySatisfy(reply -> {
            assertThat(reply).isInstanceOf(CommandReply.Error.class);
            assertThat(((CommandReply.Error) reply).code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(((CommandReply.Error) reply).reason()).contains("consumer 'silent' of group 'quiet' was removed");
        });
    }

    @Test
    void deletingAGroupEndsItsConsumersMembershipWithClosed() {
        start(Duration.ofSeconds(60));
        create("gone", "ROUND_ROBIN", 5);
        Consumer a = new Consumer("gone", "a");
        a.join();
        Consumer admin = new Consumer("gone", "admin2");
        assertThat(admin.replyTo(admin.send(GroupOperation.DELETE, "gone"))).isInstanceOf(CommandReply.GroupResult.class);
        CommandReply ended = a.replyTo(a.joinId);
        assertThat(((CommandReply.Error) ended).code()).isEqualTo(ErrorCode.CLOSED);
        assertThat(((CommandReply.Error) ended).reason()).contains("consumer 'a' of group 'gone' is out of the group");
        CommandReply.Error ack = (CommandReply.Error) a.ack(1);
        assertThat(ack.reason()).contains("is not joined on this connection");
    }

    @Test
    void aDeliveryNotAckedInTimeGoesToAnotherAndTheLateAckIsRefused() {
        start(Duration.ofSeconds(60));
        Consumer admin = new Consumer("slow", "admin");
        assertThat(admin.replyTo(admin.send(GroupOperation.CREATE, "slow", "ROUND_ROBIN", "1", "300", "50", "0", "ALL",
                "", "BEGINNING", "-1"))).isInstanceOf(CommandReply.GroupResult.class);
        Consumer slow = new Consumer("slow", "slow");
        slow.join();
        UUID id = append("orders-1", 1).get(0);
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (slow.deliveries.isEmpty() && System.nanoTime() < end) {
            slow.pump();
        }
        Consumer fast = new Consumer("slow", "fast");
        fast.join();
        // The slow one keeps its connection alive but never settles; after 300 ms the event goes out again.
        while (fast.deliveries.isEmpty() && System.nanoTime() < end) {
            slow.dealer.sendCommand(new CommandRequest.Ping(slow.nextId++));
            slow.pump();
            fast.pump();
        }
        assertThat(fast.deliveries).as("the event went to the other consumer in time").isNotEmpty();
        CommandReply.GroupDelivery retried = fast.deliveries.get(0);
        assertThat(retried.event().id()).isEqualTo(id);
        assertThat(retried.attempt()).as("redelivered after an expiry").isGreaterThanOrEqualTo(2);
        CommandReply.Error late = (CommandReply.Error) slow.ack(slow.deliveries.get(0).deliveryId());
        assertThat(late.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(late.reason()).contains("expired");
        // The fast one's delivery has the same 300 ms: on a loaded machine its ack may come late
        // too, and the event goes out again. It acks each delivery of the event it gets until one
        // is settled in time (bounded); a late one is refused as expired, never accepted.
        CommandReply settled = fast.ack(retried.deliveryId());
        while (!(settled instanceof CommandReply.GroupResult) && System.nanoTime() < end) {
            assertThat(((CommandReply.Error) settled).reason()).contains("expired");
            int seen = fast.deliveries.size();
            while (fast.deliveries.size() == seen && System.nanoTime() < end) {
                slow.dealer.sendCommand(new CommandRequest.Ping(slow.nextId++));
                slow.pump();
                fast.pump();
            }
            if (fast.deliveries.size() > seen) {
                settled = fast.ack(fast.deliveries.get(fast.deliveries.size() - 1).deliveryId());
            }
        }
        assertThat(settled).as("an ack of the fast consumer in time").isInstanceOf(CommandReply.GroupResult.class);
    }
}
