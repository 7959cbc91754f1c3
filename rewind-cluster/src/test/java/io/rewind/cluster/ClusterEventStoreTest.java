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
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.WrongExpectedVersionException;
import io.rewind.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Three nodes in one JVM: appends through any node land identically on all of them. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterEventStoreTest {

    @TempDir
    Path root;

    @Test
    void anAppendThroughAnyNodeIsStoredIdenticallyOnEveryNode() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            for (int i = 0; i < 3; i++) {
                AppendResult result = cluster.node(i).append("s-" + i, ExpectedVersion.noStream(),
                        EventData.of("t", ("from " + i).getBytes(StandardCharsets.UTF_8)));
                // Acknowledged means applied on the node that was asked: it reads its own write.
                assertThat(cluster.node(i).readEvent(result.events().get(0).id())).isPresent();
            }
            assertThatThrownBy(() -> cluster.node(1).append("s-0", ExpectedVersion.exactly(5),
                    EventData.of("t", new byte[0]))).isInstanceOf(WrongExpectedVersionException.class)
                    .hasMessageContaining("s-0");
            awaitSameLogs(cluster, 3);
        }
    }

    @Test
    void aRestartedNodeReplaysOnlyWhatItHadNotAppliedAndAgrees() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            UUID id = UUID.randomUUID();
            cluster.node(0).append("a", ExpectedVersion.any(), EventData.of(id, "t", new byte[] {1}));
            // A refused append whose replay against a later state would succeed if it were applied again.
            assertThatThrownBy(() -> cluster.node(0).append("a", ExpectedVersion.exactly(2),
                    EventData.of("t", new byte[] {2}))).isInstanceOf(WrongExpectedVersionException.class);
            cluster.node(0).append("a", ExpectedVersion.any(), EventData.of("t", new byte[] {3}),
                    EventData.of("t", new byte[] {4}));
            awaitSameLogs(cluster, 3);
            cluster.stopNode(2);
            cluster.node(0).append("a", ExpectedVersion.any(), EventData.of("t", new byte[] {5}));
            cluster.startNode(2);
            awaitSameLogs(cluster, 4);
            assertThat(cluster.node(2).readStream("a", 0, Direction.FORWARD, 10)).extracting(e -> e.data()[0])
                    .containsExactly((byte) 1, (byte) 3, (byte) 4, (byte) 5);
            // The retry of the first append is recognised on every node, through any node.
            assertThat(cluster.node(2).append("a", ExpectedVersion.noStream(), EventData.of(id, "t", new byte[] {1}))
                    .events().get(0).position()).isZero();
        }
    }

    /**
     * Many appends through every node, one at a time and then many in flight at once, so that the
     * leader's metadata entries reach Ratis's apply thread while earlier appends are still in a
     * store's writer: each append
     * is acknowledged, in time, and every node ends with the same log. (A race between the two
     * threads once left an entry unanswered, and Ratis's ordered client then held back every later
     * append of that node until it timed out.)
     */
    @Test
    void manyAppendsOneAtATimeAndInFlightThroughEveryNodeAreAllAcknowledged() throws Exception {
        int oneAtATime = 1500;
        int perNode = 1500;
        int inFlight = 64;
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            // One at a time: each commit is followed by the leader's metadata entry, which Ratis
            // reaches while the append before it is still in the stores' fsync.
            for (int i = 0; i < oneAtATime; i++) {
                assertThat(cluster.node(i % 3).appendAsync(AppendRequest.builder().append("one-" + (i % 8),
                        ExpectedVersion.any(), List.of(EventData.of("t", new byte[] {(byte) i}))).build())
                        .get(30, TimeUnit.SECONDS).events()).as("append " + i).hasSize(1);
            }
            List<CompletableFuture<AppendResult>> appends = new ArrayList<>();
            List<Semaphore> room = List.of(new Semaphore(inFlight), new Semaphore(inFlight), new Semaphore(inFlight));
            for (int i = 0; i < perNode; i++) {
                for (int n = 0; n < 3; n++) {
                    assertThat(room.get(n).tryAcquire(30, TimeUnit.SECONDS)).as("room for append " + i + " on node " + n)
                            .isTrue();
                    Semaphore nodeRoom = room.get(n);
                    CompletableFuture<AppendResult> append = cluster.node(n).appendAsync(AppendRequest.builder()
                            .append("n" + n + "-" + (i % 8), ExpectedVersion.any(),
                                    List.of(EventData.of("t", new byte[] {(byte) i}))).build());
                    append.whenComplete((result, failure) -> nodeRoom.release());
                    appends.add(append);
                }
            }
            for (CompletableFuture<AppendResult> append : appends) {
                // Every append is acknowledged; none fails as "no answer from the leader".
                assertThat(append.get(30, TimeUnit.SECONDS).events()).hasSize(1);
            }
            awaitSameLogs(cluster, oneAtATime + 3 * perNode);
        }
    }

    /**
     * A read with leader consistency, on any node, sees every append acknowledged by any node
     * before it began — also on a follower that has not applied it yet (counted: plain reads on
     * that node, made at the same moment, may miss it).
     */
    @Test
    void aLeaderConsistentReadOnAnyNodeSeesEveryAppendAcknowledgedBefore() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            int missedByPlainReads = 0;
            for (int i = 0; i < 300; i++) {
                AppendResult written = cluster.node(i % 3).append("rw-" + (i % 5), ExpectedVersion.any(),
                        EventData.of("t", new byte[] {(byte) i}));
                long position = written.firstPosition();
                ClusterEventStore other = cluster.node((i + 1) % 3);
                missedByPlainReads += other.readAll(ReadOptions.from(position, Direction.FORWARD).withMaxEvents(1))
                        .events().isEmpty() ? 1 : 0;
                List<RecordedEvent> read = cluster.node((i + 2) % 3).readAll(ReadOptions.from(position,
                        Direction.FORWARD).withMaxEvents(1).withLeaderConsistency()).events();
                assertThat(read).as("append " + i + " read with leader consistency").hasSize(1);
                assertThat(read.get(0).id()).isEqualTo(written.events().get(0).id());
                assertThat(other.readStreamAsync("rw-" + (i % 5), ReadOptions.from(written.events().get(0).version(),
                        Direction.FORWARD).withLeaderConsistency()).get(30, TimeUnit.SECONDS).events())
                        .extracting(RecordedEvent::id).startsWith(written.events().get(0).id());
            }
            LoggerFactory.getLogger(ClusterEventStoreTest.class).info("plain reads on another node missed {} of 300"
                    + " just-acknowledged appends; leader-consistent reads missed none", missedByPlainReads);
        }
    }

    /** Without a majority there is no leader to confirm a consistent read: it fails clearly, in bounded time. */
    @Test
    void aLeaderConsistentReadFailsClearlyWithoutAMajority() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            cluster.node(0).append("s", ExpectedVersion.any(), EventData.of("t", new byte[] {1}));
            cluster.stopNode(1);
            cluster.stopNode(2);
            assertThat(cluster.node(0).readAll(ReadOptions.forward()).events()).as("a plain read still answers")
                    .hasSize(1);
            assertThatThrownBy(() -> cluster.node(0).readAll(ReadOptions.forward().withLeaderConsistency()))
                    .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("leader-consistent");
        }
    }

    /** Waits until every running node holds {@code count} events, then checks they are identical. */
    static void awaitSameLogs(LocalCluster cluster, int count) {
        for (ClusterEventStore node : cluster.running()) {
            Await.until(() -> node.headPosition() == count - 1, Duration.ofSeconds(30),
                    "node " + node.config().nodeId() + " holds " + count + " events");
        }
        List<RecordedEvent> first = readAll(cluster.running().get(0));
        for (ClusterEventStore node : cluster.running()) {
            List<RecordedEvent> events = readAll(node);
            assertThat(events).as("node " + node.config().nodeId()).hasSize(first.size());
            for (int i = 0; i < events.size(); i++) {
                assertThat(events.get(i)).as("event " + i + " on " + node.config().nodeId()).isEqualTo(first.get(i));
            }
        }
    }

    static List<RecordedEvent> readAll(ClusterEventStore node) {
        return node.readAll(ReadOptions.from(0, Direction.FORWARD).withMaxEvents(10_000)
                .withMaxBytes(ReadOptions.NO_BYTE_LIMIT)).events();
    }
}
