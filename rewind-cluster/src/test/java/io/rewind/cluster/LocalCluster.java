package io.rewind.cluster;

import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster of nodes in this JVM, on 127.0.0.1, each with its own directories under one root, with
 * short election timeouts (nothing else shares a node's JVM here). Not thread-safe.
 */
final class LocalCluster implements AutoCloseable {

    static final Duration ELECTION_MIN = Duration.ofMillis(200);
    static final Duration ELECTION_MAX = Duration.ofMillis(400);

    private final Path root;
    private final Map<String, String> members = new LinkedHashMap<>();
    private final ClusterEventStore[] nodes;
    private final Duration electionMin;
    private final Duration electionMax;

    private LocalCluster(Path root, int size, Duration electionMin, Duration electionMax) throws IOException {
        this.root = root;
        this.electionMin = electionMin;
        this.electionMax = electionMax;
        for (int i = 1; i <= size; i++) {
            members.put("n" + i, "127.0.0.1:" + freePort());
        }
        this.nodes = new ClusterEventStore[size];
    }

    static LocalCluster start(Path root, int size) throws IOException {
        return start(root, size, ELECTION_MIN, ELECTION_MAX);
    }

    /** As {@link #start(Path, int)}, with the given election timeouts (a server's defaults: 1-2 s). */
    static LocalCluster start(Path root, int size, Duration electionMin, Duration electionMax) throws IOException {
        LocalCluster cluster = new LocalCluster(root, size, electionMin, electionMax);
        for (int i = 0; i < size; i++) {
            cluster.startNode(i);
        }
        return cluster;
    }

    /** A cluster whose nodes are not started yet ({@link #startNode} starts each, in any order). */
    static LocalCluster create(Path root, int size, Duration electionMin, Duration electionMax) throws IOException {
        return new LocalCluster(root, size, electionMin, electionMax);
    }

    /** Starts (or restarts) node {@code i} on its directories. */
    ClusterEventStore startNode(int i) {
        String id = "n" + (i + 1);
        LogEventStore local = LogEventStore.open(LogConfig.builder(root.resolve(id)).build());
        nodes[i] = ClusterEventStore.start(new ClusterConfig(id, members, root.resolve(id + ".raft"),
                electionMin, electionMax), local);
        return nodes[i];
    }

    /**
     * Starts node {@code i} on its directories as a joining node (an empty Raft group: it waits to
     * be added with {@link ClusterMembership#add}), as {@code rewind serve --join} does.
     */
    ClusterEventStore startJoining(int i) {
        String id = "n" + (i + 1);
        LogEventStore local = LogEventStore.open(LogConfig.builder(root.resolve(id)).build());
        nodes[i] = ClusterEventStore.start(new ClusterConfig(id, members, root.resolve(id + ".raft"),
                electionMin, electionMax), local, null, true);
        return nodes[i];
    }

    void stopNode(int i) {
        if (nodes[i] != null) {
            nodes[i].close();
            nodes[i] = null;
        }
    }

    /** Every member's id and Raft address, as the nodes were started with, in their order. */
    Map<String, String> members() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    /** A free port on 127.0.0.1, for a node a test starts itself. */
    static int port() throws IOException {
        return freePort();
    }

    ClusterEventStore node(int i) {
        return nodes[i];
    }

    int size() {
        return nodes.length;
    }

    List<ClusterEventStore> running() {
        List<ClusterEventStore> running = new ArrayList<>();
        for (ClusterEventStore node : nodes) {
            if (node != null) {
                running.add(node);
            }
        }
        return running;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Stops every running node, all at once (a Raft server takes a while to close). */
    @Override
    public void close() {
        List<Thread> closing = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            int node = i;
            Thread thread = new Thread(() -> stopNode(node), "close-n" + (i + 1));
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
    }
}
