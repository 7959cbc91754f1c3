package io.rewind.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.WrongExpectedVersionException;
import io.rewind.log.RecordedAppend;
import io.rewind.testkit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ratis purges only what every member committed, so a node stopped while the others write (and
 * snapshot) far past it catches up from the Raft log the others kept for it; a node that comes
 * back with an empty directory after the others purged their logs is brought up to date by
 * copying the events from the leader (not by replaying the Raft log); it serves reads while it
 * catches up; a multi-event append at a page boundary arrives whole; afterwards it applies the log
 * after the snapshot, and idempotency and refusals hold through it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CatchUpByCopyTest {

    private static final Logger LOG = LoggerFactory.getLogger(CatchUpByCopyTest.class);
    /**
     * Snapshots every 32 entries, purge 8 past the last one, 16 KiB Raft segments, and copy pages
     * of 2 KiB: smaller than the test's six-event appends (6 x 400 bytes), so pages end at them.
     */
    private static final SnapshotPolicy BY_ENTRIES = new SnapshotPolicy(32, 1L << 40, 8, 16 * 1024, 2048);
    /** The same, with snapshots asked for by the node every 8 KiB of entries applied instead. */
    private static final SnapshotPolicy BY_BYTES = new SnapshotPolicy(1L << 40, 8 * 1024, 8, 16 * 1024, 2048);
    private static final int MULTI = 6;

    @TempDir
    Path root;

    @AfterEach
    void defaultSnapshots() {
        SnapshotPolicy.override(null);
    }

    @Test
    void aNodeStoppedFarBehindCatchesUpFromTheRaftLogTheOthersKeptForIt() throws Exception {
        SnapshotPolicy.override(BY_ENTRIES);
        catchUp(false);
    }

    @Test
    void aNodeWithAnEmptyDirectoryCatchesUpByCopyWithSnapshotsTakenByBytes() throws Exception {
        SnapshotPolicy.override(BY_BYTES);
        catchUp(true);
    }

    /**
     * A node whose store is not a prefix of the leader's (here: another log's events, and no Raft
     * directory) is not "caught up" on top of what it holds: the leader refuses the copy, the node
     * keeps its own events and says why.
     */
    @Test
    void aNodeWhoseStoreDivergedIsNotCopiedOnto() throws Exception {
        SnapshotPolicy.override(BY_ENTRIES);
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            Writer writer = new Writer();
            for (int i = 0; i < 20; i++) {
                writer.append(cluster.node(0), i);
            }
            writer.drain();
            awaitSameLogs(cluster);
            Await.until(() -> leader(cluster) >= 0, Duration.ofSeconds(30), "a leader");
            int leader = leader(cluster);
            int behind = (leader + 1) % 3;
            String behindId = "n" + (behind + 1);
            int written = 20;
            while (written < 200 || firstRaftIndex(cluster) <= 1) {
                assertThat(written).as("appends written before the nodes purged").isLessThan(6000);
                for (int i = 0; i < 50; i++) {
                    writer.append(cluster.node(leader), written++);
                }
                writer.drain();
            }
            cluster.stopNode(behind);
            deleteRecursively(root.resolve(behindId));
            deleteRecursively(root.resolve(behindId + ".raft"));
            List<RecordedEvent> foreign;
            try (io.rewind.log.LogEventStore other = io.rewind.log.LogEventStore.open(
                    io.rewind.log.LogConfig.builder(root.resolve(behindId)).build())) {
                for (int i = 0; i < 5; i++) {
                    other.append(AppendRequest.to("foreign", ExpectedVersion.any(), EventData.of(UUID.randomUUID(),
                            "t", new byte[] {(byte) i})));
                }
                foreign = other.readAll(0, Direction.FORWARD, 100);
            }
            // Removed and added back with what it holds now (as a node that lost its data is).
            ClusterMembership membership = cluster.node(leader).membership();
            membership.remove(behindId);
            ClusterEventStore node = cluster.startJoining(behind);
            String address = cluster.members().get(behindId);
            CompletableFuture<ClusterStatus> added = CompletableFuture.supplyAsync(() -> membership.add(behindId,
                    address));
            CatchUp.Stats stats = node.stateMachine().catchUpStats();
            Await.until(() -> stats.failures.get() > 0, Duration.ofSeconds(60), "a refused copy");
            // However the change ends (it cannot complete while the node cannot catch up), it ends.
            added.handle((status, failure) -> null).get(90, TimeUnit.SECONDS);
            assertThat(stats.lastFailure).contains("not a prefix");
            assertThat(stats.copies.get()).isZero();
            assertThat(readAll(node)).as("the diverged node's own events, untouched").isEqualTo(foreign);
        }
    }

    private void catchUp(boolean wipe) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            Writer writer = new Writer();
            for (int i = 0; i < 20; i++) {
                writer.append(cluster.node(i % 3), i);
            }
            writer.drain();
            awaitSameLogs(cluster);
            Await.until(() -> leader(cluster) >= 0, Duration.ofSeconds(30), "a leader");
            int leader = leader(cluster);
            int behind = (leader + 1) % 3;
            String behindId = "n" + (behind + 1);
            ClusterEventStore writeTo = cluster.node(leader);
            int written = 20;
            // With every node up, write until every node purged its Raft log past its first entries
            // (Ratis purges only what every member committed), bounded.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (written < 200 || firstRaftIndex(cluster) <= 1) {
                assertThat(System.nanoTime()).as("every node purges its log within 40 s (they start at "
                        + firstRaftIndex(cluster) + ")").isLessThan(deadline);
                assertThat(written).as("appends written before the nodes purged").isLessThan(6000);
                for (int i = 0; i < 50; i++) {
                    writer.append(writeTo, written++);
                }
                writer.drain();
            }
            awaitSameLogs(cluster);
            long indexWhenStopped = cluster.node(behind).appliedIndex();
            long headWhenStopped = cluster.node(behind).headPosition();
            cluster.stopNode(behind);
            // Then far behind it: 400 appends more, and their snapshots.
            for (int i = 0; i < 400; i++) {
                writer.append(writeTo, written++);
            }
            writer.drain();
            long purgedUpTo = firstRaftIndex(cluster) - 1;
            List<RecordedEvent> expected = readAll(writeTo);
            LOG.info("{} appends ({} events) written; the running nodes' Raft logs start after index {}, {} had applied"
                    + " index {}", written, expected.size(), purgedUpTo, behindId, indexWhenStopped);
            assertThat(purgedUpTo).as("what the running nodes purged").isPositive();

            if (!wipe) {
                // The others kept every entry it lacks (never purged past what it committed): it
                // catches up from the Raft log, not by copy.
                ClusterEventStore node = cluster.startNode(behind);
                awaitSameLogs(cluster);
                assertSameAppendBoundaries(cluster);
                assertThat(node.stateMachine().catchUpStats().copies.get()).as("copies").isZero();
                assertThat(node.stateMachine().entriesApplied()).as("entries applied from the Raft log since the"
                        + " restart").isPositive();
                return;
            }
            // A node that lost its data cannot come back under its old membership: the others
            // remember what it acknowledged (Raft's match index) and never send it less. It is
            // removed and added back as a new member with empty directories (as etcd asks).
            deleteRecursively(root.resolve(behindId));
            deleteRecursively(root.resolve(behindId + ".raft"));
            headWhenStopped = -1;
            ClusterMembership membership = cluster.node(leader).membership();
            membership.remove(behindId);
            ClusterEventStore node = cluster.startJoining(behind);
            String address = cluster.members().get(behindId);
            CompletableFuture<ClusterStatus> added = CompletableFuture.supplyAsync(() -> membership.add(behindId,
                    address));
            RewindStateMachine machine = node.stateMachine();
            long lastPosition = expected.size() - 1;

            // Reads while it catches up: each answers, from what the node holds, the leader's events.
            AtomicInteger readsDuringCopy = new AtomicInteger();
            AtomicInteger reads = new AtomicInteger();
            AtomicReference<String> wrongRead = new AtomicReference<>();
            AtomicBoolean caughtUp = new AtomicBoolean();
            long readDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!caughtUp.get() && System.nanoTime() < readDeadline) {
                boolean copying = machine.catchUpStats().inProgress;
                List<RecordedEvent> tail = node.readAll(ReadOptions.from(Long.MAX_VALUE, Direction.BACKWARD)
                        .withMaxEvents(20)).events();
                reads.incrementAndGet();
                if (copying) {
                    readsDuringCopy.incrementAndGet();
                }
                for (RecordedEvent event : tail) {
                    if (!event.equals(expected.get((int) event.position()))) {
                        wrongRead.compareAndSet(null, "position " + event.position() + " read " + event);
                    }
                }
                caughtUp.set(!tail.isEmpty() && tail.get(0).position() == lastPosition
                        && machine.catchUpStats().copies.get() > 0);
                Thread.sleep(1); // pacing the sampler on a shared machine, not waiting for a condition
            }
            assertThat(caughtUp).as(behindId + " caught up within 60 s").isTrue();
            assertThat(added.get(60, TimeUnit.SECONDS).members()).as("members once " + behindId + " is back")
                    .hasSize(3);
            assertThat(wrongRead.get()).as("a read on " + behindId + " while it caught up").isNull();
            LOG.info("{} reads on {} while it caught up, {} of them during the copy; copy: {} pages, {} appends,"
                    + " {} events, {} bytes", reads.get(), behindId, readsDuringCopy.get(),
                    machine.catchUpStats().pages.get(), machine.catchUpStats().appends.get(),
                    machine.catchUpStats().events.get(), machine.catchUpStats().bytes.get());
            assertThat(readsDuringCopy.get()).as("reads answered while the copy ran").isPositive();

            // It was brought up to date by copy, not by replaying the Raft log.
            CatchUp.Stats stats = machine.catchUpStats();
            assertThat(stats.copies.get()).isGreaterThanOrEqualTo(1);
            assertThat(stats.events.get()).as("events copied").isEqualTo(lastPosition - headWhenStopped);
            assertThat(stats.lastInstalled.index()).isGreaterThanOrEqualTo(purgedUpTo);
            assertThat(machine.entriesApplied()).as("entries applied from the Raft log since the restart").isZero();
            awaitSameLogs(cluster);
            assertSameAppendBoundaries(cluster);

            // Every page of the copy began and ended at an append boundary, and some began with a
            // multi-event append that did not fit the rest of the page before it: it arrived whole.
            List<RecordedAppend> appends = cluster.node(leader).stateMachine().store()
                    .readAppends(0, Long.MAX_VALUE, Long.MAX_VALUE);
            Set<Long> starts = new HashSet<>();
            Set<Long> ends = new HashSet<>();
            Set<Long> multiStarts = new HashSet<>();
            for (RecordedAppend append : appends) {
                starts.add(append.firstPosition());
                ends.add(append.lastPosition());
                if (append.size() == MULTI) {
                    multiStarts.add(append.firstPosition());
                }
            }
            int pagesStartingWithMulti = 0;
            for (long[] page : stats.pageRanges()) {
                assertThat(starts).as("a page starts at an append's start").contains(page[0]);
                assertThat(ends).as("a page ends at an append's end").contains(page[1]);
                pagesStartingWithMulti += multiStarts.contains(page[0]) ? 1 : 0;
            }
            assertThat(pagesStartingWithMulti).as("pages that begin with a six-event append").isPositive();

            // After the copy: the log after the snapshot applies, idempotency and refusals hold.
            AppendRequest retry = writer.requests.get(writer.requests.size() - 7);
            AppendResult original = writer.results.get(writer.requests.size() - 7);
            assertThat(node.appendAsync(retry).get(30, TimeUnit.SECONDS).events())
                    .as("a retry through " + behindId + " is answered with the original events")
                    .isEqualTo(original.events());
            assertThatThrownBy(() -> node.append("s-1", ExpectedVersion.exactly(0), EventData.of("t", new byte[1])))
                    .isInstanceOf(WrongExpectedVersionException.class);
            for (int i = 0; i < 30; i++) {
                writer.append(node, written++);
            }
            writer.drain();
            awaitSameLogs(cluster);
            assertThat(readAll(node)).hasSize(expected.size() + writer.eventsOfLast(30));

            // A clean restart after the copy starts from the installed checkpoint plus what followed.
            cluster.stopNode(behind);
            ClusterEventStore again = cluster.startNode(behind);
            writer.append(cluster.node(leader), written++);
            writer.drain();
            awaitSameLogs(cluster);
            assertThat(again.stateMachine().catchUpStats().copies.get()).as("no second copy").isZero();
            assertSameAppendBoundaries(cluster);
        }
    }

    /** Appends with 8 in flight; every 10th is a six-event append, every 7th has a refused twin. */
    private static final class Writer {
        final List<AppendRequest> requests = new ArrayList<>();
        final List<AppendResult> results = new ArrayList<>();
        private final List<CompletableFuture<AppendResult>> pending = new ArrayList<>();
        private final Semaphore room = new Semaphore(8);

        void append(ClusterEventStore node, int i) throws InterruptedException {
            List<EventData> events = new ArrayList<>();
            int count = i % 10 == 5 ? MULTI : 1;
            for (int e = 0; e < count; e++) {
                events.add(EventData.of(UUID.randomUUID(), "t" + e, new byte[count == 1 ? 40 + i % 50 : 400]));
            }
            AppendRequest request = AppendRequest.builder().append("s-" + (i % 7), ExpectedVersion.any(), events)
                    .build();
            assertThat(room.tryAcquire(30, TimeUnit.SECONDS)).as("room for append " + i).isTrue();
            CompletableFuture<AppendResult> future = node.appendAsync(request);
            future.whenComplete((r, f) -> room.release());
            requests.add(request);
            pending.add(future);
            if (i % 7 == 3) {
                assertThat(room.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
                CompletableFuture<AppendResult> refused = node.appendAsync(AppendRequest.to("s-" + (i % 7),
                        ExpectedVersion.noStream(), EventData.of(UUID.randomUUID(), "refused", new byte[3])));
                refused.whenComplete((r, f) -> room.release());
            }
        }

        void drain() throws Exception {
            for (CompletableFuture<AppendResult> future : pending) {
                results.add(future.get(30, TimeUnit.SECONDS));
            }
            pending.clear();
        }

        int eventsOfLast(int n) {
            int events = 0;
            for (int i = requests.size() - n; i < requests.size(); i++) {
                events += requests.get(i).eventCount();
            }
            return events;
        }
    }

    /** The lowest first index of the running nodes' Raft logs. */
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

    static List<RecordedEvent> readAll(ClusterEventStore node) {
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

    private static void assertSameAppendBoundaries(LocalCluster cluster) {
        List<List<Integer>> sizes = new ArrayList<>();
        for (ClusterEventStore node : cluster.running()) {
            sizes.add(node.stateMachine().store().readAppends(0, Long.MAX_VALUE, Long.MAX_VALUE).stream()
                    .map(RecordedAppend::size).toList());
        }
        for (List<Integer> each : sizes) {
            assertThat(each).as("the append boundaries of every node").isEqualTo(sizes.get(0));
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
