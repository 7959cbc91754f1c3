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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partitions between the nodes of a three-node cluster, made by {@link LinkProxy}s on every link
 * ({@link ProxiedCluster}), while a writer appends through each node: the leader cut off (silently,
 * and with resets), the leader's links slow, the leader's links flapping. Whatever happens, every
 * append that any node acknowledged is, after healing, on all three nodes once, byte for byte, at
 * the position it was acknowledged with, and the three logs are identical. The times to a new
 * leader and to the healed node's catch-up are logged.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PartitionTest {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionTest.class);
    /** Appends each writer has in flight at most. */
    private static final int IN_FLIGHT = 8;
    /** Each writer's pace: the test is about correctness, not volume (a few thousand appends per cut). */
    private static final int APPENDS_PER_SECOND = 150;
    /** Bound on each writer's appends. */
    private static final int MAX_APPENDS = 20_000;
    private static final Duration LONG_WAIT = Duration.ofSeconds(60);
    /** Appends sent through the isolated node at once after the cut. */
    private static final int PROBES = 20;

    @TempDir
    Path root;

    @Test
    void aLeaderCutOffSilentlyAcknowledgesNothingAndRejoinsWithNothingLost() throws Exception {
        cutTheLeader("blackhole", LinkProxy::blackhole);
    }

    @Test
    void aLeaderCutOffByResetsAcknowledgesNothingAndRejoinsWithNothingLost() throws Exception {
        cutTheLeader("reset", LinkProxy::reset);
    }

    /**
     * The majority snapshots its state many times while the old leader is cut off. It must keep
     * in its Raft log what the old leader needs: the old leader's next index at the new leader is
     * the first entry of the new term, which starts a Raft log segment, so a purge of the old
     * term's segment leaves the leader's log starting exactly there with the entry before it gone.
     * With Ratis purging up to each snapshot, that left the healed node behind for good (Ratis
     * 3.2.2: the leader's appender to it died on "Previous TermIndex not found" and was never
     * restarted; 3.3.0: it was told to install a snapshot, copied the events, but Ratis never took
     * the install up while its own diverged entries were in its log). Now Ratis purges only what
     * every member committed, and the healed node catches up from the Raft log.
     */
    @Test
    void aLeaderCutOffWhileTheMajoritySnapshotsKeepsWhatItNeedsAndRejoins() throws Exception {
        SnapshotPolicy.override(new SnapshotPolicy(64, 1L << 40, 8, SnapshotPolicy.DEFAULT_RAFT_SEGMENT_BYTES,
                SnapshotPolicy.DEFAULT_COPY_PAGE_BYTES));
        try {
            snapshotting = true;
            cutTheLeader("blackhole, the majority snapshotting", LinkProxy::blackhole);
        } finally {
            SnapshotPolicy.override(null);
        }
    }

    /** Whether {@link #cutTheLeader} waits, during the cut, for the new leader to snapshot past the cut node. */
    private boolean snapshotting;

    private int cutTheLeader(String how, Consumer<LinkProxy> cut) throws Exception {
        try (ProxiedCluster cluster = ProxiedCluster.start(root, 3)) {
            int old = awaitLeader(cluster);
            List<Writer> writers = startWriters(cluster);
            try {
                awaitAcks(writers, 30, 0, "before the cut");
                cluster.linksOf(old, cut);
                long cutDone = System.nanoTime();
                long oldHeadAtCut = cluster.node(old).headPosition();
                // Appends sent through the isolated node for sure after the cut, whatever its writer's limit.
                writers.get(old).probe(PROBES);

                Await.until(() -> cluster.leaderOtherThan(old) >= 0, LONG_WAIT,
                        () -> "a leader among the majority after " + ProxiedCluster.id(old) + " was cut off (" + how + ")");
                long electedAt = System.nanoTime();
                int leader = cluster.leaderOtherThan(old);
                // Bytes read before the cut were all written by now (a cut link queues nothing new).
                long isolatedBytesAtElection = forwarded(cluster.linksOf(old));
                long majorityBytesAtElection = forwarded(cluster.linksNotOf(old));
                LOG.info("{}: {} cut off from the others; {} leads after {} ms", how, ProxiedCluster.id(old),
                        ProxiedCluster.id(leader), millis(electedAt - cutDone));

                // The majority keeps acknowledging: appends sent after the election, through both its nodes.
                List<Writer> majority = new ArrayList<>(writers);
                Writer isolated = majority.remove(old);
                for (Writer writer : majority) {
                    Await.until(() -> writer.ackedSubmittedAfter(electedAt) >= 100, LONG_WAIT,
                            () -> "100 appends through " + writer.name + " acknowledged after the election ("
                                    + writer.ackedSubmittedAfter(electedAt) + " so far, " + writer.failures.get()
                                    + " failed)");
                    LOG.info("{}: the first append sent through {} after the cut was acknowledged {} ms after the cut",
                            how, writer.name, millis(writer.firstAckOfSubmittedAfter(cutDone) - cutDone));
                }
                // The isolated node heard nothing of what the majority wrote since.
                long majorityHead = cluster.node(leader).headPosition();
                long isolatedHead = cluster.node(old).headPosition();
                assertThat(isolatedHead).as("the head of the isolated " + ProxiedCluster.id(old)).isLessThan(majorityHead);
                assertThat(majorityHead - oldHeadAtCut).as("events the majority stored during the cut")
                        .isGreaterThanOrEqualTo(200);
                LOG.info("{}: during the cut the majority stored {} events; the isolated node still says it leads: {}",
                        how, majorityHead - oldHeadAtCut, cluster.node(old).isLeader());
                // Every byte between the majority went through its proxies, and none reached or left the
                // isolated node: no path around the proxies (Ratis kept each node's own view of the addresses).
                assertThat(forwarded(cluster.linksOf(old))).as("bytes forwarded to and from the isolated node since"
                        + " the election").isEqualTo(isolatedBytesAtElection);
                assertThat(forwarded(cluster.linksNotOf(old))).as("bytes forwarded between the majority since the"
                        + " election").isGreaterThan(majorityBytesAtElection);

                if (snapshotting) {
                    // The writers still run: wait until the new leader snapshotted past what the cut
                    // node holds, and check it kept in its Raft log what that node will need.
                    long oldApplied = cluster.node(old).stateMachine().appliedIndex().applied().index();
                    RewindStateMachine leaderMachine = cluster.node(leader).stateMachine();
                    Await.until(() -> leaderMachine.getLatestSnapshot() != null
                            && leaderMachine.getLatestSnapshot().getIndex() > oldApplied, LONG_WAIT,
                            () -> "the new leader snapshots past index " + oldApplied + " during the cut");
                    assertThat(leaderMachine.raftLogStartIndex()).as("the new leader's Raft log start (the cut"
                            + " node applied up to " + oldApplied + ")").isLessThanOrEqualTo(oldApplied + 1);
                }
                long healAt = System.nanoTime();
                writers.forEach(Writer::stopSubmitting);
                cluster.heal();
                // No split brain: nothing sent through the isolated node after the cut was acknowledged before the heal.
                assertThat(isolated.submittedBetween(cutDone, healAt)).as("appends sent through the isolated node"
                        + " during the cut").isGreaterThanOrEqualTo(PROBES);
                assertThat(isolated.acksOf(cutDone, healAt)).as("appends sent through the isolated "
                        + isolated.name + " after the cut and acknowledged before the heal").isEmpty();
                LOG.info("{}: {} appends through the isolated node were sent during the cut, none acknowledged during"
                        + " it; {} failed", how, isolated.submittedBetween(cutDone, healAt), isolated.failures.get());

                Await.until(() -> cluster.node(old).headPosition() >= cluster.node(leader).headPosition(), LONG_WAIT,
                        () -> ProxiedCluster.id(old) + " catching up: at " + cluster.node(old).headPosition() + " of "
                                + cluster.node(leader).headPosition());
                LOG.info("{}: after healing, {} caught up {} events in {} ms", how, ProxiedCluster.id(old),
                        cluster.node(leader).headPosition() - isolatedHead, millis(System.nanoTime() - healAt));
                drain(writers);
                checkEverythingAcknowledgedIsEverywhere(cluster, writers);
                return old;
            } finally {
                writers.forEach(Writer::stopSubmitting);
                drain(writers);
            }
        }
    }

    @Test
    void slowLinksOfTheLeaderDelayAppendsButLoseNothing() throws Exception {
        try (ProxiedCluster cluster = ProxiedCluster.start(root, 3)) {
            int leader = awaitLeader(cluster);
            List<Writer> writers = startWriters(cluster);
            try {
                awaitAcks(writers, 30, 0, "before the links slow down");
                List<LinkProxy> links = cluster.linksOf(leader);
                for (int k = 0; k < links.size(); k++) {
                    links.get(k).delay(Duration.ofMillis(50 + 50 * (k % 4)));
                }
                long slowFrom = System.nanoTime();
                awaitAcks(writers, 100, slowFrom, "over the slow links");
                long slowUntil = System.nanoTime();
                for (Writer writer : writers) {
                    LOG.info("slow links: {} acknowledged {} appends in {} ms, slowest {} ms, {} failed", writer.name,
                            writer.acksOf(slowFrom, slowUntil).size(), millis(slowUntil - slowFrom),
                            millis(writer.slowestAck(slowFrom)), writer.failures.get());
                }
                LOG.info("slow links: {} leads now (was {})", ProxiedCluster.id(Math.max(cluster.leader(), 0)),
                        ProxiedCluster.id(leader));
                writers.forEach(Writer::stopSubmitting);
                cluster.heal();
                drain(writers);
                checkEverythingAcknowledgedIsEverywhere(cluster, writers);
            } finally {
                writers.forEach(Writer::stopSubmitting);
                drain(writers);
            }
        }
    }

    @Test
    void flappingLinksOfTheLeaderLoseNothing() throws Exception {
        try (ProxiedCluster cluster = ProxiedCluster.start(root, 3)) {
            int leader = awaitLeader(cluster);
            List<Writer> writers = startWriters(cluster);
            try {
                awaitAcks(writers, 30, 0, "before the links flap");
                // Cut for 2.5 s, then open for 2.5 s: a cut outlasts the election timeout (1-2 s), so
                // the others elect a leader of their own, and the flapping node rejoins between cuts.
                cluster.linksOf(leader, link -> link.flapping(Duration.ofMillis(2500)));
                long flapFrom = System.nanoTime();
                LinkProxy first = cluster.linksOf(leader).get(0);
                Set<String> leaders = new HashSet<>();
                Await.until(() -> {
                    for (int i = 0; i < cluster.size(); i++) {
                        if (cluster.node(i).isLeader()) {
                            leaders.add(ProxiedCluster.id(i));
                        }
                    }
                    return first.flaps() >= 6;
                }, LONG_WAIT, () -> "six flaps of " + first.name() + " (" + first.flaps() + " so far)");
                long flapUntil = System.nanoTime();
                int acked = 0;
                for (Writer writer : writers) {
                    acked += writer.acksOf(flapFrom, flapUntil).size();
                    LOG.info("flapping links: {} acknowledged {} appends in {} ms, {} failed", writer.name,
                            writer.acksOf(flapFrom, flapUntil).size(), millis(flapUntil - flapFrom), writer.failures.get());
                }
                LOG.info("flapping links: leaders seen while the links of {} flapped: {}", ProxiedCluster.id(leader),
                        leaders);
                assertThat(acked).as("appends acknowledged while the leader's links flapped").isGreaterThan(0);
                assertThat(cluster.linksOf(leader).stream().mapToLong(LinkProxy::droppedBytes).sum())
                        .as("bytes the flapping links dropped").isPositive();
                writers.forEach(Writer::stopSubmitting);
                long healAt = System.nanoTime();
                cluster.heal();
                awaitSameHeads(cluster);
                LOG.info("flapping links: every node at the same head {} ms after the links healed",
                        millis(System.nanoTime() - healAt));
                drain(writers);
                checkEverythingAcknowledgedIsEverywhere(cluster, writers);
            } finally {
                writers.forEach(Writer::stopSubmitting);
                drain(writers);
            }
        }
    }

    private static long forwarded(List<LinkProxy> links) {
        return links.stream().mapToLong(LinkProxy::forwardedBytes).sum();
    }

    private static int awaitLeader(ProxiedCluster cluster) {
        Await.until(() -> cluster.leader() >= 0, LONG_WAIT, "a first leader");
        return cluster.leader();
    }

    private static List<Writer> startWriters(ProxiedCluster cluster) {
        List<Writer> writers = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++) {
            Writer writer = new Writer("w-" + ProxiedCluster.id(i), cluster.node(i));
            writers.add(writer);
            writer.start();
        }
        return writers;
    }

    private static void awaitAcks(List<Writer> writers, int count, long submittedAfter, String when) {
        for (Writer writer : writers) {
            Await.until(() -> writer.ackedSubmittedAfter(submittedAfter) >= count, LONG_WAIT,
                    () -> count + " appends through " + writer.name + " acknowledged " + when + " ("
                            + writer.ackedSubmittedAfter(submittedAfter) + " so far, " + writer.failures.get()
                            + " failed)");
        }
    }

    private static void drain(List<Writer> writers) throws InterruptedException {
        for (Writer writer : writers) {
            writer.drain();
        }
    }

    private static void awaitSameHeads(ProxiedCluster cluster) {
        Await.until(() -> {
            long head = cluster.node(0).headPosition();
            for (int i = 1; i < cluster.size(); i++) {
                if (cluster.node(i).headPosition() != head) {
                    return false;
                }
            }
            return true;
        }, LONG_WAIT, () -> "every node at the same head: " + heads(cluster));
    }

    private static String heads(ProxiedCluster cluster) {
        List<String> heads = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++) {
            heads.add(ProxiedCluster.id(i) + "=" + cluster.node(i).headPosition());
        }
        return String.join(", ", heads);
    }

    /**
     * After the writers stopped: every node holds the same log (waiting out retries that Ratis's
     * client still completes), every event in it once, and every acknowledged append at its
     * acknowledged position, byte for byte, on every node.
     */
    private static void checkEverythingAcknowledgedIsEverywhere(ProxiedCluster cluster, List<Writer> writers) {
        List<List<RecordedEvent>> logs = new ArrayList<>();
        Await.until(() -> {
            logs.clear();
            for (int i = 0; i < cluster.size(); i++) {
                logs.add(readAll(cluster.node(i)));
            }
            return logs.get(0).size() == cluster.node(0).headPosition() + 1
                    && logs.stream().allMatch(log -> log.equals(logs.get(0)));
        }, LONG_WAIT, () -> "three identical logs: " + heads(cluster));
        List<RecordedEvent> log = logs.get(0);
        Set<UUID> ids = new HashSet<>();
        for (int p = 0; p < log.size(); p++) {
            assertThat(log.get(p).position()).as("the position of event " + p).isEqualTo(p);
            assertThat(ids.add(log.get(p).id())).as("event " + log.get(p).id() + " at " + p + " only once").isTrue();
        }
        int checked = 0;
        for (Writer writer : writers) {
            for (Acked acked : writer.acked) {
                long position = acked.written().position();
                for (int i = 0; i < cluster.size(); i++) {
                    List<RecordedEvent> nodeLog = logs.get(i);
                    String what = "the append of " + acked.event().id() + " through " + writer.name
                            + ", acknowledged at " + position + ", on " + ProxiedCluster.id(i);
                    assertThat(position).as(what).isLessThan(nodeLog.size());
                    RecordedEvent stored = nodeLog.get((int) position);
                    assertThat(stored.id()).as(what).isEqualTo(acked.event().id());
                    assertThat(stored.stream()).as(what).isEqualTo(acked.stream());
                    assertThat(stored.version()).as(what).isEqualTo(acked.written().version());
                    assertThat(stored.type()).as(what).isEqualTo(acked.event().type());
                    assertThat(stored.data()).as(what).isEqualTo(acked.event().data());
                    assertThat(stored.metadata()).as(what).isEqualTo(acked.event().metadata());
                }
                checked++;
            }
        }
        LOG.info("{} acknowledged appends checked on every node; the three logs hold {} identical events", checked,
                log.size());
    }

    private static List<RecordedEvent> readAll(ClusterEventStore node) {
        List<RecordedEvent> all = new ArrayList<>();
        for (int page = 0; page < 1000; page++) {
            List<RecordedEvent> events = node.readAll(ReadOptions.from(all.size(), Direction.FORWARD)
                    .withMaxEvents(5000).withMaxBytes(ReadOptions.NO_BYTE_LIMIT)).events();
            if (events.isEmpty()) {
                return all;
            }
            all.addAll(events);
        }
        throw new AssertionError("more than 1000 pages in the log of " + node.config().nodeId());
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** An acknowledged append: what was sent, where it was stored, when it was sent and acknowledged. */
    private record Acked(String stream, EventData event, AppendResult.Written written, long submittedNanos,
            long ackedNanos) {
    }

    /**
     * Appends one event at a time through one node, at most {@link #IN_FLIGHT} in flight, paced to
     * {@link #APPENDS_PER_SECOND}; records every acknowledgement and counts failures.
     */
    private static final class Writer {
        final String name;
        final ClusterEventStore node;
        final Queue<Acked> acked = new ConcurrentLinkedQueue<>();
        final Map<UUID, Long> submitted = new ConcurrentHashMap<>();
        final AtomicLong failures = new AtomicLong();
        final Semaphore room = new Semaphore(IN_FLIGHT);
        final AtomicInteger probesOutstanding = new AtomicInteger();
        final Thread thread;
        volatile boolean stop;

        Writer(String name, ClusterEventStore node) {
            this.name = name;
            this.node = node;
            this.thread = new Thread(this::run, "partition-writer-" + name);
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            long period = TimeUnit.SECONDS.toNanos(1) / APPENDS_PER_SECOND;
            long next = System.nanoTime();
            for (int seq = 0; seq < MAX_APPENDS && !stop; ) {
                try {
                    if (!room.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                next = Math.max(next + period, now);
                LockSupport.parkNanos(next - now);
                if (stop) {
                    room.release();
                    return;
                }
                submit(name + "#" + seq, seq % 4, true);
                seq++;
            }
        }

        /**
         * Sends {@code count} appends at once, beside the paced ones and outside their limit in
         * flight (so that some are surely sent while the node is cut off).
         */
        void probe(int count) {
            for (int i = 0; i < count; i++) {
                probesOutstanding.incrementAndGet();
                submit(name + "-probe#" + i, i % 4, false);
            }
        }

        private void submit(String label, int streamNumber, boolean paced) {
            String stream = name + "-" + streamNumber;
            byte[] data = new byte[16 + ThreadLocalRandom.current().nextInt(200)];
            ThreadLocalRandom.current().nextBytes(data);
            EventData event = new EventData(UUID.randomUUID(), "partition-test", data,
                    label.getBytes(StandardCharsets.UTF_8));
            long sentAt = System.nanoTime();
            submitted.put(event.id(), sentAt);
            node.appendAsync(AppendRequest.builder().append(stream, ExpectedVersion.any(), List.of(event)).build())
                    .whenComplete((result, failure) -> {
                        if (failure == null) {
                            acked.add(new Acked(stream, event, result.events().get(0), sentAt, System.nanoTime()));
                        } else {
                            failures.incrementAndGet();
                        }
                        if (paced) {
                            room.release();
                        } else {
                            probesOutstanding.decrementAndGet();
                        }
                    });
        }

        void stopSubmitting() {
            stop = true;
        }

        /** Waits for the thread and for every append in flight (each ends within the append timeout). */
        void drain() throws InterruptedException {
            stop = true;
            thread.join(30_000);
            assertThat(thread.isAlive()).as(name + " stopped").isFalse();
            assertThat(room.tryAcquire(IN_FLIGHT, 30, TimeUnit.SECONDS)).as("the appends in flight through " + name
                    + " answered").isTrue();
            room.release(IN_FLIGHT);
            Await.until(() -> probesOutstanding.get() == 0, Duration.ofSeconds(30), () -> probesOutstanding.get()
                    + " probe appends through " + name + " answered");
        }

        long ackedSubmittedAfter(long nanos) {
            return acked.stream().filter(a -> a.submittedNanos() > nanos).count();
        }

        /** Appends sent after {@code from} and acknowledged before {@code until}. */
        List<Acked> acksOf(long from, long until) {
            return acked.stream().filter(a -> a.submittedNanos() > from && a.ackedNanos() < until).toList();
        }

        long submittedBetween(long from, long until) {
            return submitted.values().stream().filter(at -> at > from && at < until).count();
        }

        long firstAckOfSubmittedAfter(long nanos) {
            return acked.stream().filter(a -> a.submittedNanos() > nanos).mapToLong(Acked::ackedNanos).min()
                    .orElse(nanos);
        }

        long slowestAck(long submittedAfter) {
            return acked.stream().filter(a -> a.submittedNanos() > submittedAfter)
                    .mapToLong(a -> a.ackedNanos() - a.submittedNanos()).max().orElse(0);
        }
    }
}
