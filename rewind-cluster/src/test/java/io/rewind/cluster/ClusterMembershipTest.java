package io.rewind.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Status and membership changes of a running cluster, in one JVM on 127.0.0.1: the status as each
 * node sees it, a fourth node that joins and catches up, the removal of a follower and then of the
 * leader with appends acknowledged throughout, and the refusals of bad requests.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterMembershipTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path root;

    @Test
    void theStatusShowsOneLeaderAndWhatEveryNodeApplied() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            for (int i = 0; i < 5; i++) {
                cluster.node(i % 3).append("s", ExpectedVersion.any(), event("e" + i));
            }
            for (int asked = 0; asked < 3; asked++) {
                ClusterMembership membership = cluster.node(asked).membership();
                Await.until(() -> caughtUp(membership.status(), 3, 4), WAIT,
                        () -> "every node applied position 4: " + membership.status());
                ClusterStatus status = membership.status();
                assertThat(status.node()).isEqualTo("n" + (asked + 1));
                assertThat(status.members()).extracting(ClusterStatus.Member::id).containsExactly("n1", "n2", "n3");
                assertThat(status.members()).extracting(ClusterStatus.Member::address)
                        .containsExactlyElementsOf(addresses(cluster, "n1", "n2", "n3"));
                assertThat(status.members()).filteredOn(m -> m.role().equals("leader")).hasSize(1);
                assertThat(status.members()).filteredOn(m -> m.role().equals("follower")).hasSize(2);
                String leader = status.members().stream().filter(m -> m.role().equals("leader")).findFirst()
                        .orElseThrow().id();
                assertThat(status.leader()).contains(leader);
                assertThat(status.changing()).isFalse();
                for (ClusterStatus.Member member : status.members()) {
                    assertThat(member.reachable()).as(member.toString()).isTrue();
                    assertThat(member.appliedPosition()).contains(4L);
                    assertThat(member.eventsBehind()).contains(0L);
                    assertThat(member.appliedIndex()).isGreaterThanOrEqualTo(4);
                }
            }
            // A stopped node is still a member, reported unknown, with no figures.
            int follower = followerIndex(cluster);
            cluster.stopNode(follower);
            int asked = (follower + 1) % 3;
            ClusterStatus status = cluster.node(asked).membership().status();
            ClusterStatus.Member stopped = status.member("n" + (follower + 1)).orElseThrow();
            assertThat(stopped.role()).isEqualTo("unknown");
            assertThat(stopped.reachable()).isFalse();
            assertThat(stopped.error()).get().asString().contains("did not answer");
            assertThat(stopped.appliedPosition()).isEmpty();
            assertThat(stopped.eventsBehind()).isEmpty();
            // A stopped node can be removed: the two others are a majority of the old and the new configuration.
            ClusterStatus without = cluster.node(asked).membership().remove(stopped.id());
            assertThat(without.members()).extracting(ClusterStatus.Member::id).hasSize(2).doesNotContain(stopped.id());
            for (ClusterEventStore node : cluster.running()) {
                node.append("s", ExpectedVersion.any(), event("after"));
            }
            Await.until(() -> caughtUp(cluster.node(asked).membership().status(), 2, 6), WAIT,
                    () -> "both members applied 6: " + cluster.node(asked).membership().status());
        }
    }

    @Test
    void aJoiningNodeCatchesUpThenAFollowerAndTheLeaderAreRemovedWhileAppendsGoOn() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            for (int i = 0; i < 20; i++) {
                cluster.node(i % 3).append("before", ExpectedVersion.any(), event("b" + i));
            }
            String n4Address = "127.0.0.1:" + LocalCluster.port();
            Map<String, String> joinMembers = new LinkedHashMap<>(cluster.members());
            joinMembers.put("n4", n4Address);
            LogEventStore n4Local = LogEventStore.open(LogConfig.builder(root.resolve("n4")).build());
            try (ClusterEventStore n4 = ClusterEventStore.start(new ClusterConfig("n4", joinMembers,
                    root.resolve("n4.raft"), LocalCluster.ELECTION_MIN, LocalCluster.ELECTION_MAX), n4Local, null, true)) {
                // Not added yet: it holds no configuration and nothing of the log.
                assertThat(n4.membership().status().members()).isEmpty();
                assertThat(n4.headPosition()).isEqualTo(-1);

                ClusterStatus added = cluster.node(1).membership().add("n4", n4Address);
                assertThat(added.member("n4")).isPresent();
                Await.until(() -> n4.headPosition() == 19, WAIT, () -> "n4 caught up: head " + n4.headPosition());
                // It holds every event, and takes appends of its own.
                for (int i = 0; i < 10; i++) {
                    n4.append("after", ExpectedVersion.any(), event("a" + i));
                }
                List<ClusterEventStore> all = new ArrayList<>(cluster.running());
                all.add(n4);
                awaitSameLogs(all, 30);
                Await.until(() -> caughtUp(n4.membership().status(), 4, 29), WAIT,
                        () -> "n4 sees four members at position 29: " + n4.membership().status());

                // Bad requests are refused, naming what is wrong, and change nothing.
                ClusterMembership membership = cluster.node(0).membership();
                assertRefused(() -> membership.add("n4", "127.0.0.1:1"), MembershipException.Reason.CONFLICT,
                        "node 'n4' is a member already");
                assertRefused(() -> membership.add("n5", n4Address), MembershipException.Reason.CONFLICT,
                        "address " + n4Address + " is member 'n4''s already");
                assertRefused(() -> membership.add("n5", "nowhere"), MembershipException.Reason.BAD_REQUEST,
                        "address 'nowhere' of node 'n5' is not HOST:PORT");
                assertRefused(() -> membership.add("n 5", "127.0.0.1:1"), MembershipException.Reason.BAD_REQUEST,
                        "node id 'n 5' must be");
                String nobody = "127.0.0.1:" + LocalCluster.port();
                assertRefused(() -> membership.add("n5", nobody),
                        MembershipException.Reason.UNAVAILABLE, "does not answer as a Rewind cluster node");
                assertRefused(() -> membership.remove("n9"), MembershipException.Reason.NOT_FOUND,
                        "node 'n9' is not a member");
                // A node of another cluster (here one of its own, started with --cluster) is not taken in.
                String otherAddress = "127.0.0.1:" + LocalCluster.port();
                try (ClusterEventStore other = ClusterEventStore.start(new ClusterConfig("n5", Map.of("n5",
                        otherAddress), root.resolve("n5.raft"), LocalCluster.ELECTION_MIN, LocalCluster.ELECTION_MAX),
                        LogEventStore.open(LogConfig.builder(root.resolve("n5")).build()))) {
                    other.append("elsewhere", ExpectedVersion.any(), event("x"));
                    assertRefused(() -> membership.add("n5", otherAddress), MembershipException.Reason.CONFLICT,
                            "node 'n5' at " + otherAddress + " holds the configuration of another cluster (of which it"
                                    + " is the only member)");
                }
                assertThat(membership.status().members()).hasSize(4);

                // Remove a follower (through n4); the others go on acknowledging appends.
                int follower = followerIndex(cluster);
                String followerId = "n" + (follower + 1);
                ClusterStatus withoutFollower = n4.membership().remove(followerId);
                assertThat(withoutFollower.member(followerId)).isEmpty();
                assertThat(withoutFollower.members()).hasSize(3);
                cluster.stopNode(follower);
                for (ClusterEventStore node : survivors(cluster, n4)) {
                    node.append("after-follower", ExpectedVersion.any(), event("f"));
                }

                // Remove the leader (through a follower): leadership moves, appends go on.
                int leader = leaderIndex(cluster);
                String leaderId = "n" + (leader + 1);
                ClusterEventStore asker = survivors(cluster, n4).stream().filter(n -> n != cluster.node(leader))
                        .findFirst().orElseThrow();
                ClusterStatus withoutLeader = asker.membership().remove(leaderId);
                assertThat(withoutLeader.member(leaderId)).isEmpty();
                assertThat(withoutLeader.members()).hasSize(2);
                cluster.stopNode(leader);
                List<ClusterEventStore> rest = survivors(cluster, n4);
                assertThat(rest).hasSize(2);
                for (ClusterEventStore node : rest) {
                    node.append("after-leader", ExpectedVersion.any(), event("l"));
                }
                Await.until(() -> {
                    ClusterStatus status = rest.get(0).membership().status();
                    return status.leader().isPresent() && !status.leader().get().equals(leaderId)
                            && caughtUp(status, 2, 34);
                }, WAIT, () -> "a new leader and both members at 34: " + rest.get(0).membership().status());
                awaitSameLogs(rest, 35);

                // Down to one member, which still commits alone; the last one cannot be removed.
                String second = rest.get(1) == n4 ? "n4" : rest.get(1).config().nodeId();
                ClusterStatus alone = rest.get(0).membership().remove(second);
                assertThat(alone.members()).hasSize(1);
                ClusterEventStore last = rest.get(0);
                Await.until(() -> last.membership().status().members().get(0).role().equals("leader"), WAIT,
                        () -> "the last member leads: " + last.membership().status());
                assertThat(last.append("alone", ExpectedVersion.any(), event("x")).events().get(0).position())
                        .isEqualTo(35);
                assertRefused(() -> last.membership().remove(last.config().nodeId()),
                        MembershipException.Reason.CONFLICT, "the cluster's last member");
            }
        }
    }

    /**
     * Under mutual TLS the status and the changes go through the same TLS as the Raft traffic; a
     * joined node restarts from the configuration in its Raft log.
     */
    @Test
    void statusAndMembershipChangesWorkUnderMutualTls() throws Exception {
        ClusterCertificates ca = ClusterCertificates.createCa(root.resolve("ca"), "rewind-test-ca");
        Map<String, String> members = new LinkedHashMap<>();
        for (int i = 1; i <= 4; i++) {
            members.put("n" + i, "127.0.0.1:" + LocalCluster.port());
        }
        Map<String, String> firstThree = new LinkedHashMap<>(members);
        firstThree.remove("n4");
        List<ClusterEventStore> nodes = new ArrayList<>();
        try {
            for (String id : firstThree.keySet()) {
                nodes.add(ClusterEventStore.start(new ClusterConfig(id, firstThree, root.resolve(id + ".raft"),
                        LocalCluster.ELECTION_MIN, LocalCluster.ELECTION_MAX),
                        LogEventStore.open(LogConfig.builder(root.resolve(id)).build()), ca.node(id)));
            }
            nodes.get(0).append("s", ExpectedVersion.any(), event("tls"));
            Await.until(() -> caughtUp(nodes.get(2).membership().status(), 3, 0), WAIT,
                    () -> "three members at 0 under TLS: " + nodes.get(2).membership().status());
            ClusterTls n4Tls = ca.node("n4");
            nodes.add(ClusterEventStore.start(new ClusterConfig("n4", members, root.resolve("n4.raft"),
                    LocalCluster.ELECTION_MIN, LocalCluster.ELECTION_MAX),
                    LogEventStore.open(LogConfig.builder(root.resolve("n4")).build()), n4Tls, true));
            assertThat(nodes.get(1).membership().add("n4", members.get("n4")).member("n4")).isPresent();
            Await.until(() -> caughtUp(nodes.get(3).membership().status(), 4, 0), WAIT,
                    () -> "n4 caught up under TLS: " + nodes.get(3).membership().status());
            // Restarted with the same --join, the node takes the configuration from its Raft log.
            nodes.get(3).close();
            nodes.get(0).append("s", ExpectedVersion.any(), event("while n4 is down"));
            nodes.set(3, ClusterEventStore.start(new ClusterConfig("n4", members, root.resolve("n4.raft"),
                    LocalCluster.ELECTION_MIN, LocalCluster.ELECTION_MAX),
                    LogEventStore.open(LogConfig.builder(root.resolve("n4")).build()), n4Tls, true));
            Await.until(() -> caughtUp(nodes.get(3).membership().status(), 4, 1), WAIT,
                    () -> "n4 restarted and caught up: " + nodes.get(3).membership().status());
            String leader = nodes.get(0).membership().status().leader().orElseThrow();
            ClusterStatus without = nodes.get(3).membership().remove(leader);
            assertThat(without.member(leader)).isEmpty();
            ClusterEventStore survivor = nodes.get(3);
            assertThat(survivor.append("s", ExpectedVersion.any(), event("after")).events().get(0).position())
                    .isEqualTo(2);
        } finally {
            List<Thread> closing = new ArrayList<>();
            for (ClusterEventStore node : nodes) {
                Thread thread = new Thread(node::close, "close-" + node.config().nodeId());
                thread.start();
                closing.add(thread);
            }
            for (Thread thread : closing) {
                thread.join(60_000);
            }
        }
    }

    private static List<ClusterEventStore> survivors(LocalCluster cluster, ClusterEventStore n4) {
        List<ClusterEventStore> survivors = new ArrayList<>(cluster.running());
        survivors.add(n4);
        return survivors;
    }

    private static void assertRefused(Runnable call, MembershipException.Reason reason, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(MembershipException.class,
                e -> assertThat(e.reason()).isEqualTo(reason)).hasMessageContaining(message);
    }

    private static List<String> addresses(LocalCluster cluster, String... ids) {
        List<String> addresses = new ArrayList<>();
        for (String id : ids) {
            addresses.add(cluster.members().get(id));
        }
        return addresses;
    }

    /** True when the status lists {@code size} members, each answering at {@code position}, with one leader. */
    private static boolean caughtUp(ClusterStatus status, int size, long position) {
        return status.members().size() == size
                && status.members().stream().filter(m -> m.role().equals("leader")).count() == 1
                && status.members().stream().allMatch(m -> m.appliedPosition().equals(Optional.of(position))
                        && m.eventsBehind().equals(Optional.of(0L)));
    }

    private static int leaderIndex(LocalCluster cluster) {
        Await.until(() -> indexOf(cluster, true) >= 0, WAIT, "a leader among the first three nodes");
        return indexOf(cluster, true);
    }

    private static int followerIndex(LocalCluster cluster) {
        leaderIndex(cluster);
        return indexOf(cluster, false);
    }

    private static int indexOf(LocalCluster cluster, boolean leader) {
        for (int i = 0; i < cluster.size(); i++) {
            if (cluster.node(i) != null && cluster.node(i).isLeader() == leader) {
                return i;
            }
        }
        return -1;
    }

    private static void awaitSameLogs(List<ClusterEventStore> nodes, int events) {
        Await.until(() -> nodes.stream().allMatch(n -> n.headPosition() == events - 1), WAIT,
                () -> "every node holds " + events + " events: " + nodes.stream().map(ClusterEventStore::headPosition)
                        .toList());
        List<RecordedEvent> first = all(nodes.get(0));
        for (ClusterEventStore node : nodes) {
            assertThat(all(node)).usingRecursiveFieldByFieldElementComparator().isEqualTo(first);
        }
    }

    private static List<RecordedEvent> all(ClusterEventStore node) {
        return node.readAll(ReadOptions.from(0, Direction.FORWARD).withMaxEvents(1000)
                .withMaxBytes(ReadOptions.NO_BYTE_LIMIT)).events();
    }

    private static EventData event(String text) {
        return EventData.of("t", text.getBytes(StandardCharsets.UTF_8));
    }
}
