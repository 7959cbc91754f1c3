package io.rewind.cluster;

import io.rewind.cluster.MembershipException.Reason;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.protocol.exceptions.ReconfigurationTimeoutException;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status and membership of the cluster, as seen from one node, all through Ratis: the
 * configuration and the leader come from this node's Raft division; each member's role and applied
 * index from that member's own answer to Ratis's group-info request, and its applied position from
 * a stale read answered by its state machine ({@link CatchUpCodec#QUERY_APPLIED}); changes go
 * through Ratis's {@code setConfiguration} (compare-and-set against the configuration this node
 * holds), and a leader to remove first hands its leadership over through Ratis's
 * {@code transferLeadership}. No failure detection of its own: a member that does not answer
 * within {@link #ASK_TIMEOUT} is reported {@code unknown}. Thread-safe; each call uses Raft
 * clients of its own, closed before it returns.
 */
public final class ClusterMembership {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterMembership.class);
    /** How long one member is given to answer a status question. */
    static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);
    /**
     * How long a membership change may take (a new node catching up on the whole Raft log
     * included), retries towards a new leader included; with {@link #SEE_CHANGE_TIMEOUT} and the
     * status after, within the HTTP server's 60 s idle timeout.
     */
    static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(45);
    /** How long a leadership transfer before removing the leader may take. */
    static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(10);
    /** How long this node waits to see the configuration it changed, before it reports the status. */
    static final Duration SEE_CHANGE_TIMEOUT = Duration.ofSeconds(10);

    private final String nodeId;
    private final RaftServer server;
    private final Parameters parameters;
    private final LongSupplier appliedIndex;
    private final LongSupplier headPosition;

    ClusterMembership(String nodeId, RaftServer server, Parameters parameters, LongSupplier appliedIndex,
            LongSupplier headPosition) {
        this.nodeId = nodeId;
        this.server = server;
        this.parameters = parameters;
        this.appliedIndex = appliedIndex;
        this.headPosition = headPosition;
    }

    /**
     * Every member of the configuration this node holds, each as it reports itself, and its lag
     * behind the leader this node knows (the leader's figures and a member's are asked a few
     * milliseconds apart, so a lag is approximate while appends are arriving).
     *
     * @throws MembershipException (UNAVAILABLE) if this node is no longer part of the cluster
     */
    public ClusterStatus status() {
        RaftServer.Division division = division();
        RaftConfiguration conf = division.getRaftConf();
        Optional<String> leader = Optional.ofNullable(division.getInfo().getLeaderId()).map(RaftPeerId::toString);
        List<RaftPeer> peers = members(conf);
        List<Answer> answers = new ArrayList<>();
        // A node that joins and is not added yet holds no configuration: no members to ask.
        try (RaftClient client = peers.isEmpty() ? null : client(peers, null, ASK_TIMEOUT, false)) {
            for (RaftPeer peer : peers) {
                answers.add(ask(client, division, peer));
            }
        } catch (IOException e) {
            LOG.debug("closing the status client failed", e);
        }
        Answer lead = leader.flatMap(id -> answers.stream().filter(a -> a.peer.getId().toString().equals(id))
                .findFirst()).orElse(null);
        List<ClusterStatus.Member> members = new ArrayList<>();
        for (Answer answer : answers) {
            Optional<Long> entriesBehind = Optional.empty();
            Optional<Long> eventsBehind = Optional.empty();
            if (lead != null && lead.error == null && answer.error == null) {
                entriesBehind = Optional.of(Math.max(0, lead.appliedIndex - answer.appliedIndex));
                eventsBehind = Optional.of(Math.max(0, lead.appliedPosition - answer.appliedPosition));
            }
            members.add(new ClusterStatus.Member(answer.peer.getId().toString(), answer.peer.getAddress(),
                    answer.role, answer.error == null ? answer.appliedIndex : -1,
                    answer.error == null ? Optional.of(answer.appliedPosition) : Optional.empty(), entriesBehind,
                    eventsBehind, Optional.ofNullable(answer.error)));
        }
        boolean changing = !conf.getPreviousPeers().isEmpty();
        return new ClusterStatus(nodeId, leader, division.getInfo().getCurrentTerm(), conf.getLogEntryIndex(),
                changing, members);
    }

    /** What one member said of itself, or why it said nothing. */
    private static final class Answer {
        final RaftPeer peer;
        String role = "unknown";
        long appliedIndex = -1;
        long appliedPosition = -1;
        String error;

        Answer(RaftPeer peer) {
            this.peer = peer;
        }
    }

    private Answer ask(RaftClient client, RaftServer.Division division, RaftPeer peer) {
        Answer answer = new Answer(peer);
        if (peer.getId().equals(division.getId())) {
            answer.role = role(division.getInfo().getCurrentRole());
            answer.appliedIndex = appliedIndex.getAsLong();
            answer.appliedPosition = headPosition.getAsLong();
            return answer;
        }
        try {
            GroupInfoReply info = client.getGroupManagementApi(peer.getId()).info(ClusterEventStore.GROUP_ID);
            if (!info.isSuccess()) {
                throw info.getException();
            }
            answer.role = role(info.getRoleInfoProto().getRole());
            RaftClientReply applied = client.io().sendStaleRead(Message.valueOf(ByteString.copyFrom(
                    new byte[] {CatchUpCodec.QUERY_APPLIED})), 0, peer.getId());
            if (!applied.isSuccess()) {
                throw applied.getException();
            }
            AppliedIndex.Applied point = CatchUpCodec.decodeApplied(
                    applied.getMessage().getContent().asReadOnlyByteBuffer());
            answer.appliedIndex = point.index();
            answer.appliedPosition = point.nextPosition() - 1;
        } catch (IOException | RuntimeException e) {
            answer.role = "unknown";
            answer.error = "did not answer: " + e.getMessage();
            LOG.debug("member {} at {} did not answer the status request", peer.getId(), peer.getAddress(), e);
        }
        return answer;
    }

    private static String role(RaftPeerRole role) {
        return switch (role) {
            case LEADER -> "leader";
            case FOLLOWER -> "follower";
            case CANDIDATE -> "candidate";
            case LISTENER -> "listener";
            default -> "unknown";
        };
    }

    /**
     * Adds a voting member. The new node must be running already, started with
     * {@code rewind serve --node ID --join ...} (an empty Raft group): it is first asked whether it
     * answers, then the leader replicates the whole Raft log to it, and the configuration that
     * includes it is committed once it has caught up. Returns the status once this node holds the
     * new configuration (or after {@link #SEE_CHANGE_TIMEOUT}).
     *
     * @throws MembershipException BAD_REQUEST for a malformed id or address; CONFLICT when the id or
     *                             the address is a member's already, or a change is under way;
     *                             UNAVAILABLE when the new node does not answer, there is no leader,
     *                             or the node did not catch up in time
     */
    public ClusterStatus add(String id, String address) {
        try {
            ClusterConfig.checkMember(id, address);
        } catch (IllegalArgumentException e) {
            throw new MembershipException(Reason.BAD_REQUEST, e.getMessage(), e);
        }
        RaftServer.Division division = division();
        RaftConfiguration conf = stable(division);
        List<RaftPeer> current = members(conf);
        for (RaftPeer peer : current) {
            if (peer.getId().toString().equals(id)) {
                throw new MembershipException(Reason.CONFLICT, "node '" + id + "' is a member already (at "
                        + peer.getAddress() + ")");
            }
            if (peer.getAddress().equals(address)) {
                throw new MembershipException(Reason.CONFLICT, "address " + address + " is member '" + peer.getId()
                        + "''s already");
            }
        }
        RaftPeer added = RaftPeer.newBuilder().setId(id).setAddress(address).build();
        List<RaftPeer> next = new ArrayList<>(current);
        next.add(added);
        GroupInfoReply info;
        try (RaftClient probe = client(List.of(added), null, ASK_TIMEOUT, false)) {
            info = probe.getGroupManagementApi(added.getId()).info(ClusterEventStore.GROUP_ID);
            if (!info.isSuccess()) {
                throw info.getException();
            }
        } catch (IOException | RuntimeException e) {
            throw new MembershipException(Reason.UNAVAILABLE, "node '" + id + "' at " + address + " does not answer"
                    + " as a Rewind cluster node (" + e.getMessage() + "): start it first with 'rewind serve --node "
                    + id + " --join ...' (docs/CLUSTER.md)", e);
        }
        refuseForeign(info, added, next);
        LOG.info("adding node {} at {} to the cluster {}", id, address, ids(current));
        setConfiguration(division, current, next, "add node '" + id + "'");
        awaitLocal(division, () -> members(division.getRaftConf()).stream().anyMatch(p -> p.getId().equals(added.getId())));
        return status();
    }

    /**
     * Removes a member. When it leads, its leadership is first handed to the member that has
     * applied the most (Ratis's leadership transfer), then the configuration without it is
     * committed. The removed node stops taking part; its process keeps running until it is stopped,
     * and must not be restarted with its old directories. Returns the status once this node holds
     * the new configuration (or after {@link #SEE_CHANGE_TIMEOUT}).
     *
     * @throws MembershipException NOT_FOUND for an id that is not a member; CONFLICT for the last
     *                             member, or while a change is under way; UNAVAILABLE when there is
     *                             no leader or the change could not be committed in time
     */
    public ClusterStatus remove(String id) {
        RaftServer.Division division = division();
        RaftConfiguration conf = stable(division);
        List<RaftPeer> current = members(conf);
        RaftPeer removed = current.stream().filter(p -> p.getId().toString().equals(id)).findFirst()
                .orElseThrow(() -> new MembershipException(Reason.NOT_FOUND, "node '" + id + "' is not a member of"
                        + " the cluster " + ids(current)));
        if (current.size() == 1) {
            throw new MembershipException(Reason.CONFLICT, "node '" + id + "' is the cluster's last member: a cluster"
                    + " cannot remove its last member");
        }
        List<RaftPeer> next = new ArrayList<>(current);
        next.remove(removed);
        RaftPeerId leader = division.getInfo().getLeaderId();
        if (removed.getId().equals(leader)) {
            transferLeadership(current, removed, next);
        }
        LOG.info("removing node {} from the cluster {}", id, ids(current));
        setConfiguration(division, current, next, "remove node '" + id + "'");
        // A node that removed itself may never see the configuration that left it out (it is no
        // longer sent entries); the wait then ends at its timeout.
        awaitLocal(division, () -> members(division.getRaftConf()).stream()
                .noneMatch(p -> p.getId().equals(removed.getId())));
        return status();
    }

    /**
     * Refuses a node whose Raft log holds a configuration with a member this cluster does not have
     * (the same id at another address, or another id), or none of this cluster's members but itself:
     * it belongs to another cluster, whose entries
     * it has applied, and replicating this cluster's log over them would leave its store holding
     * both. A node started with {@code --join} holds no configuration, or one of this cluster's
     * (an earlier add that timed out while it caught up).
     */
    private static void refuseForeign(GroupInfoReply info, RaftPeer added, List<RaftPeer> next) {
        // The group a server reports is its current configuration's members (Ratis sends no more of it).
        Collection<RaftPeer> theirs = info.getGroup() == null ? List.of() : info.getGroup().getPeers();
        java.util.Set<String> ours = new java.util.HashSet<>();
        for (RaftPeer peer : next) {
            ours.add(peer.getId() + "=" + peer.getAddress());
        }
        boolean knowsOurs = false;
        for (RaftPeer peer : theirs) {
            String member = peer.getId() + "=" + peer.getAddress();
            if (!ours.contains(member)) {
                throw foreign(added, "with member " + member);
            }
            knowsOurs |= !peer.getId().equals(added.getId());
        }
        if (!theirs.isEmpty() && !knowsOurs) {
            throw foreign(added, "of which it is the only member");
        }
    }

    private static MembershipException foreign(RaftPeer added, String which) {
        return new MembershipException(Reason.CONFLICT, "node '" + added.getId() + "' at " + added.getAddress()
                + " holds the configuration of another cluster (" + which + "): start it on empty directories with"
                + " --join");
    }

    /** Hands the leadership of {@code leader} to the member of {@code next} that has applied the most. */
    private void transferLeadership(List<RaftPeer> current, RaftPeer leader, List<RaftPeer> next) {
        ClusterStatus now = status();
        RaftPeer target = next.get(0);
        long best = -2;
        for (RaftPeer peer : next) {
            long applied = now.member(peer.getId().toString()).filter(ClusterStatus.Member::reachable)
                    .map(ClusterStatus.Member::appliedIndex).orElse(-2L);
            if (applied > best) {
                best = applied;
                target = peer;
            }
        }
        LOG.info("node {} leads and is to be removed: handing its leadership to {}", leader.getId(), target.getId());
        try (RaftClient client = client(current, leader.getId(), TRANSFER_TIMEOUT, true)) {
            RaftPeerId to = target.getId();
            RaftClientReply reply = within(TRANSFER_TIMEOUT.plusSeconds(2),
                    () -> client.admin().transferLeadership(to, TRANSFER_TIMEOUT.toMillis()));
            if (!reply.isSuccess()) {
                throw reply.getException();
            }
        } catch (IOException | RuntimeException | TimeoutException e) {
            // Ratis also steps a leader down once the configuration without it is committed.
            LOG.warn("handing the leadership of {} to {} failed ({}); removing it as leader", leader.getId(),
                    target.getId(), e.toString());
        }
    }

    private void setConfiguration(RaftServer.Division division, List<RaftPeer> current, List<RaftPeer> next,
            String what) {
        RaftPeerId leader = division.getInfo().getLeaderId();
        RaftClientReply reply;
        try (RaftClient client = client(current, leader, CHANGE_TIMEOUT, true)) {
            reply = within(CHANGE_TIMEOUT, () -> client.admin().setConfiguration(SetConfigurationRequest.Arguments
                    .newBuilder().setServersInCurrentConf(current).setServersInNewConf(next)
                    .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).build()));
        } catch (IOException | RuntimeException | TimeoutException e) {
            throw failed(what, e);
        }
        if (!reply.isSuccess()) {
            throw failed(what, reply.getException());
        }
        LOG.info("cluster configuration changed ({}): now {}", what, ids(next));
    }

    /** One blocking Raft admin call. */
    @FunctionalInterface
    private interface RaftCall {
        RaftClientReply call() throws IOException;
    }

    /**
     * Runs {@code call} on a thread of its own and waits at most {@code deadline}: the Raft client
     * retries a timed-out attempt, so its own timeout does not bound the whole call. On timeout the
     * caller closes the client, which ends the call.
     */
    private RaftClientReply within(Duration deadline, RaftCall call) throws IOException, TimeoutException {
        CompletableFuture<RaftClientReply> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(call.call());
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, "rewind-cluster-admin-" + nodeId);
        thread.setDaemon(true);
        thread.start();
        try {
            return result.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the cluster");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw (RuntimeException) e.getCause();
        }
    }

    private static MembershipException failed(String what, Throwable e) {
        Throwable cause = e;
        while (cause != null && !(cause instanceof RaftException) && cause.getCause() != null
                && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof ReconfigurationInProgressException) {
            return new MembershipException(Reason.CONFLICT, "could not " + what + ": another membership change is"
                    + " under way; retry when it is done", e);
        }
        if (cause instanceof SetConfigurationException) {
            return new MembershipException(Reason.CONFLICT, "could not " + what + ": the cluster's configuration"
                    + " changed meanwhile; look at the status and retry (" + cause.getMessage() + ")", e);
        }
        if (cause instanceof ReconfigurationTimeoutException) {
            return new MembershipException(Reason.UNAVAILABLE, "could not " + what + ": the new node did not catch up"
                    + " with the leader in time (" + cause.getMessage() + "); nothing changed", e);
        }
        String why = e instanceof TimeoutException ? "no answer within " + CHANGE_TIMEOUT.toSeconds() + " s"
                : String.valueOf(e);
        return new MembershipException(Reason.UNAVAILABLE, "could not " + what + " (" + why + "); the configuration"
                + " may or may not have changed: look at the status", e);
    }

    private RaftConfiguration stable(RaftServer.Division division) {
        RaftConfiguration conf = division.getRaftConf();
        if (!conf.getPreviousPeers().isEmpty()) {
            throw new MembershipException(Reason.CONFLICT, "a membership change is under way (from "
                    + ids(conf.getPreviousPeers()) + " to " + ids(conf.getCurrentPeers()) + "); retry when it is done");
        }
        return conf;
    }

    private void awaitLocal(RaftServer.Division division, java.util.function.BooleanSupplier seen) {
        long deadline = System.nanoTime() + SEE_CHANGE_TIMEOUT.toNanos();
        while (!seen.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private RaftServer.Division division() {
        try {
            return server.getDivision(ClusterEventStore.GROUP_ID);
        } catch (IOException e) {
            throw new MembershipException(Reason.UNAVAILABLE, "node '" + nodeId + "' is no longer part of the"
                    + " cluster (" + e.getMessage() + "): it was removed; stop it", e);
        }
    }

    /** The voting members of the configuration, in its order (the ones being added or removed included). */
    private static List<RaftPeer> members(RaftConfiguration conf) {
        return new ArrayList<>(conf.getCurrentPeers(RaftPeerRole.FOLLOWER));
    }

    private static List<String> ids(Collection<RaftPeer> peers) {
        return peers.stream().map(p -> p.getId().toString()).toList();
    }

    /** A Raft client of its own for one call: bounded retries, this node's TLS parameters. */
    private RaftClient client(List<RaftPeer> peers, RaftPeerId leader, Duration timeout, boolean retry) {
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties,
                TimeDuration.valueOf(timeout.toMillis(), TimeUnit.MILLISECONDS));
        RaftClient.Builder builder = RaftClient.newBuilder().setProperties(properties).setParameters(parameters)
                .setRaftGroup(RaftGroup.valueOf(ClusterEventStore.GROUP_ID, peers)).setClientId(ClientId.randomId())
                .setRetryPolicy(retry ? RetryPolicies.retryUpToMaximumCountWithFixedSleep(20,
                        TimeDuration.valueOf(250, TimeUnit.MILLISECONDS)) : RetryPolicies.noRetry());
        if (leader != null) {
            builder.setLeaderId(leader);
        }
        return builder.build();
    }

    @Override
    public String toString() {
        return "ClusterMembership(" + nodeId + ")";
    }
}
