package io.rewind.cluster;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.util.ProtoUtils;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings back, by itself, a node that lost its data ({@link LostDataCheck}): the node's Raft
 * server runs as a joining node (no configuration: it rejects every vote and never stands), and
 * this asks the other members, through Ratis's {@code setConfiguration} in compare-and-set mode,
 * first for the configuration without it, then for the configuration with it again, exactly what
 * an operator does with {@code rewind cluster remove} and {@code add}. Once added, the leader
 * brings it up to date like any new member (the Raft log it still holds, or a copy of the events
 * after a purge). A step that fails (no majority of the others, a change under way, the node not
 * caught up in time) is logged and tried again every 2 s until it succeeds or the node closes.
 *
 * <p>One thread; the state is read by tests and the status through volatile fields.
 */
final class Rejoin implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Rejoin.class);
    static final Duration RETRY_PAUSE = Duration.ofSeconds(2);
    /** How long one configuration change may take (the add waits for the node to catch up). */
    static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(45);
    private static final String MARKER = "rewind-rejoining";

    private final ClusterConfig config;
    private final Parameters parameters;
    private final RaftPeer me;
    private final List<RaftPeer> others = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean removed;
    private volatile boolean added;
    private final AtomicInteger failures = new AtomicInteger();
    private volatile String lastFailure;
    private volatile RaftClient client;

    Rejoin(ClusterConfig config, Parameters parameters) {
        this.config = config;
        this.parameters = parameters;
        RaftPeer self = null;
        for (Map.Entry<String, String> member : config.members().entrySet()) {
            RaftPeer peer = RaftPeer.newBuilder().setId(member.getKey()).setAddress(member.getValue()).build();
            if (member.getKey().equals(config.nodeId())) {
                self = peer;
            } else {
                others.add(peer);
            }
        }
        this.me = self;
        this.thread = new Thread(this::run, "rewind-cluster-rejoin-" + config.nodeId());
        this.thread.setDaemon(true);
    }

    /** The file that says this node is removing and adding itself back (kept until it is added). */
    static Path marker(Path raftDirectory) {
        return raftDirectory.resolve(MARKER);
    }

    /** True when this node stopped while it was removing and adding itself back. */
    static boolean underWay(Path raftDirectory) {
        return Files.exists(marker(raftDirectory));
    }

    /**
     * Writes the marker, fsynced, before the node asks for anything: a restart then goes on with
     * the rejoin rather than starting from its Raft directory as a member with an empty log.
     */
    static void markUnderWay(ClusterConfig config) throws IOException {
        Path marker = marker(config.raftDirectory());
        if (Files.exists(marker)) {
            return;
        }
        Path temp = config.raftDirectory().resolve(MARKER + ".tmp");
        Files.writeString(temp, "node " + config.nodeId() + " lost its data and is removing and adding itself back"
                + " (docs/CLUSTER.md)\n");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temp, marker, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel directory = FileChannel.open(config.raftDirectory(), StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    void start() {
        thread.start();
    }

    /** True once the configuration without this node was committed (or it was not a member). */
    boolean removed() {
        return removed;
    }

    /** True once the configuration with this node again was committed: it is a member, caught up. */
    boolean added() {
        return added;
    }

    int failures() {
        return failures.get();
    }

    String lastFailure() {
        return lastFailure;
    }

    private void run() {
        while (!closed && !added) {
            try {
                Leader leader = currentMembers();
                List<RaftPeer> current = leader.members();
                boolean member = current.stream().anyMatch(peer -> peer.getId().equals(me.getId()));
                if (member && !removed) {
                    List<RaftPeer> next = new ArrayList<>(current);
                    next.removeIf(peer -> peer.getId().equals(me.getId()));
                    LOG.info("node {} lost its data: removing it from the cluster {} before adding it back",
                            me.getId(), ids(current));
                    setConfiguration(leader.id(), current, next);
                    removed = true;
                    LOG.info("node {} removed from the cluster (now {}); adding it back", me.getId(), ids(next));
                    continue;
                }
                if (member) {
                    // The leader's configuration holds this node again: the add went through (its
                    // answer was lost).
                    finished();
                    LOG.info("node {} is a member again: cluster {}", me.getId(), ids(current));
                    return;
                }
                removed = true;
                List<RaftPeer> next = new ArrayList<>(current);
                next.removeIf(peer -> peer.getId().equals(me.getId()));
                List<RaftPeer> without = List.copyOf(next);
                next.add(me);
                LOG.info("adding node {} at {} back to the cluster {} (the leader brings it up to date first)",
                        me.getId(), me.getAddress(), ids(without));
                setConfiguration(leader.id(), without, next);
                finished();
                LOG.info("node {} is a member again, caught up with the leader: cluster {}", me.getId(), ids(next));
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                failures.incrementAndGet();
                lastFailure = e.toString();
                LOG.warn("node {} lost its data and is not back in the cluster yet ({}: {}); it takes no part in"
                        + " elections or majorities meanwhile and tries again in {} s (a majority of the members"
                        + " must be up and hold their data)", me.getId(), removed ? "adding it back" : "removing it",
                        e.getMessage(), RETRY_PAUSE.toSeconds());
                try {
                    Thread.sleep(RETRY_PAUSE.toMillis()); // the pause between attempts, not a wait for a condition
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Added back: the marker goes (a restart now recovers from the Raft log it was sent). */
    private void finished() throws IOException {
        Files.deleteIfExists(marker(config.raftDirectory()));
        added = true;
    }

    /**
     * The members of the leader's configuration (the latest one, committed or not), asked of each
     * other member in turn until the leader answers; refused while a change is under way.
     */
    private Leader currentMembers() throws IOException {
        String why = "no other member answered as the leader";
        try (RaftClient probe = client(null, Duration.ofSeconds(3))) {
            for (RaftPeer peer : others) {
                try {
                    GroupInfoReply info = probe.getGroupManagementApi(peer.getId()).info(ClusterEventStore.GROUP_ID);
                    if (!info.isSuccess() || info.getConf().isEmpty()
                            || info.getRoleInfoProto().getRole() != RaftPeerRole.LEADER) {
                        continue;
                    }
                    RaftConfigurationProto conf = info.getConf().get();
                    if (conf.getOldPeersCount() > 0) {
                        throw new IOException("a membership change is under way at the leader " + peer.getId());
                    }
                    return new Leader(peer.getId(), ProtoUtils.toRaftPeers(conf.getPeersList()));
                } catch (IOException e) {
                    why = e.getMessage();
                }
            }
        }
        throw new IOException(why);
    }

    /** The leader and the members of its configuration. */
    private record Leader(RaftPeerId id, List<RaftPeer> members) {
    }

    /** One attempt, sent to the leader (no retry: a failed attempt is tried again by {@link #run}). */
    private void setConfiguration(RaftPeerId leader, List<RaftPeer> current, List<RaftPeer> next)
            throws IOException {
        try (RaftClient change = client(leader, CHANGE_TIMEOUT)) {
            client = change;
            RaftClientReply reply = change.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                    .setServersInCurrentConf(current).setServersInNewConf(next)
                    .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).build());
            if (!reply.isSuccess()) {
                throw reply.getException();
            }
        } finally {
            client = null;
        }
    }

    /** A client of the other members only (never this node, which holds no configuration). */
    private RaftClient client(RaftPeerId leader, Duration timeout) {
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties,
                TimeDuration.valueOf(timeout.toMillis(), TimeUnit.MILLISECONDS));
        RaftClient.Builder builder = RaftClient.newBuilder().setProperties(properties).setParameters(parameters)
                .setRaftGroup(RaftGroup.valueOf(ClusterEventStore.GROUP_ID, others)).setClientId(ClientId.randomId())
                .setRetryPolicy(RetryPolicies.noRetry());
        if (leader != null) {
            builder.setLeaderId(leader);
        }
        return builder.build();
    }

    private static List<String> ids(List<RaftPeer> peers) {
        return peers.stream().map(peer -> peer.getId().toString()).toList();
    }

    /** Stops trying (a change under way is abandoned: its client is closed). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        RaftClient running = client;
        if (running != null) {
            try {
                running.close();
            } catch (IOException e) {
                LOG.debug("closing the rejoin client failed", e);
            }
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "Rejoin(" + config.nodeId() + ", removed " + removed + ", added " + added + ")";
    }
}
