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
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster in this JVM, on 127.0.0.1, whose nodes reach each other only through a
 * {@link LinkProxy} per ordered pair: node i talks to node j (its Raft server's appends and votes,
 * its Raft client's requests) through the proxy "i→j", which forwards to j's real port. A node
 * listens on its real port and knows only its own address there; each peer it knows at the address
 * of its own proxy to that peer. So one node can be cut off from the others in both directions by
 * switching the four proxies that touch it, while the other two still reach each other.
 *
 * <p>This relies on Ratis keeping the first address it was given for a peer id: the leader's
 * configuration entry (replicated through the Raft log) carries the leader's view of every
 * address, but Ratis adds peers to its RPC proxy maps only when their id is absent, so each node
 * keeps the view it was started with. {@code PartitionTest} checks the effect (an isolated node
 * receives nothing and its followers elect another leader) rather than trusting this.
 *
 * <p>Nodes run with the production election timeouts ({@link ClusterConfig#DEFAULT_ELECTION_TIMEOUT_MIN}
 * and max), so the times measured through it are those of a real cluster (on one machine). Not
 * thread-safe.
 */
final class ProxiedCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProxiedCluster.class);

    private final Path root;
    private final int size;
    private final int[] ports;
    /** links[i][j]: node i's proxy to node j (null on the diagonal). */
    private final LinkProxy[][] links;
    private final ClusterEventStore[] nodes;
    /** Node i's TLS settings, or null for plain text. */
    private final IntFunction<ClusterTls> tls;

    private ProxiedCluster(Path root, int size, IntFunction<ClusterTls> tls) throws IOException {
        this.root = root;
        this.size = size;
        this.tls = tls;
        this.ports = new int[size];
        this.links = new LinkProxy[size][size];
        this.nodes = new ClusterEventStore[size];
        // The nodes' ports are held until every proxy has its own, so that no proxy takes one.
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    if (i != j) {
                        links[i][j] = LinkProxy.start(id(i) + "-" + id(j), ports[j]);
                    }
                }
            }
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
    }

    /** Starts {@code size} nodes, each behind its proxies. */
    static ProxiedCluster start(Path root, int size) throws IOException {
        return start(root, size, i -> null);
    }

    /** Starts {@code size} nodes, each behind its proxies, node i's Raft traffic under {@code tls.apply(i)}. */
    static ProxiedCluster start(Path root, int size, IntFunction<ClusterTls> tls) throws IOException {
        ProxiedCluster cluster = new ProxiedCluster(root, size, tls);
        try {
            for (int i = 0; i < size; i++) {
                cluster.startNode(i);
            }
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    static String id(int i) {
        return "n" + (i + 1);
    }

    /** Node {@code i}'s view of the cluster: itself at its real port, each peer at i's proxy to it. */
    Map<String, String> membersSeenBy(int i) {
        Map<String, String> members = new LinkedHashMap<>();
        for (int j = 0; j < size; j++) {
            members.put(id(j), i == j ? "127.0.0.1:" + ports[j] : links[i][j].address());
        }
        return members;
    }

    private void startNode(int i) {
        LogEventStore local = LogEventStore.open(LogConfig.builder(root.resolve(id(i))).build());
        nodes[i] = ClusterEventStore.start(new ClusterConfig(id(i), membersSeenBy(i), root.resolve(id(i) + ".raft")),
                local, tls.apply(i));
    }

    ClusterEventStore node(int i) {
        return nodes[i];
    }

    int size() {
        return size;
    }

    /** The index of a node that says it leads, or -1. With a partition, a stale leader may say so too. */
    int leader() {
        for (int i = 0; i < size; i++) {
            if (nodes[i].isLeader()) {
                return i;
            }
        }
        return -1;
    }

    /** The index of a node other than {@code except} that says it leads, or -1. */
    int leaderOtherThan(int except) {
        for (int i = 0; i < size; i++) {
            if (i != except && nodes[i].isLeader()) {
                return i;
            }
        }
        return -1;
    }

    /** The proxies that carry node {@code i}'s traffic with every other node, both directions. */
    List<LinkProxy> linksOf(int i) {
        List<LinkProxy> touching = new ArrayList<>();
        for (int j = 0; j < size; j++) {
            if (j != i) {
                touching.add(links[i][j]);
                touching.add(links[j][i]);
            }
        }
        return touching;
    }

    /** The proxies between nodes other than {@code i}. */
    List<LinkProxy> linksNotOf(int i) {
        List<LinkProxy> others = new ArrayList<>();
        for (int a = 0; a < size; a++) {
            for (int b = 0; b < size; b++) {
                if (a != b && a != i && b != i) {
                    others.add(links[a][b]);
                }
            }
        }
        return others;
    }

    /** Applies {@code change} to every proxy that touches node {@code i}. */
    void linksOf(int i, Consumer<LinkProxy> change) {
        linksOf(i).forEach(change);
        LOG.info("the links of {} changed: {}", id(i), linksOf(i).stream().map(l -> l.name() + "=" + l.mode()).toList());
    }

    /** Every link back to pass. */
    void heal() {
        for (int a = 0; a < size; a++) {
            for (int b = 0; b < size; b++) {
                if (a != b) {
                    links[a][b].pass();
                }
            }
        }
        LOG.info("every link passes again");
    }

    /** Stops every node, all at once, then every proxy. */
    @Override
    public void close() {
        List<Thread> closing = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ClusterEventStore node = nodes[i];
            if (node == null) {
                continue;
            }
            Thread thread = new Thread(node::close, "close-" + id(i));
            thread.start();
            closing.add(thread);
        }
        for (Thread thread : closing) {
            try {
                thread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        IllegalStateException failure = null;
        for (int a = 0; a < size; a++) {
            for (int b = 0; b < size; b++) {
                if (links[a][b] != null) {
                    try {
                        links[a][b].close();
                    } catch (IllegalStateException e) {
                        failure = e;
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
