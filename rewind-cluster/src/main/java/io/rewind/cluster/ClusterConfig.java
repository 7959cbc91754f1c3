package io.rewind.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What one node of a cluster needs to know: its own id, every member's Raft address (its own
 * included), and where its Raft log lives. Immutable and thread-safe.
 *
 * @param nodeId    this node's id, one of {@code members}
 * @param members   id to {@code HOST:PORT} of each member's Raft port, in the order given
 * @param raftDirectory the directory of this node's Raft log and state-machine checkpoint
 * @param electionTimeoutMin the shortest time a follower waits for the leader before it stands
 * @param electionTimeoutMax the longest such time (Ratis picks one at random in between)
 */
public record ClusterConfig(String nodeId, Map<String, String> members, Path raftDirectory,
        Duration electionTimeoutMin, Duration electionTimeoutMax) {

    /** Election timeouts: Ratis's defaults (150-300 ms) elect spuriously on a loaded machine. */
    public static final Duration DEFAULT_ELECTION_TIMEOUT_MIN = Duration.ofMillis(1000);
    public static final Duration DEFAULT_ELECTION_TIMEOUT_MAX = Duration.ofMillis(2000);

    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern ADDRESS = Pattern.compile("[^\\s:,=]+:[0-9]{1,5}");

    public ClusterConfig {
        Objects.requireNonNull(nodeId, "node id");
        Objects.requireNonNull(raftDirectory, "raft directory");
        Objects.requireNonNull(electionTimeoutMin, "election timeout min");
        Objects.requireNonNull(electionTimeoutMax, "election timeout max");
        if (electionTimeoutMin.isNegative() || electionTimeoutMin.isZero()
                || electionTimeoutMax.compareTo(electionTimeoutMin) <= 0) {
            throw new IllegalArgumentException("election timeouts must be positive with min < max, were "
                    + electionTimeoutMin + " and " + electionTimeoutMax);
        }
        members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
        if (!members.containsKey(nodeId)) {
            throw new IllegalArgumentException("node '" + nodeId + "' is not one of the cluster's members "
                    + members.keySet());
        }
    }

    /** A node with the default election timeouts. */
    public ClusterConfig(String nodeId, Map<String, String> members, Path raftDirectory) {
        this(nodeId, members, raftDirectory, DEFAULT_ELECTION_TIMEOUT_MIN, DEFAULT_ELECTION_TIMEOUT_MAX);
    }

    /**
     * Parses {@code ID=HOST:PORT,ID=HOST:PORT,...}.
     *
     * @throws IllegalArgumentException naming the part that is wrong
     */
    public static Map<String, String> parseMembers(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the cluster is empty: give ID=HOST:PORT,ID=HOST:PORT,...");
        }
        Map<String, String> members = new LinkedHashMap<>();
        for (String part : text.split(",", -1)) {
            String member = part.trim();
            int equals = member.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("cluster member '" + member + "' is not ID=HOST:PORT");
            }
            String id = member.substring(0, equals);
            String address = member.substring(equals + 1);
            checkMember(id, address);
            if (members.put(id, address) != null) {
                throw new IllegalArgumentException("node id '" + id + "' appears twice in the cluster");
            }
        }
        return members;
    }

    /**
     * Checks one member's id and Raft address as {@link #parseMembers} does.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static void checkMember(String id, String address) {
        if (id == null || !NODE_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("node id '" + id + "' must be 1 to 64 letters, digits, '-' or '_'");
        }
        if (address == null || !ADDRESS.matcher(address).matches()) {
            throw new IllegalArgumentException("address '" + address + "' of node '" + id + "' is not HOST:PORT");
        }
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " of node '" + id + "' is not 1 to 65535");
        }
    }

    /** This node's Raft address. */
    public String address() {
        return members.get(nodeId);
    }

    /** This node's Raft port. */
    public int port() {
        String address = address();
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }
}
