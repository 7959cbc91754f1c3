package io.rewind.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.NotLeaderException;
import io.rewind.api.RecordedEvent;
import io.rewind.cluster.ClusterConfig;
import io.rewind.cluster.ClusterEventStore;
import io.rewind.groups.GroupServiceOptions;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.server.LeaderGroupService;
import io.rewind.server.RewindServer;
import io.rewind.server.ServerSecurity;
import io.rewind.testkit.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumer groups on a three-node cluster in this JVM (three Ratis servers, each node served by
 * its own {@link RewindServer} with a {@link LeaderGroupService}, all on 127.0.0.1): the groups run
 * on the leader only, a follower refuses GROUP commands with {@link NotLeaderException} naming the
 * leader, and a consumer given every node's endpoint finds the leader, follows it when the leader is
 * stopped, and goes on from the replicated checkpoint.
 */
class ClusterGroupsFailoverTest {

    private static final int NODES = 3;

    @TempDir
    Path root;

    private final List<ClusterEventStore> nodes = new ArrayList<>();
    private final List<LeaderGroupService> groups = new ArrayList<>();
    private final List<RewindServer> servers = new ArrayList<>();
    private final List<String> endpoints = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();
    private final boolean[] stopped = new boolean[NODES];

    @BeforeEach
    void startCluster() throws IOException {
        Map<String, String> members = new LinkedHashMap<>();
        for (int i = 1; i <= NODES; i++) {
            members.put("n" + i, "127.0.0.1:" + freePort());
        }
        for (String id : members.keySet()) {
            LogEventStore local = LogEventStore.open(LogConfig.builder(root.resolve(id)).build());
            ClusterEventStore node = ClusterEventStore.start(new ClusterConfig(id, members, root.resolve(id + ".raft"),
                    Duration.ofMillis(1000), Duration.ofMillis(2000)), local);
            nodes.add(node);
            LeaderGroupService leaderGroups = LeaderGroupService.start(node,
                    GroupServiceOptions.defaults().withFlushInterval(Duration.ofMillis(50)), id,
                    new LeaderGroupService.Leadership() {
                        @Override
                        public long leadingTerm() {
                            return node.leadingTerm();
                        }

                        @Override
                        public String leader() {
                            return node.leader().orElse(null);
                        }
                    });
            node.watchLeadership(leaderGroups::leadershipChanged);
            leaderGroups.leadershipChanged();
            groups.add(leaderGroups);
            RewindServer server = RewindServer.start(InProcessServer.defaults().build(), node, ServerSecurity.none(),
                    leaderGroups);
            servers.add(server);
            endpoints.add(server.commandEndpoint());
        }
    }

    @AfterEach
    void stopCluster() {
        for (AutoCloseable client : clients) {
            try {
                client.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
        for (int i = 0; i < NODES; i++) {
            if (!stopped[i]) {
                servers.get(i).close();
                groups.get(i).close();
            }
        }
        List<Thread> closing = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            if (!stopped[i]) {
                Thread thread = new Thread(nodes.get(i)::close, "close-n" + (i + 1));
                thread.start();
                closing.add(thread);
            }
        }
        for (Thread thread : closing) {
            try {
                thread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The index of the node whose groups run, once exactly one node runs them. */
    private int awaitGroupLeader() {
        AtomicInteger found = new AtomicInteger(-1);
        Await.until(() -> {
            int running = 0;
            int index = -1;
            for (int i = 0; i < NODES; i++) {
                if (!stopped[i] && groups.get(i).isRunning() && nodes.get(i).leadingTerm() >= 0) {
                    running++;
                    index = i;
                }
            }
            found.set(running == 1 ? index : -1);
            return running == 1;
        }, Duration.ofSeconds(60), "one node leads and runs the consumer groups");
        return found.get();
    }

    private EventStore client(List<String> endpointList) {
        EventStore client = RewindClient.connect(ClientConfig.builder().endpoints(endpointList)
                .heartbeat(Duration.ofMillis(500), Duration.ofSeconds(2)).build());
        clients.add(client);
        return client;
    }

    @Test
    void aFollowerRefusesGroupCommandsNamingTheLeaderAndTheLeaderServesThem() {
        int leader = awaitGroupLeader();
        int follower = (leader + 1) % NODES;
        String leaderId = "n" + (leader + 1);
        RemoteGroups onFollower = RemoteGroups.of(client(List.of(endpoints.get(follower))));
        RemoteGroups onLeader = RemoteGroups.of(client(List.of(endpoints.get(leader))));

        assertThatThrownBy(() -> onFollower.create(RemoteGroups.Spec.named("billing")))
                .isInstanceOfSatisfying(NotLeaderException.class, e -> {
                    assertThat(e.leader()).contains(leaderId);
                    assertThat(e.getMessage()).isEqualTo("cluster node 'n" + (follower + 1) + "' is not the cluster's"
                            + " leader: consumer groups run on the leader only; the leader is node '" + leaderId
                            + "': send GROUP commands there (the Java client moves by itself when given every node's"
                            + " endpoint)");
                });
        assertThatThrownBy(onFollower::list).isInstanceOf(NotLeaderException.class);
        // A consumer whose client knows only the follower cannot move: its JOIN fails with the same answer.
        assertThatThrownBy(() -> onFollower.consume("billing", "c", m -> m.ack()))
                .isInstanceOfSatisfying(NotLeaderException.class, e -> assertThat(e.leader()).contains(leaderId));

        onLeader.create(RemoteGroups.Spec.named("billing"));
        assertThat(onLeader.list()).containsExactly("billing");
        // The group's definition is replicated: every follower holds it, and none runs it.
        for (int i = 0; i < NODES; i++) {
            ClusterEventStore node = nodes.get(i);
            Await.until(() -> node.streamInfo("$rewind.group.billing").isPresent(), "node holds the definition");
            if (i != leader) {
                assertThat(groups.get(i).isRunning()).isFalse();
            }
        }
    }

    @Test
    void managementCallsOfAClientGivenEveryEndpointGoToTheLeaderAndFollowItAcrossAFailover() {
        int leader = awaitGroupLeader();
        List<String> followerFirst = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            followerFirst.add(endpoints.get((leader + i) % NODES));
        }
        EventStore every = RewindClient.connect(ClientConfig.builder().endpoints(followerFirst)
                .heartbeat(Duration.ofMillis(500), Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(30))
                .build());
        clients.add(every);
        RemoteGroups management = RemoteGroups.of(every);

        createRetrying(management, "billing");
        assertThat(management.list()).containsExactly("billing");
        assertThat(management.describe("billing").name()).isEqualTo("billing");
        assertThat(answered(() -> management.update("billing", RemoteGroups.Update.keep().withMaxRetries(3)))
                .maxRetries()).isEqualTo(3);
        assertThat(management.parked("billing")).isEmpty();
        assertThat(groups.get(leader).current().list()).as("the leader's service holds it").contains("billing");
        // The leader's own refusal is the caller's at once (it is no reason to look elsewhere).
        assertThatThrownBy(() -> answered(() -> {
            management.create(RemoteGroups.Spec.named("billing"));
            return null;
        })).isInstanceOfSatisfying(EventStoreException.class, e -> assertThat(e.code()).isEqualTo(
                io.rewind.api.ErrorCode.BAD_REQUEST)).hasMessageContaining("group 'billing' already exists");

        stopped[leader] = true;
        nodes.get(leader).close();
        servers.get(leader).close();
        groups.get(leader).close();
        // No wait for the election: the read-only call looks for the new leader by itself.
        assertThat(management.list()).containsExactly("billing");
        int newLeader = awaitGroupLeader();
        createRetrying(management, "shipping");
        assertThat(management.list()).containsExactlyInAnyOrder("billing", "shipping");
        assertThat(management.describe("billing").maxRetries()).as("the update was replicated").isEqualTo(3);
        deleteRetrying(management, "shipping");
        assertThat(management.list()).containsExactly("billing");
        assertThat(groups.get(newLeader).current().list()).as("the new leader's service").containsExactly("billing");
        // The calls went over the client's groups connection, now at the new leader, not its own.
        RemoteEventStore remote = (RemoteEventStore) every;
        assertThat(remote.groupsConnection()).isNotSameAs(remote.connection());
        assertThat(remote.groupsConnection().endpoint()).isEqualTo(endpoints.get(newLeader));
    }

    /**
     * A change whose answer was lost (a connection torn down, e.g. by JeroMQ's handshake timeout,
     * while it was under way) is the caller's to retry, as a user would: the outcome is unknown.
     */
    private static <T> T answered(java.util.function.Supplier<T> call) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                return call.get();
            } catch (io.rewind.api.StoreUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    /** Creates {@code name}, retrying a lost answer; "already exists" after a retry means the first was taken. */
    private static void createRetrying(RemoteGroups management, String name) {
        changeRetrying(() -> management.create(RemoteGroups.Spec.named(name)),
                e -> String.valueOf(e.getMessage()).contains("group '" + name + "' already exists"));
    }

    /** Deletes {@code name}, retrying a lost answer; "no group named" after a retry means the first was taken. */
    private static void deleteRetrying(RemoteGroups management, String name) {
        changeRetrying(() -> management.delete(name), e -> e.code() == io.rewind.api.ErrorCode.NOT_FOUND);
    }

    /** Runs {@code change} until answered; a refusal that {@code takenBefore} accepts after a lost answer is success. */
    private static void changeRetrying(Runnable change, java.util.function.Predicate<EventStoreException> takenBefore) {
        boolean[] retried = {false};
        try {
            answered(() -> {
                try {
                    change.run();
                    return null;
                } catch (io.rewind.api.StoreUnavailableException e) {
                    retried[0] = true;
                    throw e;
                }
            });
        } catch (EventStoreException e) {
            if (!(retried[0] && takenBefore.test(e))) {
                throw e;
            }
        }
    }

    @Test
    void aConsumerOfEveryEndpointFollowsTheLeaderAcrossAFailoverAndNothingBelowTheDurableCheckpointComesAgain()
            throws Exception {
        int leader = awaitGroupLeader();
        RemoteGroups management = RemoteGroups.of(client(List.of(endpoints.get(leader))));
        management.create(RemoteGroups.Spec.named("orders").streamPrefix("orders-").withMaxInFlight(8)
                .withAckTimeout(Duration.ofSeconds(5)));

        // The consumer's endpoints start with a follower: it must find the leader first.
        List<String> order = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            order.add(endpoints.get((leader + i) % NODES));
        }
        Map<UUID, Long> positionOf = new ConcurrentHashMap<>();
        Set<UUID> acked = ConcurrentHashMap.newKeySet();
        Map<UUID, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        List<Long> deliveredAfterStop = new CopyOnWriteArrayList<>();
        AtomicBoolean leaderStopped = new AtomicBoolean();
        AtomicInteger refusedAcks = new AtomicInteger();
        EventStore consumerClient = client(order);
        GroupConsumer consumer = RemoteGroups.of(consumerClient).consume("orders", "worker", message -> {
            RecordedEvent event = message.event();
            deliveries.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet();
            positionOf.put(event.id(), event.position());
            if (leaderStopped.get()) {
                deliveredAfterStop.add(event.position());
            }
            try {
                message.ack();
                acked.add(event.id());
            } catch (EventStoreException e) {
                refusedAcks.incrementAndGet(); // its node went away or stepped down: it comes again
            }
        });
        clients.add(consumer);
        assertThat(consumer.moves()).as("moves to find the leader").isGreaterThanOrEqualTo(1);
        assertThat(consumer.endpoint()).isEqualTo(endpoints.get(leader));

        EventStore writerClient = client(endpoints);
        List<UUID> acknowledged = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        // Phase 1: 120 events, every one acked, and a durable checkpoint past them.
        write(writerClient, 0, 120, acknowledged);
        Await.until(() -> acked.containsAll(acknowledged), Duration.ofSeconds(60), () -> "the consumer acked the"
                + " first 120 events (" + acked.size() + " acked)");
        long lastOfPhase1 = acknowledged.stream().mapToLong(id -> positionOf.get(id)).max().orElseThrow();
        AtomicReference<Long> durable = new AtomicReference<>();
        Await.until(() -> {
            durable.set(management.describe("orders").durableCheckpoint());
            return durable.get() >= lastOfPhase1;
        }, Duration.ofSeconds(30), () -> "the durable checkpoint passed " + lastOfPhase1 + " (at " + durable.get()
                + ")");
        long durableBeforeFailover = durable.get();

        // Phase 2: a writer goes on while the leader is stopped (its Raft server, its groups, its server).
        Thread writer = new Thread(() -> {
            try {
                write(writerClient, 120, 240, acknowledged);
            } catch (Throwable e) {
                writerFailure.set(e);
            }
        }, "writer");
        writer.start();
        Await.until(() -> acknowledged.size() >= 150, Duration.ofSeconds(60), "the writer goes on");
        leaderStopped.set(true);
        stopped[leader] = true;
        nodes.get(leader).close(); // as a crash for the groups: their final write cannot reach a store
        servers.get(leader).close();
        groups.get(leader).close();

        int newLeader = awaitGroupLeader();
        assertThat(newLeader).isNotEqualTo(leader);
        writer.join(120_000);
        assertThat(writer.isAlive()).isFalse();
        assertThat(writerFailure.get()).isNull();
        assertThat(acknowledged).hasSize(240);

        Await.until(() -> acked.containsAll(acknowledged), Duration.ofSeconds(90), () -> "the consumer acked every"
                + " acknowledged event after the failover (" + acknowledged.stream().filter(id -> !acked.contains(id))
                .count() + " missing; consumer at " + consumer.endpoint() + ", moves " + consumer.moves() + ")");
        int leaderAtTheEnd = awaitGroupLeader();
        assertThat(leaderAtTheEnd).isNotEqualTo(leader);
        assertThat(consumer.endpoint()).isEqualTo(endpoints.get(leaderAtTheEnd));
        assertThat(deliveredAfterStop).as("deliveries after the failover at or below the checkpoint %d that was"
                + " durable before it", durableBeforeFailover).allMatch(position -> position > durableBeforeFailover);
        long redelivered = deliveries.values().stream().mapToInt(AtomicInteger::get).filter(n -> n > 1).count();
        System.out.printf("cluster groups failover: %d events acknowledged, all acked by the consumer; %d delivered"
                + " more than once, %d acks refused, durable checkpoint before the failover %d, consumer moves %d%n",
                acknowledged.size(), redelivered, refusedAcks.get(), durableBeforeFailover, consumer.moves());
    }

    /**
     * Appends events {@code from} to {@code to} (exclusive), one per append, to ten streams, each
     * retried with the same event ids until acknowledged (bounded by time).
     */
    private static void write(EventStore client, int from, int to, List<UUID> acknowledged) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        for (int i = from; i < to; i++) {
            UUID id = UUID.randomUUID();
            AppendRequest request = AppendRequest.builder().append("orders-" + (i % 10), ExpectedVersion.any(),
                    List.of(EventData.of(id, "Placed", new byte[] {(byte) i}))).build();
            while (true) {
                try {
                    AppendResult result = client.append(request);
                    assertThat(result.events()).hasSize(1);
                    acknowledged.add(id);
                    break;
                } catch (EventStoreException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    try {
                        Thread.sleep(50); // a retry's backoff (an election, a node going away)
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
