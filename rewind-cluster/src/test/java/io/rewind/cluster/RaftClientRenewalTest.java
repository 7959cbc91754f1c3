package io.rewind.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * When Ratis gives up a node's Raft client (fails its ordered window for good after a failure it
 * does not retry), the node's appends do not fail for ever: a new client takes its place, and a
 * retry with the same event id is stored once.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RaftClientRenewalTest {

    /** Beyond the gRPC client's largest message (64 MB by default): refused before it is sent. */
    private static final int OVERSIZED = 65 << 20;

    @TempDir
    Path root;

    @Test
    void aNodeWhoseRaftClientRatisGaveUpAppendsAgainThroughANewOne() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            ClusterEventStore node = cluster.node(1);
            node.append("before", ExpectedVersion.any(), EventData.of("t", new byte[] {1}));
            RaftClient spent = node.raftClient();

            // A failure Ratis does not retry (an over-sized request, refused on this side: nothing
            // reaches the cluster) fails the client's ordered window for good ...
            assertThatThrownBy(() -> spent.async().send(Message.valueOf(ByteString.copyFrom(new byte[OVERSIZED])))
                    .get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasRootCauseInstanceOf(IllegalArgumentException.class);
            // ... so that every later request through it fails at once (the premise of the renewal;
            // if a later Ratis recovers by itself, this says so).
            assertThatThrownBy(() -> spent.async().sendReadOnlyNonLinearizable(Message.valueOf(ByteString.copyFrom(
                    new byte[] {RewindStateMachine.QUERY_COMMIT_INDEX}))).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(AlreadyClosedException.class);

            // The node's next append meets the given-up client: an unknown outcome, and a new client.
            UUID id = UUID.randomUUID();
            EventData event = EventData.of(id, "t", "after".getBytes(StandardCharsets.UTF_8));
            List<Throwable> failures = new ArrayList<>();
            AppendResult stored = null;
            for (int attempt = 0; attempt < 3 && stored == null; attempt++) {
                try {
                    stored = node.append("after", ExpectedVersion.any(), event);
                } catch (StoreUnavailableException e) {
                    failures.add(e);
                }
            }
            assertThat(stored).as("the append through the node, retried with the same id; failures: " + failures)
                    .isNotNull();
            assertThat(failures).hasSizeLessThanOrEqualTo(1);
            assertThat(node.raftClientRenewals()).isEqualTo(1);
            assertThat(node.raftClient()).isNotSameAs(spent);
            // Stored once, on every node, and the node goes on as before.
            node.append("after", ExpectedVersion.exactly(0), EventData.of("t", new byte[] {2}));
            ClusterEventStoreTest.awaitSameLogs(cluster, 3);
            assertThat(ClusterEventStoreTest.readAll(cluster.node(0))).extracting(e -> e.id()).containsOnlyOnce(id);
        }
    }
}
