package io.rewind.http;

import java.util.List;
import java.util.Optional;

/**
 * The cluster operations served at {@code /api/cluster} (docs/HTTP.md), given to
 * {@link RewindHttpServer#start} by whoever starts a cluster node's server: this module serves
 * any store and never depends on the cluster's. Implementations are thread-safe.
 */
public interface ClusterAdmin {

    /** The cluster as this node sees it now. */
    View status();

    /**
     * Adds a voting member; returns the status once this node holds the new configuration.
     *
     * @throws Refused naming why it was not done
     */
    View add(String id, String address);

    /**
     * Removes a member (the leader too: its leadership moves first); returns the status after.
     *
     * @throws Refused naming why it was not done
     */
    View remove(String id);

    /**
     * The status: the node asked, the leader it knows, its term, the Raft index of the
     * configuration, whether a change is under way, and each member.
     */
    record View(String node, Optional<String> leader, long term, long configurationIndex, boolean changing,
            List<Member> members) {
        public View {
            members = List.copyOf(members);
        }

        /** The member with this id, if it is one. */
        public Optional<Member> member(String id) {
            return members.stream().filter(m -> m.id().equals(id)).findFirst();
        }
    }

    /**
     * One member as it reported itself: role ({@code leader}, {@code follower}, {@code candidate},
     * {@code listener}, {@code unknown}), last applied Raft index (-1: none or unknown), the
     * global position of the newest event it applied (-1: none; empty: unknown), how far it is
     * behind the leader in Raft entries and in events (empty: unknown), and why it did not answer.
     */
    record Member(String id, String address, String role, long appliedIndex, Optional<Long> appliedPosition,
            Optional<Long> entriesBehind, Optional<Long> eventsBehind, Optional<String> error) {
    }

    /** A refused or failed membership request, answered with {@code status} (400, 404, 409 or 503). */
    final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        public Refused(int status, String message, Throwable cause) {
            super(message, cause);
            if (status != 400 && status != 404 && status != 409 && status != 503) {
                throw new IllegalArgumentException("a refused cluster request is 400, 404, 409 or 503, not " + status);
            }
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
