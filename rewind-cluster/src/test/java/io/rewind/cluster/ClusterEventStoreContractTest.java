package io.rewind.cluster;

import io.rewind.api.EventStore;
import io.rewind.testkit.EventStoreContract;
import io.rewind.testkit.ForwardingEventStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole EventStore contract against one node of a three-node cluster in this JVM: every
 * append goes through Raft (forwarded to the leader when the node is a follower) and is applied
 * on all three nodes; reads and subscriptions come from the node's local log.
 */
class ClusterEventStoreContractTest extends EventStoreContract {

    @TempDir
    Path root;

    private LocalCluster cluster;

    @Override
    protected EventStore createStore() throws Exception {
        cluster = LocalCluster.start(root, 3);
        LocalCluster nodes = cluster;
        // Closing the store under test closes the whole cluster, its nodes all at once: a Raft
        // server takes about a second to close, and the contract closes a store per test.
        return new ForwardingEventStore(cluster.node(0)) {
            @Override
            public void close() {
                nodes.close();
            }
        };
    }

    @Override
    protected void cleanUp() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
