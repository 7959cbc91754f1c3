package io.rewind.client;

import io.rewind.api.EventStore;
import io.rewind.cluster.ClusterConfig;
import io.rewind.cluster.ClusterEventStore;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.testkit.EventStoreContract;
import io.rewind.testkit.ForwardingEventStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole EventStore contract, unchanged, through the Java client against a server on one node
 * of a three-node cluster (three Ratis servers in this JVM, on 127.0.0.1): every append goes
 * client → server → Raft (forwarded to the leader when the node is a follower) → applied on all
 * three nodes; reads and subscriptions come from the node's local log through the server.
 */
class ClusterRemoteContractTest extends EventStoreContract {

    private static final int NODES = 3;

    @TempDir
    Path root;

    private final List<ClusterEventStore> nodes = new ArrayList<>();
    private InProcessServer server;
    private EventStore client;

    @Override
    protected EventStore createStore() throws IOException {
        Map<String, String> members = new LinkedHashMap<>();
        for (int i = 1; i <= NODES; i++) {
            members.put("n" + i, "127.0.0.1:" + freePort());
        }
        for (String id : members.keySet()) {
            LogEventStore local = LogEventStore.open(LogConfig.builder(root.resolve(id)).build());
            // Short election timeouts: nothing else shares these nodes' JVM here.
            nodes.add(ClusterEventStore.start(new ClusterConfig(id, members, root.resolve(id + ".raft"),
                    Duration.ofMillis(200), Duration.ofMillis(400)), local));
        }
        // The server does not own the node: closing the server leaves the cluster to cleanUp,
        // which closes its nodes all at once (a Raft server takes a while to close).
        server = InProcessServer.start(new ForwardingEventStore(nodes.get(0)) {
            @Override
            public void close() {
            }
        }, settings -> settings);
        client = server.connect();
        return client;
    }

    @Override
    protected void cleanUp() {
        if (client != null) {
            client.close();
            client = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
        List<Thread> closing = new ArrayList<>();
        for (ClusterEventStore node : nodes) {
            Thread thread = new Thread(node::close, "close-" + node.config().nodeId());
            thread.start();
            closing.add(thread);
        }
        for (Thread thread : closing) {
            try {
                thread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        nodes.clear();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
