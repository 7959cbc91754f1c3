package io.rewind.api;

import java.util.Optional;

/**
 * The request can only be served by the cluster's leader, and the node asked is not (or no longer)
 * the leader: e.g. a consumer group's JOIN or management on a follower (docs/GROUPS.md, "On a
 * cluster"). Its code is {@link ErrorCode#UNAVAILABLE}, so clients that do not know this exception
 * see a retryable unavailability; the wire protocol marks it with the detail {@code not-leader}
 * (docs/PROTOCOL.md §5.3), and the Java client moves to another endpoint when it gets one.
 */
public final class NotLeaderException extends StoreUnavailableException {
    private static final long serialVersionUID = 1L;

    private final String leader;

    /**
     * @param leader the node id of the leader as this node knows it, or null when it knows none
     *               (an election is under way)
     */
    public NotLeaderException(String message, String leader) {
        super(message);
        this.leader = leader == null || leader.isEmpty() ? null : leader;
    }

    /** The leader's node id, as the node that answered knew it; empty during an election. */
    public Optional<String> leader() {
        return Optional.ofNullable(leader);
    }
}
