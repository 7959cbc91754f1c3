package io.rewind.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClusterEventStore#leadingTerm()}: exactly the leader reports a term, and only once it has
 * applied every entry committed before that term; after the leader stops, a node of the others
 * reports a later term, and at the moment it first does, its store holds every append acknowledged
 * before the stop. {@link ClusterEventStore#watchLeadership} is told of each change.
 */
class LeadingTermTest {

    @TempDir
    Path root;

    @Test
    void theLeaderReportsItsTermOnceCaughtUpAndItsSuccessorHoldsEveryAcknowledgedAppendWhenItDoes() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            // For each node: its store's head when it was first seen leading caught up, by term.
            ConcurrentHashMap<String, Long> headWhenLeading = new ConcurrentHashMap<>();
            AtomicInteger notices = new AtomicInteger();
            for (int i = 0; i < 3; i++) {
                ClusterEventStore node = cluster.node(i);
                node.watchLeadership(() -> {
                    notices.incrementAndGet();
                    long term = node.leadingTerm();
                    if (term >= 0) {
                        headWhenLeading.putIfAbsent(node.config().nodeId() + "@" + term, node.headPosition());
                    }
                });
            }
            int leader = awaitSoleLeader(cluster, -1);
            long firstTerm = cluster.node(leader).leadingTerm();
            String leaderId = "n" + (leader + 1);
            int follower = (leader + 1) % 3;
            Await.until(() -> cluster.node(follower).leader().equals(java.util.Optional.of(leaderId)),
                    "the follower knows the leader");
            assertThat(cluster.node(follower).leadingTerm()).isEqualTo(-1);

            AtomicLong lastAcknowledged = new AtomicLong(-1);
            for (int i = 0; i < 60; i++) {
                AppendResult result = cluster.node(follower).append("s-" + (i % 5), ExpectedVersion.any(),
                        EventData.of("E", new byte[] {(byte) i}));
                lastAcknowledged.set(result.lastPosition());
            }
            cluster.stopNode(leader);
            int next = awaitSoleLeader(cluster, leader);
            long nextTerm = cluster.node(next).leadingTerm();
            assertThat(nextTerm).isGreaterThan(firstTerm);
            Long head = headWhenLeading.get("n" + (next + 1) + "@" + nextTerm);
            assertThat(head).as("the new leader's head when it first reported term %d", nextTerm).isNotNull();
            assertThat(head).isGreaterThanOrEqualTo(lastAcknowledged.get());
            assertThat(notices.get()).isPositive();
        }
    }

    /** The index of the one running node (other than {@code not}) that reports a leading term. */
    private static int awaitSoleLeader(LocalCluster cluster, int not) {
        AtomicInteger found = new AtomicInteger(-1);
        Await.until(() -> {
            int count = 0;
            for (int i = 0; i < cluster.size(); i++) {
                if (i != not && cluster.node(i) != null && cluster.node(i).leadingTerm() >= 0) {
                    count++;
                    found.set(i);
                }
            }
            return count == 1;
        }, Duration.ofSeconds(60), "one node leads, caught up");
        return found.get();
    }
}
