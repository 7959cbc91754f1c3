package io.rewind.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start, before its Raft server exists, a node configured with {@code --cluster} whose Raft
 * directory is empty asks each other member (Ratis's group-info request) whether it knows this
 * node as a member that had committed Raft entries. Ratis keeps, on every running member, the
 * highest commit index each member reported (it never goes down, and it is -1 for a member never
 * heard from). A member that lists this node in its configuration and knows a commit index of 0
 * or more for it is evidence that this node had a Raft log and lost it: it must not rejoin under
 * its old membership (docs/CLUSTER.md, "A node that lost its data"). A member of a cluster being
 * created, starting after the others, was never heard from and is not refused.
 *
 * <p>The evidence lives in the running members' memory only: a node that lost its data while
 * every other member was also restarted (or down) is not recognised.
 */
final class LostDataCheck {

    private static final Logger LOG = LoggerFactory.getLogger(LostDataCheck.class);
    /** How long one member may take to answer. */
    static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

    /** A member that knows this node had committed up to {@code commitIndex}. */
    record Evidence(String member, String memberAddress, long commitIndex) {
    }

    private LostDataCheck() {
    }

    /** Asks every other member of {@code config} in turn; the first evidence found, or empty. */
    static Optional<Evidence> ask(ClusterConfig config, Parameters parameters) {
        List<RaftPeer> peers = new ArrayList<>();
        for (Map.Entry<String, String> member : config.members().entrySet()) {
            peers.add(RaftPeer.newBuilder().setId(member.getKey()).setAddress(member.getValue()).build());
        }
        RaftPeerId me = RaftPeerId.valueOf(config.nodeId());
        try (RaftClient client = client(peers, parameters)) {
            for (RaftPeer peer : peers) {
                if (peer.getId().equals(me)) {
                    continue;
                }
                Optional<Evidence> evidence = ask(client, peer, me);
                if (evidence.isPresent()) {
                    return evidence;
                }
            }
        } catch (IOException e) {
            LOG.debug("closing the client of the lost-data check failed", e);
        }
        return Optional.empty();
    }

    private static Optional<Evidence> ask(RaftClient client, RaftPeer peer, RaftPeerId me) {
        GroupInfoReply info;
        try {
            info = client.getGroupManagementApi(peer.getId()).info(ClusterEventStore.GROUP_ID);
        } catch (IOException | RuntimeException e) {
            LOG.debug("member {} at {} did not answer the lost-data check: {}", peer.getId(), peer.getAddress(),
                    e.toString());
            return Optional.empty();
        }
        if (!info.isSuccess()) {
            LOG.debug("member {} at {} refused the lost-data check: {}", peer.getId(), peer.getAddress(),
                    info.getException());
            return Optional.empty();
        }
        boolean listed = info.getConf().map(conf -> lists(conf, me)).orElse(false);
        if (!listed) {
            return Optional.empty();
        }
        for (CommitInfoProto commit : info.getCommitInfos()) {
            if (RaftPeerId.valueOf(commit.getServer().getId()).equals(me) && commit.getCommitIndex() >= 0) {
                return Optional.of(new Evidence(peer.getId().toString(), peer.getAddress(), commit.getCommitIndex()));
            }
        }
        return Optional.empty();
    }

    private static boolean lists(RaftConfigurationProto conf, RaftPeerId me) {
        for (RaftPeerProto peer : conf.getPeersList()) {
            if (RaftPeerId.valueOf(peer.getId()).equals(me)) {
                return true;
            }
        }
        return false;
    }

    /** The log line of a node that found it lost its data, and what it does about it. */
    static String describe(ClusterConfig config, Evidence evidence) {
        return "node '" + config.nodeId() + "' has an empty Raft log (" + config.raftDirectory() + ") but member '"
                + evidence.member() + "' (" + evidence.memberAddress() + ") knows it as a member that had committed"
                + " the cluster's Raft log up to index " + evidence.commitIndex() + ": this node lost its data. It"
                + " does not take part under its old membership (it would never be brought up to date, and could"
                + " vote for entries it no longer holds): it runs as a joining node, which votes for no one, and"
                + " asks the others to remove it and add it back (as 'rewind cluster remove " + config.nodeId()
                + "' and 'rewind cluster add " + config.nodeId() + " " + config.address() + "' would)";
    }

    private static RaftClient client(List<RaftPeer> peers, Parameters parameters) {
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties,
                TimeDuration.valueOf(ASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        return RaftClient.newBuilder().setProperties(properties).setParameters(parameters)
                .setRaftGroup(RaftGroup.valueOf(ClusterEventStore.GROUP_ID, peers)).setClientId(ClientId.randomId())
                .setRetryPolicy(RetryPolicies.noRetry()).build();
    }
}
