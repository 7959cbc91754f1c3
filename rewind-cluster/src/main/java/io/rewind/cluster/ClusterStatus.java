package io.rewind.cluster;

import java.util.List;
import java.util.Optional;

/**
 * The cluster as one node sees it at one moment: the members of the Raft configuration it holds,
 * the leader it knows, and for each member what that member reports of itself (its role, what it
 * has applied). Positions are global positions of the Rewind log; indexes are Raft log indexes.
 * Immutable.
 *
 * @param node              the id of the node that was asked
 * @param leader            the leader that node knows of, empty while there is none
 * @param term              that node's current Raft term
 * @param configurationIndex the Raft index of the configuration entry the members come from
 * @param changing          true while a membership change is under way (a joint configuration)
 * @param members           every member of the configuration, in the order the node holds them
 */
public record ClusterStatus(String node, Optional<String> leader, long term, long configurationIndex,
        boolean changing, List<Member> members) {

    public ClusterStatus {
        members = List.copyOf(members);
    }

    /** The member with this id, if it is one. */
    public Optional<Member> member(String id) {
        return members.stream().filter(m -> m.id().equals(id)).findFirst();
    }

    /**
     * One member, as it answered for itself (or could not).
     *
     * @param id              its node id
     * @param address         its Raft {@code HOST:PORT}
     * @param role            {@code leader}, {@code follower}, {@code candidate}, {@code listener},
     *                        or {@code unknown} when it did not answer
     * @param appliedIndex    the last Raft index it applied, -1 before the first or when unknown
     * @param appliedPosition the global position of the newest event it applied, -1 when it has
     *                        none; empty when unknown
     * @param entriesBehind   how many Raft entries it has applied fewer than the leader; empty
     *                        when either is unknown
     * @param eventsBehind    how many events it has applied fewer than the leader; empty when
     *                        either is unknown
     * @param error           why it could not be asked, when it could not
     */
    public record Member(String id, String address, String role, long appliedIndex, Optional<Long> appliedPosition,
            Optional<Long> entriesBehind, Optional<Long> eventsBehind, Optional<String> error) {

        /** True when the member answered. */
        public boolean reachable() {
            return error.isEmpty();
        }
    }
}
