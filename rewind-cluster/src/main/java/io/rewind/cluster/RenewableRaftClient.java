package io.rewind.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft client a node sends its appends and leader queries through, replaced by a fresh one
 * when Ratis has given the old one up.
 *
 * <p>Why: Ratis's asynchronous client keeps its requests in order in a sliding window, retries
 * every {@link IOException} itself (forever, with the node's retry policy) and, on any other
 * failure (an {@link IllegalStateException} from a gRPC stream torn down under it while the
 * leader died, an over-sized request), fails that request and every later one and marks the
 * window failed <em>for good</em>: from then on each request it is given fails at once with an
 * {@link AlreadyClosedException} (Ratis 3.3.0, {@code SlidingWindow.Client.fail}). The node would
 * answer every append with "unknown outcome" until it restarts, while its peers work — what
 * ClusterKillTest once saw: one writer's event refused for 120 s through a node that answered
 * everything else. A new client (a new Raft client id, so a new window) takes its place at once;
 * the appends that failed on the old one are unknown outcomes their callers retry with the same
 * event ids, which the state machine recognises.
 *
 * <p>The given-up client is closed only after a grace period, so that requests it sent before
 * the failure (earlier in its window, still answered normally) can complete. Thread-safe.
 */
final class RenewableRaftClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RenewableRaftClient.class);

    private final String nodeId;
    private final Supplier<RaftClient> factory;
    private final long graceMillis;
    private final AtomicLong renewals = new AtomicLong();
    private final List<RaftClient> retired = new ArrayList<>();
    private final ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "rewind-cluster-client-closer");
        thread.setDaemon(true);
        return thread;
    });
    private volatile RaftClient current;
    private boolean closed;

    /**
     * @param nodeId      names the node in log lines
     * @param factory     builds a new client (a new client id each time)
     * @param graceMillis how long a given-up client stays open for what it sent before
     */
    RenewableRaftClient(String nodeId, Supplier<RaftClient> factory, long graceMillis) {
        this.nodeId = nodeId;
        this.factory = factory;
        this.graceMillis = graceMillis;
        this.current = factory.get();
    }

    /** The client to send through now. */
    RaftClient get() {
        return current;
    }

    /** How many times a given-up client was replaced. */
    long renewals() {
        return renewals.get();
    }

    /**
     * Whether a failure of a request sent through a Raft client means that Ratis gave the client
     * up, which happens only on the failures Ratis does not retry: an {@link AlreadyClosedException}
     * (what every request gets once the window failed), a {@link GroupMismatchException}, a
     * {@link RaftRetryFailureException} (retries exhausted), or anything that is not an
     * {@link IOException} (the failure that failed the window). Ratis retries every other
     * IOException itself; the other exceptions a caller sees are those a server put in its reply
     * (a state machine's failure, a leader stepping down), which leave the window working. A
     * server's reply may carry the first two as well: replacing a working client costs only a
     * new client id.
     */
    static boolean givenUp(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof AlreadyClosedException || cause instanceof GroupMismatchException
                || cause instanceof RaftRetryFailureException || !(cause instanceof IOException);
    }

    /**
     * Replaces {@code failed} by a new client if it is still the current one and {@code failure}
     * says Ratis gave it up ({@link #givenUp}); a no-op otherwise (another caller replaced it
     * already, or the failure was an ordinary one). Returns whether this call replaced it.
     */
    boolean renewIfGivenUp(RaftClient failed, Throwable failure) {
        if (!givenUp(failure)) {
            return false;
        }
        synchronized (this) {
            if (closed || current != failed) {
                return false;
            }
            current = factory.get();
            retired.add(failed);
            renewals.incrementAndGet();
        }
        LOG.warn("node {}: Ratis gave up this node's Raft client after {}; every later request through it would"
                + " fail, so a new client takes its place (the appends that failed on it are unknown outcomes:"
                + " retry them with the same event ids)", nodeId, String.valueOf(failure));
        closer.schedule(() -> retire(failed), graceMillis, TimeUnit.MILLISECONDS);
        return true;
    }

    private void retire(RaftClient client) {
        synchronized (this) {
            if (!retired.remove(client)) {
                return;
            }
        }
        closeQuietly(client);
    }

    /** Closes the current client and any given-up one still open. Idempotent. */
    @Override
    public void close() {
        List<RaftClient> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(retired);
            retired.clear();
            toClose.add(current);
        }
        closer.shutdownNow();
        toClose.forEach(this::closeQuietly);
    }

    private void closeQuietly(RaftClient client) {
        try {
            client.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("closing a Raft client of node {} failed: {}", nodeId, e.toString());
        }
    }
}
