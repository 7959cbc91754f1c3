package io.rewind.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.testkit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node restarted under its old membership (the same flags) with empty directories lost what it
 * had acknowledged: it is recognised from what the running members know of it, takes no part,
 * and removes and adds itself back: it is then up to date, by copy (on a short history and after
 * the others purged), while the others kept acknowledging. A member of a cluster
 * being created that starts after the others is not mistaken for one; two nodes of three wiped at
 * once wait without taking part.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LostDataTest {

    /** Snapshots every 32 entries, purge 8 past the last one, 16 KiB Raft segments, 2 KiB pages. */
    private static final SnapshotPolicy SMALL_SNAPSHOTS = new SnapshotPolicy(32, 1L << 40, 8, 16 * 1024, 2048);

    @TempDir
    Path root;

    @AfterEach
    void defaultSnapshots() {
        SnapshotPolicy.override(null);
    }

    @Test
    void aWipedFollowerOnAShortHistoryBringsItselfBack() throws Exception {
        wipedFollower(false);
    }

    @Test
    void aWipedFollowerAfterTheOthersPurgedBringsItselfBackByCopy() throws Exception {
        SnapshotPolicy.override(SMALL_SNAPSHOTS);
        wipedFollower(true);
    }

    private void wipedFollower(boolean purged) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            List<CompletableFuture<AppendResult>> acknowledged = new ArrayList<>();
            Await.until(() -> leader(cluster) >= 0, Duration.ofSeconds(30), "a leader");
            for (int i = 0; i < 30; i++) {
                acknowledged.add(cluster.node(i % 3).appendAsync(append(i)));
            }
            awaitAll(acknowledged);
            int written = 30;
            if (purged) {
                // Write until every node purged its Raft log past its first entries (bounded).
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (firstRaftIndex(cluster) <= 1) {
                    assertThat(System.nanoTime()).as("every node purges within 60 s").isLessThan(deadline);
                    for (int i = 0; i < 50; i++) {
                        acknowledged.add(cluster.node(leader(cluster) >= 0 ? leader(cluster) : 0)
                                .appendAsync(append(written++)));
                    }
                    awaitAll(acknowledged);
                }
            }
            awaitSameLogs(cluster);
            int leader = leader(cluster);
            int behind = (leader + 1) % 3;
            int other = (leader + 2) % 3;
            String behindId = "n" + (behind + 1);
            String address = cluster.members().get(behindId);
            cluster.stopNode(behind);
            deleteRecursively(root.resolve(behindId));
            deleteRecursively(root.resolve(behindId + ".raft"));

            // The others acknowledge on while it is away.
            for (int i = 0; i < 20; i++) {
                acknowledged.add(cluster.node(i % 2 == 0 ? leader : other).appendAsync(append(written++)));
            }
            awaitAll(acknowledged);

            // Restarted with the same flags: it finds that it lost its data and brings itself back.
            ClusterEventStore node = cluster.startNode(behind);
            Rejoin rejoin = node.rejoin();
            assertThat(rejoin).as(behindId + " recognised that it lost its data").isNotNull();
            assertThat(Rejoin.underWay(root.resolve(behindId + ".raft"))).as("the rejoin's marker").isTrue();
            // The others keep acknowledging while it comes back.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!rejoin.added()) {
                assertThat(System.nanoTime()).as(behindId + " back within 90 s (" + rejoin.failures()
                        + " failed attempts, last: " + rejoin.lastFailure() + ")").isLessThan(deadline);
                int to = leader(cluster) >= 0 && leader(cluster) != behind ? leader(cluster) : other;
                acknowledged.add(cluster.node(to).appendAsync(append(written++)));
                acknowledged.get(acknowledged.size() - 1).get(30, TimeUnit.SECONDS);
            }
            assertThat(rejoin.removed()).isTrue();
            assertThat(Rejoin.underWay(root.resolve(behindId + ".raft"))).as("the marker once back").isFalse();
            assertThat(node.membership().status().members()).as("members once " + behindId + " is back").hasSize(3);
            awaitAll(acknowledged);
            awaitSameLogs(cluster);
            List<RecordedEvent> log = readAll(node);
            assertThat(log).as("the log of " + behindId).hasSize(acknowledged.stream().mapToInt(f -> f.join()
                    .events().size()).sum());
            for (CompletableFuture<AppendResult> result : acknowledged) {
                for (AppendResult.Written w : result.join().events()) {
                    assertThat(log.get((int) w.position()).id()).as("acknowledged event at " + w.position())
                            .isEqualTo(w.id());
                }
            }
            // Brought up to date by copy, not by replaying the Raft log from its start: Ratis tells a
            // member being added to install a snapshot first (whether or not the leader purged).
            CatchUp.Stats stats = node.stateMachine().catchUpStats();
            assertThat(stats.copies.get()).as("copies onto " + behindId).isGreaterThanOrEqualTo(1);
            assertThat(stats.pageRanges().get(0)[0]).as("the first event copied").isZero();
            assertThat(stats.events.get()).as("events copied").isPositive()
                    .isLessThanOrEqualTo(stats.lastInstalled.nextPosition());
            // New appends through it agree everywhere.
            AppendResult after = node.appendAsync(append(written++)).get(30, TimeUnit.SECONDS);
            awaitSameLogs(cluster);
            assertThat(readAll(cluster.node(leader)).get((int) after.lastPosition()).id())
                    .isEqualTo(after.events().get(0).id());
        }
    }

    /**
     * A node stopped after its removal was committed and before it was added back (its marker was
     * written): restarted, it goes on with the add, although no member lists it any more.
     */
    @Test
    void aNodeStoppedHalfWayThroughItsRejoinGoesOn() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            List<CompletableFuture<AppendResult>> acknowledged = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                acknowledged.add(cluster.node(0).appendAsync(append(i)));
            }
            awaitAll(acknowledged);
            awaitSameLogs(cluster);
            cluster.stopNode(2);
            deleteRecursively(root.resolve("n3"));
            deleteRecursively(root.resolve("n3.raft"));
            // Where the rejoin had got to: the marker written, the removal committed.
            Files.createDirectories(root.resolve("n3.raft"));
            Rejoin.markUnderWay(new ClusterConfig("n3", cluster.members(), root.resolve("n3.raft")));
            cluster.node(0).membership().remove("n3");

            ClusterEventStore node = cluster.startNode(2);

            assertThat(node.rejoin()).as("the rejoin goes on").isNotNull();
            Await.until(() -> node.rejoin().added(), Duration.ofSeconds(90), () -> "n3 back: " + node.rejoin());
            assertThat(Rejoin.underWay(root.resolve("n3.raft"))).as("the marker once back").isFalse();
            acknowledged.add(node.appendAsync(append(20)));
            awaitAll(acknowledged);
            awaitSameLogs(cluster);
            assertThat(readAll(node)).hasSize(21);
            assertThat(node.stateMachine().catchUpStats().copies.get()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void aNewClusterWhoseThirdNodeStartsLateFormsNormally() throws Exception {
        // A server's election timeouts: two of three nodes on a loaded machine keep their leader.
        try (LocalCluster cluster = LocalCluster.create(root, 3, ClusterConfig.DEFAULT_ELECTION_TIMEOUT_MIN,
                ClusterConfig.DEFAULT_ELECTION_TIMEOUT_MAX)) {
            cluster.startNode(0);
            cluster.startNode(1);
            Await.until(() -> cluster.node(0).isLeader() || cluster.node(1).isLeader(), Duration.ofSeconds(30),
                    "a leader of the first two nodes");
            List<CompletableFuture<AppendResult>> acknowledged = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                acknowledged.add(cluster.node(i % 2).appendAsync(append(i)));
            }
            awaitAll(acknowledged);
            ClusterEventStore late = cluster.startNode(2);
            acknowledged.add(late.appendAsync(append(20)));
            awaitAll(acknowledged);
            awaitSameLogs(cluster);
            assertThat(readAll(late)).hasSize(acknowledged.stream().mapToInt(f -> f.join().events().size()).sum());
            assertThat(late.membership().status().members()).hasSize(3);
            assertThat(late.rejoin()).as("the late member is not taken for one that lost its data").isNull();
        }
    }

    /**
     * Two of three nodes wiped at once: the one member with the data has no majority, so neither
     * can be removed; both wait, say why, take no part (they hold no configuration), and hold nothing.
     */
    @Test
    void twoNodesWipedAtOnceWaitWithoutTakingPart() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            List<CompletableFuture<AppendResult>> acknowledged = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                acknowledged.add(cluster.node(0).appendAsync(append(i)));
            }
            awaitAll(acknowledged);
            awaitSameLogs(cluster);
            List<RecordedEvent> kept = readAll(cluster.node(0));
            for (int i = 1; i < 3; i++) {
                cluster.stopNode(i);
                deleteRecursively(root.resolve("n" + (i + 1)));
                deleteRecursively(root.resolve("n" + (i + 1) + ".raft"));
            }
            ClusterEventStore second = cluster.startNode(1);
            ClusterEventStore third = cluster.startNode(2);
            assertThat(second.rejoin()).isNotNull();
            assertThat(third.rejoin()).isNotNull();
            Await.until(() -> second.rejoin().failures() >= 1 && third.rejoin().failures() >= 1,
                    Duration.ofSeconds(120), () -> "both fail to rejoin: " + second.rejoin() + ", " + third.rejoin());
            assertThat(second.rejoin().removed()).isFalse();
            assertThat(third.rejoin().removed()).isFalse();
            assertThat(second.headPosition()).isEqualTo(-1);
            assertThat(third.headPosition()).isEqualTo(-1);
            assertThat(second.isLeader() || third.isLeader()).as("a wiped node leads").isFalse();
            assertThat(readAll(cluster.node(0))).as("the data of the one node that has it").isEqualTo(kept);
        }
    }

    private static AppendRequest append(int i) {
        return AppendRequest.to("s-" + (i % 5), ExpectedVersion.any(),
                EventData.of(UUID.randomUUID(), "t", new byte[40 + i % 50]));
    }

    private static void awaitAll(List<CompletableFuture<AppendResult>> futures) throws Exception {
        for (CompletableFuture<AppendResult> future : futures) {
            future.get(30, TimeUnit.SECONDS);
        }
    }

    private static long firstRaftIndex(LocalCluster cluster) {
        return cluster.running().stream().mapToLong(node -> node.stateMachine().raftLogStartIndex()).min()
                .orElseThrow();
    }

    private static int leader(LocalCluster cluster) {
        for (int i = 0; i < cluster.size(); i++) {
            if (cluster.node(i) != null && cluster.node(i).isLeader()) {
                return i;
            }
        }
        return -1;
    }

    private static List<RecordedEvent> readAll(ClusterEventStore node) {
        List<RecordedEvent> all = new ArrayList<>();
        while (true) {
            List<RecordedEvent> page = node.readAll(ReadOptions.from(all.size(), Direction.FORWARD)
                    .withMaxEvents(5000).withMaxBytes(ReadOptions.NO_BYTE_LIMIT)).events();
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
        }
    }

    private static void awaitSameLogs(LocalCluster cluster) {
        List<ClusterEventStore> nodes = cluster.running();
        Await.until(() -> nodes.stream().mapToLong(ClusterEventStore::headPosition).distinct().count() == 1,
                Duration.ofSeconds(60), () -> "every node at the same head: " + nodes.stream()
                        .map(n -> n.config().nodeId() + "=" + n.headPosition()).toList());
        List<RecordedEvent> first = readAll(nodes.get(0));
        for (ClusterEventStore node : nodes) {
            assertThat(readAll(node)).as("the log of " + node.config().nodeId()).isEqualTo(first);
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
