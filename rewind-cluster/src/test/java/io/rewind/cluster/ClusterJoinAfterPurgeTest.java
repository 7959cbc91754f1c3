package io.rewind.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.log.RecordedAppend;
import io.rewind.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node that joins ({@code join}, empty directories) a cluster whose Raft logs were already
 * purged past index 1 is brought up to date by copying the events from the leader, then applies
 * the log like any member; and a node added while a writer keeps appending through another node
 * ends with every acknowledged append, once, in order.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterJoinAfterPurgeTest {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterJoinAfterPurgeTest.class);
    /** Snapshots every 32 entries, purge 8 past the last one, 16 KiB Raft segments, 2 KiB copy pages. */
    private static final SnapshotPolicy SMALL = new SnapshotPolicy(32, 1L << 40, 8, 16 * 1024, 2048);
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path root;

    @AfterEach
    void defaultSnapshots() {
        SnapshotPolicy.override(null);
    }

    @Test
    void aNodeJoiningAfterThePurgeIsCopiedThenAppliesTheLogAndRestartsWithoutASecondCopy() throws Exception {
        SnapshotPolicy.override(SMALL);
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            int written = writeUntilPurged(cluster);
            List<RecordedEvent> expected = CatchUpByCopyTest.readAll(cluster.node(0));
            assertThat(expected).hasSize(written);
            long purgedUpTo = firstRaftIndex(cluster.running()) - 1;
            LOG.info("{} events written; every node's Raft log starts after index {}", written, purgedUpTo);

            String n4Address = "127.0.0.1:" + LocalCluster.port();
            Map<String, String> joinMembers = new LinkedHashMap<>(cluster.members());
            joinMembers.put("n4", n4Address);
            ClusterEventStore n4 = startJoining(joinMembers);
            try {
                assertThat(n4.headPosition()).isEqualTo(-1);
                ClusterStatus added = cluster.node(1).membership().add("n4", n4Address);
                assertThat(added.member("n4")).isPresent();
                Await.until(() -> n4.headPosition() == written - 1, WAIT,
                        () -> "n4 caught up: head " + n4.headPosition() + ", copy " + n4.stateMachine().catchUpStats()
                                .lastFailure);

                // It was brought up to date by copy: every event came in the copy, none from the Raft log.
                CatchUp.Stats stats = n4.stateMachine().catchUpStats();
                assertThat(stats.copies.get()).as("copies into n4").isGreaterThanOrEqualTo(1);
                assertThat(stats.events.get()).as("events copied into n4").isEqualTo(written);
                assertThat(stats.lastInstalled.index()).isGreaterThanOrEqualTo(purgedUpTo);
                List<ClusterEventStore> all = new ArrayList<>(cluster.running());
                all.add(n4);
                assertSameLogs(all, written);

                // It takes appends of its own, applied from the Raft log after the copy.
                for (int i = 0; i < 20; i++) {
                    n4.append("after-join", ExpectedVersion.any(), EventData.of("t", new byte[] {(byte) i}));
                }
                assertSameLogs(all, written + 20);
                Await.until(() -> n4.membership().status().members().size() == 4, WAIT,
                        () -> "n4 sees four members: " + n4.membership().status());
            } finally {
                n4.close();
            }

            // A clean restart (same join list; the configuration comes from its Raft log): no second copy.
            cluster.node(0).append("while-n4-down", ExpectedVersion.any(), EventData.of("t", new byte[1]));
            ClusterEventStore again = startJoining(joinMembers);
            try {
                List<ClusterEventStore> all = new ArrayList<>(cluster.running());
                all.add(again);
                again.append("after-restart", ExpectedVersion.any(), EventData.of("t", new byte[2]));
                assertSameLogs(all, written + 22);
                assertThat(again.stateMachine().catchUpStats().copies.get()).as("copies after the restart").isZero();
                assertThat(again.stateMachine().catchUpStats().failures.get()).isZero();
            } finally {
                again.close();
            }
        }
    }

    @Test
    void aNodeAddedWhileAppendsFlowEndsWithEveryAcknowledgedAppendOnceInOrder() throws Exception {
        SnapshotPolicy.override(SMALL);
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            int before = writeUntilPurged(cluster);
            String n4Address = "127.0.0.1:" + LocalCluster.port();
            Map<String, String> joinMembers = new LinkedHashMap<>(cluster.members());
            joinMembers.put("n4", n4Address);
            ClusterEventStore n4 = startJoining(joinMembers);

            // One writer, one append at a time, through n1: what it acknowledged, in the order it did.
            List<AppendResult.Written> acknowledged = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger unacknowledged = new AtomicInteger();
            ClusterEventStore through = cluster.node(0);
            Thread writer = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                for (int i = 0; i < 20_000 && !stop.get() && System.nanoTime() < deadline; i++) {
                    try {
                        AppendResult result = through.append("flow-" + (i % 5), ExpectedVersion.any(),
                                EventData.of(UUID.randomUUID(), "t", new byte[60 + i % 40]));
                        acknowledged.addAll(result.events());
                    } catch (RuntimeException e) {
                        // Not acknowledged: it may or may not be in the log; the next append goes on.
                        unacknowledged.incrementAndGet();
                        LOG.warn("append {} through n1 not acknowledged: {}", i, e.toString());
                    }
                }
            }, "writer-n1");
            writer.start();
            try {
                Await.until(() -> acknowledged.size() >= 50, WAIT, "the writer appends before the add");
                ClusterStatus added = cluster.node(1).membership().add("n4", n4Address);
                assertThat(added.member("n4")).isPresent();
                int atAdd = acknowledged.size();
                Await.until(() -> acknowledged.size() >= atAdd + 100, WAIT, "100 appends acknowledged after the add");
            } finally {
                stop.set(true);
                writer.join(60_000);
            }
            try {
                assertThat(writer.isAlive()).as("the writer stopped").isFalse();
                LOG.info("{} appends acknowledged, {} not; n4 copy: {} copies, {} events, {} failures",
                        acknowledged.size(), unacknowledged.get(),
                        n4.stateMachine().catchUpStats().copies.get(), n4.stateMachine().catchUpStats().events.get(),
                        n4.stateMachine().catchUpStats().failures.get());
                assertThat(n4.stateMachine().catchUpStats().copies.get()).as("copies into n4").isPositive();
                List<ClusterEventStore> all = new ArrayList<>(cluster.running());
                all.add(n4);
                long head = cluster.node(0).headPosition();
                Await.until(() -> all.stream().allMatch(n -> n.headPosition() == head), WAIT,
                        () -> "every node at head " + head + ": " + all.stream().map(ClusterEventStore::headPosition)
                                .toList());
                for (ClusterEventStore node : all) {
                    List<RecordedEvent> log = CatchUpByCopyTest.readAll(node);
                    String id = node.config().nodeId();
                    Set<UUID> ids = new HashSet<>();
                    for (RecordedEvent event : log) {
                        assertThat(ids.add(event.id())).as(id + ": event " + event.id() + " stored once").isTrue();
                    }
                    long previous = -1;
                    for (AppendResult.Written written : acknowledged) {
                        assertThat(written.position()).as("acknowledged in order").isGreaterThan(previous);
                        previous = written.position();
                        RecordedEvent stored = log.get((int) written.position());
                        assertThat(stored.id()).as(id + " at " + written.position()).isEqualTo(written.id());
                        assertThat(stored.stream()).isEqualTo(written.stream());
                        assertThat(stored.version()).isEqualTo(written.version());
                    }
                }
                // Nothing but the writer's appends after the first ones: the acknowledged, and at most
                // those the writer was not told about.
                assertThat(head + 1 - before).as("events after the first " + before)
                        .isBetween((long) acknowledged.size(), (long) acknowledged.size() + unacknowledged.get());
                assertSameLogs(all, (int) head + 1);
            } finally {
                n4.close();
            }
        }
    }

    /** Writes through the leader until every node's Raft log starts past index 1 (and some more); the events written. */
    private static int writeUntilPurged(LocalCluster cluster) {
        Await.until(() -> cluster.running().stream().anyMatch(ClusterEventStore::isLeader), WAIT, "a leader");
        ClusterEventStore leader = cluster.running().stream().filter(ClusterEventStore::isLeader).findFirst()
                .orElseThrow();
        int written = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (written < 300 || firstRaftIndex(cluster.running()) <= 1) {
            assertThat(System.nanoTime()).as("every node purges its Raft log past index 1 within 60 s (start "
                    + firstRaftIndex(cluster.running()) + ")").isLessThan(deadline);
            assertThat(written).as("events written before the nodes purged").isLessThan(6000);
            List<java.util.concurrent.CompletableFuture<AppendResult>> pending = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                pending.add(leader.appendAsync(io.rewind.api.AppendRequest.to("s-" + (written % 7),
                        ExpectedVersion.any(), EventData.of(UUID.randomUUID(), "t", new byte[40 + written % 50]))));
                written++;
            }
            for (java.util.concurrent.CompletableFuture<AppendResult> future : pending) {
                future.join();
            }
        }
        int total = written;
        Await.until(() -> cluster.running().stream().allMatch(n -> n.headPosition() == total - 1), WAIT,
                "every node holds the events written");
        return written;
    }

    private ClusterEventStore startJoining(Map<String, String> joinMembers) {
        LogEventStore local = LogEventStore.open(LogConfig.builder(root.resolve("n4")).build());
        return ClusterEventStore.start(new ClusterConfig("n4", joinMembers, root.resolve("n4.raft"),
                LocalCluster.ELECTION_MIN, LocalCluster.ELECTION_MAX), local, null, true);
    }

    private static long firstRaftIndex(List<ClusterEventStore> nodes) {
        return nodes.stream().mapToLong(node -> node.stateMachine().raftLogStartIndex()).min().orElseThrow();
    }

    /** Every node holds {@code events} events, the same event for event, in the same appends. */
    private static void assertSameLogs(List<ClusterEventStore> nodes, int events) {
        Await.until(() -> nodes.stream().allMatch(n -> n.headPosition() == events - 1), WAIT,
                () -> "every node holds " + events + " events: " + nodes.stream().map(ClusterEventStore::headPosition)
                        .toList());
        List<RecordedEvent> first = CatchUpByCopyTest.readAll(nodes.get(0));
        List<Integer> boundaries = appendSizes(nodes.get(0));
        for (ClusterEventStore node : nodes) {
            assertThat(CatchUpByCopyTest.readAll(node)).as("the log of " + node.config().nodeId()).isEqualTo(first);
            assertThat(appendSizes(node)).as("the append boundaries of " + node.config().nodeId())
                    .isEqualTo(boundaries);
        }
    }

    private static List<Integer> appendSizes(ClusterEventStore node) {
        return node.stateMachine().store().readAppends(0, Long.MAX_VALUE, Long.MAX_VALUE).stream()
                .map(RecordedAppend::size).toList();
    }
}
