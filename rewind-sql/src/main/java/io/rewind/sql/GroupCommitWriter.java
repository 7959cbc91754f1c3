package io.rewind.sql;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventStoreException;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.core.AppendAdmission;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's one writer thread: it takes appends from a queue and runs as many as are waiting
 * (within bounds) in one {@link AppendTransaction}, so one commit, one fsync and one turn at the head
 * row serve them all (group commit). Each append gets its own outcome: a refused one does not stop
 * the others of its batch.
 *
 * <p>Failures: a batch whose transaction fails before its commit was rolled back whole, so its
 * appends are run again one transaction each, which isolates the culprit; a transient failure (see
 * {@link SqlDialect#isTransient}) is retried a few times. A lost connection (see
 * {@link SqlDialect#isConnectionLoss}) is the database's failure, not an append's: the batch is
 * retried whole a few times, then failed whole, as rolled back. A failed commit leaves the outcome unknown:
 * those appends fail with {@link StoreUnavailableException} saying so, and a retry with the same event
 * ids is safe (idempotent). Nothing is retried after an unknown commit.
 *
 * <p>Thread-safe: {@link #submit} may be called from any thread, the writer thread included (from a
 * completion callback), where the append runs at once instead of waiting for its own queue.
 */
final class GroupCommitWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** Bounds of one group commit: appends, events and bytes of data and metadata. */
    private static final int MAX_BATCH_APPENDS = 512;
    private static final int MAX_BATCH_EVENTS = 10_000;
    private static final long MAX_BATCH_BYTES = 64L * 1024 * 1024;
    /** Bounds of what may wait for the writer; an append past them fails at once as overload. */
    static final int MAX_QUEUED_EVENTS = 65_536;
    static final long MAX_QUEUED_BYTES = 256L * 1024 * 1024;
    private static final int MAX_ATTEMPTS = 3;
    private static final long IDLE_POLL_MS = 100;
    private static final long CLOSE_JOIN_MS = 30_000;

    private final String storeName;
    private final DataSource connections;
    private final SqlDialect dialect;
    private final Clock clock;
    private final LongConsumer headMoved;
    /** Unbounded itself: {@link #admission} bounds what waits in it, without ever blocking a caller. */
    private final BlockingQueue<PendingAppend> queue = new LinkedBlockingQueue<>();
    private final AppendAdmission admission;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param connections where the writer takes its connection for each batch (in auto-commit mode)
     * @param headMoved   told the new head after each commit that wrote events, before the appends
     *                    of that commit complete
     */
    GroupCommitWriter(String storeName, DataSource connections, SqlDialect dialect, Clock clock,
            LongConsumer headMoved) {
        this.storeName = storeName;
        this.connections = connections;
        this.dialect = dialect;
        this.clock = clock;
        this.headMoved = headMoved;
        this.admission = new AppendAdmission(storeName, MAX_QUEUED_EVENTS, MAX_QUEUED_BYTES);
        this.thread = new Thread(this::run, "rewind-sql-writer-" + storeName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Queues an append (a validated request) without ever blocking; the future completes after its
     * transaction commits, or fails at once with {@link io.rewind.api.StoreOverloadedException} when
     * {@link #MAX_QUEUED_EVENTS} events or {@link #MAX_QUEUED_BYTES} bytes are queued already.
     */
    CompletableFuture<AppendResult> submit(AppendRequest request) {
        if (closed) {
            return CompletableFuture.failedFuture(closedException());
        }
        if (Thread.currentThread() == thread) {
            PendingAppend pending = new PendingAppend(request, null);
            process(List.of(pending));
            return pending.future;
        }
        PendingAppend pending;
        try {
            pending = new PendingAppend(request, admission.admit(request));
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        queue.add(pending);
        if (closed) {
            // The writer may have stopped before it could see this append: nobody else will fail it.
            failQueued();
        }
        return pending.future;
    }

    /** What waits for this writer now. */
    io.rewind.api.WriterQueue queue() {
        return admission.snapshot();
    }

    /** Stops the writer: the batch in progress completes, appends still queued fail with StoreClosed. */
    @Override
    public void close() {
        closed = true;
        if (Thread.currentThread() != thread) {
            try {
                thread.join(CLOSE_JOIN_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.warn("the writer of {} is still in a database call {} ms after close", storeName, CLOSE_JOIN_MS);
            }
        }
        failQueued();
    }

    private void run() {
        while (true) {
            PendingAppend first;
            try {
                first = queue.poll(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                // Nobody interrupts this thread; if someone does, it stops like a close.
                closed = true;
                break;
            }
            if (first == null) {
                if (closed) {
                    break;
                }
                continue;
            }
            if (closed) {
                first.fail(closedException());
                continue;
            }
            process(nextBatch(first));
        }
        failQueued();
    }

    /** {@code first} and as many queued appends as fit in one group commit. */
    private List<PendingAppend> nextBatch(PendingAppend first) {
        List<PendingAppend> batch = new ArrayList<>();
        batch.add(first);
        int events = first.request.eventCount();
        long bytes = first.bytes;
        first.leaveQueue(admission);
        while (batch.size() < MAX_BATCH_APPENDS) {
            PendingAppend next = queue.peek();
            if (next == null || events + next.request.eventCount() > MAX_BATCH_EVENTS
                    || bytes + next.bytes > MAX_BATCH_BYTES) {
                break;
            }
            batch.add(queue.poll());
            next.leaveQueue(admission);
            events += next.request.eventCount();
            bytes += next.bytes;
        }
        return batch;
    }

    /** Runs a batch to its end: every append in it completes or fails. */
    private void process(List<PendingAppend> batch) {
        for (int attempt = 1; ; attempt++) {
            try {
                commit(batch);
                return;
            } catch (CommitUnknownException e) {
                LOG.error("commit of {} appends to {} failed; they may or may not be stored", batch.size(), storeName,
                        e.getCause());
                batch.forEach(pending -> pending.fail(new StoreUnavailableException("the commit to " + storeName
                        + " failed, so this append may or may not be stored: retry it with the same event ids"
                        + " (a retry is recognised) [" + e.getCause().getMessage() + "]", e.getCause())));
                return;
            } catch (SQLException | RuntimeException e) {
                if (e instanceof SQLException sql && dialect.isConnectionLoss(sql)) {
                    // The database's failure, not an append's: splitting the batch would only make
                    // each append wait for a connection in turn.
                    if (attempt < MAX_ATTEMPTS) {
                        LOG.debug("retrying {} appends to {} after a lost connection", batch.size(), storeName, e);
                        continue;
                    }
                    batch.forEach(pending -> pending.fail(failure(e)));
                    return;
                }
                if (batch.size() > 1) {
                    // Rolled back whole: run each alone, so that only the culprit fails.
                    batch.forEach(pending -> process(List.of(pending)));
                    return;
                }
                if (!(e instanceof SQLException sql && dialect.isTransient(sql) && attempt < MAX_ATTEMPTS)) {
                    batch.get(0).fail(failure(e));
                    return;
                }
                LOG.debug("retrying an append to {} after a transient failure", storeName, e);
            }
        }
    }

    /**
     * One transaction for the whole batch; completes its appends only after the commit, and after
     * the connection went back to the pool, so that an append made from a completion callback can
     * have it.
     */
    private void commit(List<PendingAppend> batch) throws SQLException, CommitUnknownException {
        List<Object> outcomes;
        long head;
        boolean wroteEvents;
        try (Connection connection = connections.getConnection()) {
            List<AppendRequest> requests = batch.stream().map(pending -> pending.request).toList();
            AppendTransaction transaction = AppendTransaction.beginWith(connection, dialect, clock, requests);
            try {
                outcomes = transaction.decide(requests);
            } catch (SQLException | RuntimeException e) {
                AppendTransaction.rollbackQuietly(connection, dialect, e);
                throw e;
            }
            head = transaction.commit();
            wroteEvents = transaction.wroteEvents();
        }
        if (wroteEvents) {
            headMoved.accept(head);
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).complete(outcomes.get(i));
        }
    }

    private EventStoreException failure(Exception e) {
        if (closed) {
            return closedException();
        }
        if (e instanceof SQLException sql) {
            return new StoreUnavailableException("the append to " + storeName + " failed and was rolled back: "
                    + sql.getMessage() + " (SQLSTATE " + sql.getSQLState() + ")", sql);
        }
        return new EventStoreException(ErrorCode.INTERNAL, "the append to " + storeName + " failed and was rolled back: "
                + e, e);
    }

    private StoreClosedException closedException() {
        return new StoreClosedException(storeName + " is closed");
    }

    private void failQueued() {
        PendingAppend pending;
        while ((pending = queue.poll()) != null) {
            pending.fail(closedException());
        }
    }

    /** An append waiting for its transaction. */
    private static final class PendingAppend {
        final AppendRequest request;
        final long bytes;
        final CompletableFuture<AppendResult> future = new CompletableFuture<>();
        /** The room held in the queue's bound; null once given back, or for an append never queued. */
        private AppendAdmission.Ticket ticket;

        PendingAppend(AppendRequest request, AppendAdmission.Ticket ticket) {
            this.request = request;
            this.ticket = ticket;
            this.bytes = AppendAdmission.payloadBytes(request);
        }

        /** Gives back the queue room, once; writer thread only. */
        void leaveQueue(AppendAdmission admission) {
            if (ticket != null) {
                admission.release(ticket);
                ticket = null;
            }
        }

        void complete(Object outcome) {
            if (outcome instanceof AppendResult result) {
                future.complete(result);
            } else {
                future.completeExceptionally((Throwable) outcome);
            }
        }

        void fail(EventStoreException failure) {
            future.completeExceptionally(failure);
        }
    }
}
