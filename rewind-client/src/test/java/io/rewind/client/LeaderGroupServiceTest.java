package io.rewind.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.NotLeaderException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.groups.GroupServiceOptions;
import io.rewind.memory.MemoryEventStore;
import io.rewind.server.LeaderGroupService;
import io.rewind.server.RewindServer;
import io.rewind.server.ServerSecurity;
import io.rewind.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LeaderGroupService} behind a real server and the Java client, on a memory store, with the
 * leadership set by the test (as a cluster node's Raft server would report it): the groups run
 * exactly while the node leads, one service per term, and a follower's answers name the leader.
 */
class LeaderGroupServiceTest {

    private final EventStore store = MemoryEventStore.create();
    private final AtomicLong term = new AtomicLong(-1);
    private final AtomicReference<String> leader = new AtomicReference<>("n2");
    private LeaderGroupService groups;
    private RewindServer server;
    private EventStore client;
    private RemoteGroups remote;

    @BeforeEach
    void start() {
        groups = LeaderGroupService.start(store, GroupServiceOptions.defaults(), "n1",
                new LeaderGroupService.Leadership() {
                    @Override
                    public long leadingTerm() {
                        return term.get();
                    }

                    @Override
                    public String leader() {
                        return leader.get();
                    }
                });
        server = RewindServer.start(InProcessServer.defaults().build(), store, ServerSecurity.none(), groups);
        client = RewindClient.connect(ClientConfig.builder().endpoint(server.commandEndpoint()).build());
        remote = RemoteGroups.of(client);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        groups.close();
        store.close();
    }

    private void lead(long newTerm) {
        term.set(newTerm);
        leader.set("n1");
        groups.leadershipChanged();
    }

    private void follow(String newLeader) {
        term.set(-1);
        leader.set(newLeader);
        groups.leadershipChanged();
    }

    private UUID append(String stream) {
        UUID id = UUID.randomUUID();
        store.append(stream, ExpectedVersion.any(), EventData.of(id, "Made", new byte[] {1}));
        return id;
    }

    @Test
    void aFollowerRefusesWithTheLeadersNameAndALeaderServesUntilItStepsDown() {
        assertThat(groups.isRunning()).isFalse();
        assertThatThrownBy(() -> remote.create(RemoteGroups.Spec.named("g")))
                .isInstanceOfSatisfying(NotLeaderException.class, e -> {
                    assertThat(e.leader()).contains("n2");
                    assertThat(e).hasMessage("cluster node 'n1' is not the cluster's leader: consumer groups run on the"
                            + " leader only; the leader is node 'n2': send GROUP commands there (the Java client moves"
                            + " by itself when given every node's endpoint)");
                });
        follow(null);
        assertThatThrownBy(remote::list).isInstanceOfSatisfying(NotLeaderException.class, e -> {
            assertThat(e.leader()).isEmpty();
            assertThat(e.getMessage()).endsWith("no leader is known to it now (an election is under way); try again"
                    + " shortly");
        });

        lead(1);
        Await.until(groups::isRunning, "the groups run once the node leads");
        remote.create(RemoteGroups.Spec.named("g").withAckTimeout(Duration.ofSeconds(5)));
        Set<UUID> seen = ConcurrentHashMap.newKeySet();
        try (GroupConsumer consumer = remote.consume("g", "c", message -> {
            seen.add(message.event().id());
            try {
                message.ack();
            } catch (EventStoreException e) {
                // the service went away under it; the event comes again
            }
        })) {
            assertThat(consumer.name()).isEqualTo("c");
            UUID first = append("orders-1");
            Await.until(() -> seen.contains(first), "the consumer got the first event");

            // Steps down: the service stops, the consumer is out, and GROUP commands are refused.
            follow("n3");
            Await.until(() -> !groups.isRunning(), "the groups stop when the node no longer leads");
            assertThatThrownBy(remote::list).isInstanceOfSatisfying(NotLeaderException.class,
                    e -> assertThat(e.leader()).contains("n3"));
            UUID whileFollowing = append("orders-1");

            // Leads again (a new term): a new service reads the group back and the consumer, which keeps
            // joining, gets the event appended meanwhile.
            lead(2);
            Await.until(groups::isRunning, "the groups run again in term 2");
            Await.until(() -> seen.contains(whileFollowing), Duration.ofSeconds(30),
                    "the consumer joined again and got the event appended while the node followed");
            assertThat(remote.list()).containsExactly("g");

            // Term 3 without a follower phase seen in between: the term-2 service is replaced (on the
            // service's own thread: wait until the one serving is another instance).
            io.rewind.groups.GroupService term2 = groups.current();
            lead(3);
            Await.until(() -> {
                try {
                    return groups.current() != term2;
                } catch (EventStoreException notYet) {
                    return false; // between the two services
                }
            }, "the term-2 service is replaced by the term-3 one");
            UUID afterTerm3 = append("orders-1");
            Await.until(() -> seen.contains(afterTerm3), Duration.ofSeconds(30),
                    "the consumer follows the term-3 service");
            assertThat(groups.isRunning()).isTrue();
        }
    }

    @Test
    void aLeaderWhoseServiceIsNotOpenYetSaysSoAndTheFlappingLeadershipSettlesOnItsLastState() {
        // Many changes at once, ending as a follower: no service runs at the end.
        for (int i = 1; i <= 20; i++) {
            if (i % 2 == 0) {
                follow("n2");
            } else {
                lead(i);
            }
        }
        follow("n2");
        Await.until(() -> {
            try {
                remote.list();
                return false;
            } catch (NotLeaderException e) {
                return !groups.isRunning();
            }
        }, "the flapping ended as a follower: no service runs and commands are refused");
        // Ending as the leader: exactly the service of the last term serves.
        for (int i = 21; i <= 40; i++) {
            if (i % 2 == 0) {
                follow("n2");
            } else {
                lead(i);
            }
        }
        lead(41);
        Await.until(() -> {
            try {
                return remote.list().isEmpty();
            } catch (StoreUnavailableException e) {
                return false; // still opening (a plain UNAVAILABLE) or not yet leading
            }
        }, "the flapping ended as the leader of term 41: its groups serve");
        remote.create(RemoteGroups.Spec.named("after-flapping"));
        assertThat(remote.list()).isEqualTo(List.of("after-flapping"));
    }
}
