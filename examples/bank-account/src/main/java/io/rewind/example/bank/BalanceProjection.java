package io.rewind.example.bank;

import io.rewind.api.EventStore;
import io.rewind.api.RecordedEvent;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The read side: the balance of every account, built from a subscription to the account streams
 * and saved with the position it includes ({@link ProjectionState}). Started again on the same
 * file, it resumes after the saved position: nothing is counted twice and nothing is missed, even
 * if it was stopped (or killed) while events kept coming. Thread-safe: the subscription's thread
 * applies events, any thread may query.
 *
 * <p>It saves after every event once live, and every {@link #SAVE_EVERY} events while it replays
 * history; either way state and position are saved together, so how often only decides how much
 * is replayed after a crash. The store may hold other streams too: the subscription skips them and
 * sends checkpoint notices while it does, and the projection saves a notice's position like an
 * event's, so a restart does not scan a long stretch of other streams again.
 */
public final class BalanceProjection implements AutoCloseable {

    static final int SAVE_EVERY = 100;

    private final Path stateFile;
    private final long resumedAfter;
    private final Map<String, Long> balances;
    /** The position the balances include: the last event applied, or a later checkpoint notice. */
    private long position;
    /** The last event applied (the saved position before any): the next event must name it. */
    private long lastEvent;
    private long applied;
    private int unsaved;
    private boolean live;
    private Throwable failure;
    private Subscription subscription;

    private BalanceProjection(Path stateFile, ProjectionState saved) {
        this.stateFile = stateFile;
        this.resumedAfter = saved.position();
        this.position = saved.position();
        this.lastEvent = saved.position();
        this.balances = new HashMap<>(saved.balances());
    }

    /**
     * Loads the saved state from {@code stateFile} (none yet: from the beginning) and subscribes to
     * the account streams after its position.
     */
    public static BalanceProjection start(EventStore store, Path stateFile) {
        return start(store, stateFile, SubscriptionRequest.DEFAULT_CHECKPOINT_EVENTS);
    }

    /** {@link #start(EventStore, Path)} with a checkpoint notice after {@code checkpointEvents} skipped events. */
    static BalanceProjection start(EventStore store, Path stateFile, int checkpointEvents) {
        BalanceProjection projection = new BalanceProjection(stateFile, ProjectionState.load(stateFile));
        SubscriptionRequest request = SubscriptionRequest.after(projection.resumedAfter)
                .withStreamPrefix(AccountEvents.STREAM_PREFIX)
                .withCheckpoints(checkpointEvents, SubscriptionRequest.DEFAULT_CHECKPOINT_INTERVAL);
        Subscription subscription = store.subscribe(request, projection.new Listener());
        synchronized (projection) {
            projection.subscription = subscription;
        }
        return projection;
    }

    /** The position this instance resumed after (-1: it started from the beginning). */
    public long resumedAfter() {
        return resumedAfter;
    }

    /** The position the balances include: every account event up to it is applied. */
    public synchronized long position() {
        return position;
    }

    /** The events this instance applied since it started (not those it loaded from the file). */
    public synchronized long applied() {
        return applied;
    }

    public synchronized Optional<Long> balance(String accountId) {
        return Optional.ofNullable(balances.get(accountId));
    }

    /**
     * Waits until the projection includes the event at {@code target}.
     *
     * @return false if it did not within the timeout
     * @throws IllegalStateException if the projection failed
     */
    public synchronized boolean awaitPosition(long target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (position < target) {
            if (failure != null) {
                throw new IllegalStateException("the balance projection failed: " + failure.getMessage(), failure);
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, remaining);
        }
        return true;
    }

    /** Stops the subscription and saves what was applied. Idempotent. */
    @Override
    public void close() {
        Subscription running;
        synchronized (this) {
            running = subscription;
        }
        running.close();
        synchronized (this) {
            if (unsaved > 0) {
                save();
            }
        }
    }

    private synchronized void apply(SubscriptionEvent delivered) {
        RecordedEvent event = delivered.event();
        // The subscription chains every event to the one before it: a break would mean a lost event.
        if (delivered.previousPosition() != lastEvent) {
            throw new IllegalStateException("event at position " + event.position() + " follows position "
                    + delivered.previousPosition() + ", but the projection's last event is at " + lastEvent);
        }
        long change = AccountEvents.balanceChange(event.type(), event.data());
        balances.merge(AccountEvents.accountId(event.stream()), change, Long::sum);
        lastEvent = event.position();
        applied++;
        advance(event.position());
    }

    /** Every account event up to {@code checkpoint} is applied: the position moves without a change. */
    private synchronized void checkpoint(long checkpoint) {
        advance(checkpoint);
    }

    /** Caller holds the lock. */
    private void advance(long newPosition) {
        position = newPosition;
        unsaved++;
        if (live || unsaved >= SAVE_EVERY) {
            save();
        }
        notifyAll();
    }

    private synchronized void caughtUp() {
        live = true;
        if (unsaved > 0) {
            save();
        }
    }

    private synchronized void failed(Throwable cause) {
        failure = cause;
        notifyAll();
    }

    /** Caller holds the lock. */
    private void save() {
        new ProjectionState(position, balances).save(stateFile);
        unsaved = 0;
    }

    /** The subscription's side; its thread is the only one that applies events. */
    private final class Listener implements SubscriptionListener {
        @Override
        public void onEvent(SubscriptionEvent event) {
            apply(event);
        }

        @Override
        public void onCheckpoint(long position) {
            checkpoint(position);
        }

        @Override
        public void onCaughtUp() {
            caughtUp();
        }

        @Override
        public void onClose(Throwable cause) {
            if (cause != null) {
                failed(cause);
            }
        }
    }
}
