package io.rewind.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.groups.GroupService;
import io.rewind.groups.GroupServiceOptions;
import io.rewind.memory.MemoryEventStore;
import io.rewind.server.EndpointBindException;
import io.rewind.server.RewindServer;
import io.rewind.server.ServerSecurity;
import io.rewind.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Java client's consumer groups against a real server and GroupService on 127.0.0.1. */
class RemoteGroupsTest {

    private final EventStore store = MemoryEventStore.create();
    private GroupService groups;
    private RewindServer server;
    private String endpoint;
    private EventStore client;
    private RemoteGroups remote;

    @BeforeEach
    void start() {
        groups = GroupService.open(store, GroupServiceOptions.defaults());
        server = RewindServer.start(InProcessServer.defaults().build(), store, ServerSecurity.none(),
                Optional.of(groups));
        endpoint = server.commandEndpoint();
        client = RewindClient.connect(ClientConfig.builder().endpoint(endpoint).build());
        remote = RemoteGroups.of(client);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        groups.close();
        store.close();
    }

    /** Starts the server again on the same endpoint (the old socket may hold the port a moment). */
    private void startTheServerAgain() {
        AtomicReference<RewindServer> started = new AtomicReference<>();
        Await.until(() -> {
            try {
                started.set(RewindServer.start(InProcessServer.defaults().commandEndpoint(endpoint).build(), store,
                        ServerSecurity.none(), Optional.of(groups)));
                return true;
            } catch (EndpointBindException e) {
                return false;
            }
        }, Duration.ofSeconds(20), "the server binds " + endpoint + " again");
        server = started.get();
    }

    private List<UUID> append(String stream, int count) {
        List<EventData> events = java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> EventData.of(UUID.randomUUID(), "Made", new byte[] {(byte) i})).toList();
        store.append(stream, ExpectedVersion.any(), events);
        return events.stream().map(EventData::id).toList();
    }

    @Test
    void twoListenersShareTheEventsAndTheirAcksMoveTheCheckpoint() {
        remote.create(RemoteGroups.Spec.named("rr").withMaxInFlight(2));
        Set<UUID> byA = ConcurrentHashMap.newKeySet();
        Set<UUID> byB = ConcurrentHashMap.newKeySet();
        try (GroupConsumer a = remote.consume("rr", "a", m -> {
                    byA.add(m.event().id());
                    m.ack();
                });
                GroupConsumer b = remote.consume("rr", "b", m -> {
                    byB.add(m.event().id());
                    m.ack();
                })) {
            assertThat(remote.describe("rr").consumers()).containsExactly(a.name(), b.name());
            List<UUID> appended = append("orders-1", 30);
            Await.until(() -> byA.size() + byB.size() >= 30 && union(byA, byB).containsAll(appended),
                    "every event reached a listener");
            assertThat(byA).as("a got a share").isNotEmpty();
            assertThat(byB).as("b got a share").isNotEmpty();
            long last = store.streamInfo("orders-1").orElseThrow().lastPosition();
            Await.until(() -> remote.describe("rr").checkpoint() == last, "the acks moved the checkpoint to the last event");
        }
        Await.until(() -> remote.describe("rr").consumers().isEmpty(), "closing left the group");
    }

    /**
     * Acks and nacks sent without waiting: each future completes with the server's answer (the
     * checkpoint moves to the last event, the parked one is parked), and a refused one fails its
     * future with the server's error instead of throwing on the listener's thread.
     */
    @Test
    void asyncAcksAndNacksCompleteWithTheServersAnswer() throws Exception {
        remote.create(RemoteGroups.Spec.named("async").withMaxInFlight(8));
        List<java.util.concurrent.CompletableFuture<Void>> settled = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicReference<GroupMessage> first = new AtomicReference<>();
        try (GroupConsumer c = remote.consume("async", "c", m -> {
            first.compareAndSet(null, m);
            settled.add(m.event().data()[0] == 7 ? m.nackAsync(GroupMessage.NackAction.PARK, "seven")
                    : m.ackAsync());
        })) {
            assertThat(c.name()).isEqualTo("c");
            List<UUID> appended = append("orders-1", 20);
            Await.until(() -> settled.size() == 20, "the listener settled all 20 without waiting");
            java.util.concurrent.CompletableFuture.allOf(settled.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
            long last = store.streamInfo("orders-1").orElseThrow().lastPosition();
            Await.until(() -> remote.describe("async").checkpoint() == last, "the acks moved the checkpoint to the end");
            assertThat(remote.parked("async")).extracting(RemoteGroups.Parked::eventId).containsExactly(appended.get(7));
            java.util.concurrent.CompletableFuture<Void> again = first.get().ackAsync();
            assertThatThrownBy(() -> again.get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .hasCauseInstanceOf(EventStoreException.class)
                    .satisfies(e -> assertThat(((EventStoreException) e.getCause()).code())
                            .isEqualTo(ErrorCode.NOT_FOUND));
        }
    }

    private static Set<UUID> union(Set<UUID> x, Set<UUID> y) {
        return java.util.stream.Stream.concat(x.stream(), y.stream()).collect(Collectors.toSet());
    }

    @Test
    void nackParkThenReplayAndAck() {
        remote.create(RemoteGroups.Spec.named("park").streamPrefix("invoice-"));
        AtomicBoolean park = new AtomicBoolean(true);
        Set<UUID> acked = ConcurrentHashMap.newKeySet();
        try (GroupConsumer c = remote.consume("park", "c", m -> {
            if (park.get()) {
                m.nack(GroupMessage.NackAction.PARK, "no customer for " + m.event().stream());
            } else {
                assertThat(m.replay()).isTrue();
                m.ack();
                acked.add(m.event().id());
            }
        })) {
            assertThat(c.group()).isEqualTo("park");
            List<UUID> appended = append("invoice-7", 2);
            Await.until(() -> remote.parked("park").size() == 2, "both parked");
            assertThat(remote.parked("park")).extracting(RemoteGroups.Parked::eventId)
                    .containsExactlyInAnyOrderElementsOf(appended);
            assertThat(remote.parked("park").get(0).reason()).isEqualTo("no customer for invoice-7");
            park.set(false);
            assertThat(remote.replayAll("park")).isEqualTo(2);
            Await.until(() -> acked.containsAll(appended), "the replays were acked");
            Await.until(() -> remote.parked("park").isEmpty(), "the parked list is empty");
        }
    }

    @Test
    void badRequestsFailWithTheServersError() {
        remote.create(RemoteGroups.Spec.named("g"));
        assertThatThrownBy(() -> remote.create(RemoteGroups.Spec.named("g")))
                .isInstanceOf(EventStoreException.class).hasMessageContaining("'g'");
        EventStoreException unknown = (EventStoreException) org.assertj.core.api.Assertions.catchThrowable(
                () -> remote.consume("nope", "c", m -> m.ack()));
        assertThat(unknown.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(unknown.getMessage()).contains("'nope'");
        assertThat(remote.list()).containsExactly("g");
    }

    @Test
    void anUpdateChangesSomeSettingsOfALiveGroupAndItsConsumerFeelsItAtOnce() throws Exception {
        remote.create(RemoteGroups.Spec.named("u").withMaxInFlight(10));
        RemoteGroups.Settings settings = remote.update("u", RemoteGroups.Update.keep().withMaxInFlight(1)
                .withAckTimeout(Duration.ofSeconds(45)));
        assertThat(settings).isEqualTo(new RemoteGroups.Settings("u", "ROUND_ROBIN", 1, 45_000, 10, 1_000));
        RemoteGroups.Description described = remote.describe("u");
        assertThat(described.maxInFlight()).isEqualTo(1);
        assertThat(described.ackTimeoutMillis()).isEqualTo(45_000);
        assertThat(described.maxRetries()).as("kept").isEqualTo(10);

        java.util.concurrent.BlockingQueue<GroupMessage> held = new java.util.concurrent.LinkedBlockingQueue<>();
        try (GroupConsumer consumer = remote.consume("u", "slow", held::add)) {
            append("orders-1", 3);
            GroupMessage first = held.poll(Await.DEFAULT_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            assertThat(first).isNotNull();
            Await.until(() -> remote.describe("u").inFlight() == 1 && remote.describe("u").buffered() == 2,
                    "one in flight under the new limit, two waiting");
            assertThat(held).as("no second delivery while one is held").isEmpty();
            assertThat(remote.describe("u").consumers()).containsExactly(consumer.name());
            first.ack();
            assertThat(held.poll(Await.DEFAULT_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
                    .as("the next one after the ack").isNotNull();
        }

        EventStoreException unknown = (EventStoreException) org.assertj.core.api.Assertions.catchThrowable(
                () -> remote.update("nope", RemoteGroups.Update.keep().withMaxRetries(1)));
        assertThat(unknown.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(unknown.getMessage()).isEqualTo("there is no group named 'nope'; groups: [u]");
        EventStoreException strategy = (EventStoreException) org.assertj.core.api.Assertions.catchThrowable(
                () -> remote.update("u", RemoteGroups.Update.keep().withStrategy("PINNED_BY_STREAM")));
        assertThat(strategy.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(strategy.getMessage()).startsWith("group 'u': the strategy cannot change (from ROUND_ROBIN to"
                + " PINNED_BY_STREAM) on a live group");
    }

    @Test
    void aConsumerJoinsAgainAfterTheServerRestarts() {
        remote.create(RemoteGroups.Spec.named("again"));
        Set<UUID> seen = ConcurrentHashMap.newKeySet();
        try (GroupConsumer c = remote.consume("again", "c", m -> {
            seen.add(m.event().id());
            m.ack();
        })) {
            assertThat(c.name()).isEqualTo("c");
            UUID first = append("orders-1", 1).get(0);
            Await.until(() -> seen.contains(first), "the first event arrived");
            server.close();
            groups.close();
            groups = GroupService.open(store, GroupServiceOptions.defaults());
            startTheServerAgain();
            UUID second = append("orders-1", 1).get(0);
            Await.until(() -> seen.contains(second), Duration.ofSeconds(60), "the consumer joined again and got the next event");
            Await.until(() -> groups.describe("again").consumers().equals(List.of("c")), "c is a member again");
        }
    }
    /**
     * A JOIN sent while the server is down waits in ZeroMQ's queue, the client gives up on it, and
     * the restarted server takes it later: the consumer must not be left with a membership it does
     * not serve (the restarted server would refuse every later JOIN of the name as "already joined
     * on this connection" and hand that membership the events, which nobody acks).
     */
    @Test
    void aJoinTheServerTakesOnlyAfterTheClientGaveUpOnItDoesNotStrandTheConsumer() {
        remote.create(RemoteGroups.Spec.named("late"));
        Set<UUID> seen = ConcurrentHashMap.newKeySet();
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                GroupConsumer.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        log.addAppender(logged);
        try (EventStore quick = RewindClient.connect(ClientConfig.builder().endpoint(endpoint)
                .requestTimeout(Duration.ofMillis(1000)).reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
                .build());
             GroupConsumer c = RemoteGroups.of(quick).consume("late", "c", m -> {
                 seen.add(m.event().id());
                 m.ack();
             })) {
            assertThat(c.group()).isEqualTo("late");
            UUID first = append("orders-1", 1).get(0);
            Await.until(() -> seen.contains(first), "the first event arrived");
            server.close();
            groups.close();
            groups = GroupService.open(store, GroupServiceOptions.defaults());
            // A JOIN went out to the stopped server and its second passed: it waits in the queue.
            Await.until(() -> List.copyOf(logged.list).stream().anyMatch(e -> e.getFormattedMessage().contains(
                    "could not join again (no reply")), Duration.ofSeconds(20), "a JOIN went unanswered");
            startTheServerAgain();
            UUID second = append("orders-1", 1).get(0);
            Await.until(() -> seen.contains(second), Duration.ofSeconds(30),
                    () -> "the consumer joined again and got the next event; it logged: " + List.copyOf(logged.list)
                            .stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList());
            Await.until(() -> groups.describe("late").consumers().equals(List.of("c")), "c is a member, once");
        } finally {
            log.detachAppender(logged);
        }
    }

    /**
     * Deliveries that reached the client before its connection dropped, queued behind one the
     * listener is still handling, are not handed to the listener once the drop is known: their
     * acks could only fail, and the server hands those events out again (here to the same
     * consumer, after it joined the restarted server). Each of them reaches the listener once.
     */
    @Test
    void deliveriesQueuedWhenTheConnectionDropsAreNotHandedToTheListener() throws Exception {
        remote.create(RemoteGroups.Spec.named("queued").withMaxInFlight(10));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.Map<UUID, java.util.concurrent.atomic.AtomicInteger> handed = new ConcurrentHashMap<>();
        Set<UUID> acked = ConcurrentHashMap.newKeySet();
        List<UUID> ids;
        long dropped;
        try (GroupConsumer c = remote.consume("queued", "c", m -> {
            int times = handed.computeIfAbsent(m.event().id(), id -> new java.util.concurrent.atomic.AtomicInteger())
                    .incrementAndGet();
            if (handed.size() == 1 && times == 1) {
                try {
                    // Bounded: if the test fails before the release, the listener thread still ends.
                    release.await(120, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            m.ack();
            acked.add(m.event().id());
        })) {
            ids = append("orders-1", 5);
            Await.until(() -> handed.size() == 1 && groups.describe("queued").inFlight() == 5, Await.DEFAULT_TIMEOUT,
                    () -> "the listener holds the first delivery and the server sent all five ("
                            + groups.describe("queued") + ")");
            // The other four are on their way to the client's queue behind the first; the server
            // goes down once they are there.
            Await.until(() -> c.queuedForTest() == 4, Await.DEFAULT_TIMEOUT, () -> c.queuedForTest() + " deliveries queued, not 4");
            server.close();
            groups.close();
            groups = GroupService.open(store, GroupServiceOptions.defaults());
            Await.until(c::membershipEnded, Duration.ofSeconds(30), "the consumer hears that its connection dropped");
            release.countDown();
            startTheServerAgain();
            Await.until(() -> acked.containsAll(ids), Duration.ofSeconds(60),
                    () -> "every event acknowledged after the consumer joined again (" + acked.size() + " of 5)");
            dropped = c.droppedDeliveries();
        }
        assertThat(handed.get(ids.get(0)).get()).as("times the first event (held across the drop) was handed over")
                .isEqualTo(2);
        for (UUID id : ids.subList(1, 5)) {
            assertThat(handed.get(id).get()).as("times a queued event was handed to the listener").isEqualTo(1);
        }
        assertThat(dropped).as("deliveries the consumer dropped unhandled").isEqualTo(4);
    }
}
