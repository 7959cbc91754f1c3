package io.rewind.server;

import io.rewind.api.ErrorCode;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.NotLeaderException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.groups.GroupService;
import io.rewind.groups.GroupServiceOptions;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer groups of one node of a replicated cluster (docs/GROUPS.md, "On a cluster"): a
 * {@link GroupService} over the node's store that runs only while the node leads, so that one
 * dispatcher serves every group. It opens when the node leads and has applied every entry
 * committed before its term (it then reads the latest replicated definitions, checkpoints and
 * parked lists), and closes, without writing, when the node stops leading: its consumers are told
 * and the server sends them a {@link NotLeaderException} naming the leader, so they join elsewhere.
 *
 * <p>Every opening and closing runs on one thread of its own, in order; each looks at the
 * leadership as it is then (not as an event said), so flapping leadership ends in the state it
 * settled in and one node never runs two services. {@link #current} answers at once on any thread.
 * Thread-safe.
 */
public final class LeaderGroupService implements GroupServiceSource, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderGroupService.class);
    /** How long to wait before opening again after an open failed (e.g. a read the store refused). */
    private static final long RETRY_MILLIS = 1000;

    /** What the node knows of the leadership now; asked on every change. Thread-safe, non-blocking. */
    public interface Leadership {
        /**
         * The term this node leads in, once it has applied every entry committed before it; -1
         * while it does not lead (or has not caught up yet).
         */
        long leadingTerm();

        /** The leader's node id as this node knows it, or null when it knows none. */
        String leader();
    }

    private final EventStore store;
    private final GroupServiceOptions options;
    private final String nodeId;
    private final Leadership leadership;
    private final ScheduledThreadPoolExecutor transitions;
    /** A running service and the term it was opened in. */
    private record Running(GroupService service, long term) {
    }

    /** The running service, or null; written by the transitions thread only. */
    private volatile Running running;
    private volatile boolean closed;

    private LeaderGroupService(EventStore store, GroupServiceOptions options, String nodeId, Leadership leadership) {
        this.store = store;
        this.options = options;
        this.nodeId = nodeId;
        this.leadership = leadership;
        this.transitions = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "rewind-groups-leadership-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
        this.transitions.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Starts watching: call {@link #leadershipChanged} after every change of the leadership (the
     * node's own watch, e.g. {@code ClusterEventStore.watchLeadership}); the service opens at once
     * if the node leads already.
     */
    public static LeaderGroupService start(EventStore store, GroupServiceOptions options, String nodeId,
            Leadership leadership) {
        LeaderGroupService groups = new LeaderGroupService(Objects.requireNonNull(store, "store"),
                Objects.requireNonNull(options, "options"), Objects.requireNonNull(nodeId, "nodeId"),
                Objects.requireNonNull(leadership, "leadership"));
        groups.leadershipChanged();
        return groups;
    }

    /** The leadership may have changed: look again, on the transitions thread. Any thread; returns at once. */
    public void leadershipChanged() {
        submit(this::reconcile);
    }

    /** Whether the service runs on this node now. */
    public boolean isRunning() {
        return running != null;
    }

    /**
     * {@inheritDoc} The running service while this node leads; otherwise a
     * {@link NotLeaderException} naming the leader (when known), or, on a leader whose service is
     * still opening, a {@link StoreUnavailableException} to try again shortly.
     */
    @Override
    public GroupService current() {
        if (closed) {
            throw new EventStoreException(ErrorCode.CLOSED, "the consumer groups of cluster node '" + nodeId
                    + "' are closed (the node is shutting down)");
        }
        Running now = running;
        long term = leadership.leadingTerm();
        if (term < 0) {
            throw notLeader();
        }
        if (now == null || now.term() != term) {
            throw new StoreUnavailableException("cluster node '" + nodeId + "' leads and its consumer groups are"
                    + " starting (reading the replicated groups); try again shortly");
        }
        return now.service();
    }

    private NotLeaderException notLeader() {
        String leader = leadership.leader();
        String where = leader == null || leader.equals(nodeId)
                ? "no leader is known to it now (an election is under way); try again shortly"
                : "the leader is node '" + leader + "': send GROUP commands there (the Java client moves by itself"
                        + " when given every node's endpoint)";
        return new NotLeaderException("cluster node '" + nodeId + "' is not the cluster's leader: consumer groups run"
                + " on the leader only; " + where, leader == null || leader.equals(nodeId) ? null : leader);
    }

    /**
     * Opens or closes the service so that it runs exactly while the node leads, one service per
     * term: a service opened in an earlier term is closed first (another node may have led and
     * written the groups' state in between). Transitions thread only.
     */
    private void reconcile() {
        if (closed) {
            return;
        }
        long term = leadership.leadingTerm();
        Running old = running;
        if (old != null && old.term() != term) {
            running = null;
            String why = term < 0 ? notLeader().getMessage() : "it leads again, in term " + term;
            LOG.info("cluster node '{}' stops the consumer groups it ran in term {}, without writing: {}", nodeId,
                    old.term(), why);
            old.service().closeWithoutWriting("cluster node '" + nodeId + "' is no longer the leader");
        }
        if (term >= 0 && running == null) {
            try {
                // The fence: a state write of the service an earlier leader ran, still retried by
                // its node, is refused once this one has opened (docs/GROUPS.md, "On a cluster").
                running = new Running(GroupService.open(store, options.withFenceOnOpen(true)), term);
                LOG.info("cluster node '{}' leads in term {}: its consumer groups run", nodeId, term);
            } catch (RuntimeException e) {
                LOG.warn("cluster node '{}' leads but could not start its consumer groups; trying again in {} ms: {}",
                        nodeId, RETRY_MILLIS, e.toString());
                try {
                    transitions.schedule(this::reconcile, RETRY_MILLIS, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closing) {
                    LOG.debug("not retrying: closing");
                }
            }
        }
    }

    private void submit(Runnable task) {
        try {
            transitions.execute(task);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    /**
     * Stops watching and closes the service if it runs, writing the groups' final state (the node
     * still leads when it shuts down, so the write can commit). Close it before the store.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        java.util.concurrent.Future<?> last = transitions.submit(() -> {
            Running now = running;
            running = null;
            if (now != null) {
                now.service().close();
            }
        });
        try {
            last.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("the consumer groups of cluster node '{}' did not close cleanly", nodeId, e);
        } finally {
            transitions.shutdownNow();
        }
    }
}
