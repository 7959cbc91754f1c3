package io.rewind.cluster;

import io.rewind.api.EventStore;
import io.rewind.testkit.EventStoreContract;
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
        return cluster.node(0);
    }

    @Override
    protected void cleanUp() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
