package io.rewind.testkit;

import io.rewind.api.RecordedEvent;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A {@link SubscriptionListener} that records everything it is told (events and checkpoint notices,
 * in the order they came), lets a test wait for it, and notes any breach of the listener contract
 * (called concurrently, told of catch-up or close twice, an event or notice after close). An optional {@link Reaction} runs inside {@code onEvent}, after the event is
 * recorded, to make the listener slow, throw, or close its subscription.
 *
 * <p>Thread-safe: the store calls it from its own thread while the test reads and waits on it.
 */
public final class RecordingListener implements SubscriptionListener {

    /** What the listener does with each event after recording it. */
    @FunctionalInterface
    public interface Reaction {
        /**
         * @param event    the event just recorded
         * @param received how many events the listener has received, this one included
         */
        void react(SubscriptionEvent event, int received) throws Exception;
    }

    private final Reaction reaction;
    private final AtomicBoolean inCall = new AtomicBoolean();
    private final List<SubscriptionEvent> events = new ArrayList<>();
    private final List<Long> checkpoints = new ArrayList<>();
    /** Events and notices in order of arrival: a SubscriptionEvent or a Long (a notice's position). */
    private final List<Object> timeline = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private int caughtUpCalls;
    private int eventsAtCaughtUp = -1;
    private int closeCalls;
    private Throwable closeCause;

    /** A listener that only records. */
    public RecordingListener() {
        this((event, received) -> { });
    }

    /** A listener that records, then runs {@code reaction} on each event. */
    public RecordingListener(Reaction reaction) {
        this.reaction = reaction;
    }

    @Override
    public void onEvent(SubscriptionEvent event) {
        enter("onEvent");
        int received;
        try {
            synchronized (this) {
                if (closeCalls > 0) {
                    violations.add("event at position " + event.event().position() + " after onClose");
                }
                events.add(event);
                timeline.add(event);
                received = events.size();
                notifyAll();
            }
            reaction.react(event, received);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the test listener's reaction failed", e);
        } finally {
            leave();
        }
    }

    @Override
    public void onCheckpoint(long position) {
        enter("onCheckpoint");
        try {
            synchronized (this) {
                if (closeCalls > 0) {
                    violations.add("checkpoint at position " + position + " after onClose");
                }
                checkpoints.add(position);
                timeline.add(position);
                notifyAll();
            }
        } finally {
            leave();
        }
    }

    @Override
    public void onCaughtUp() {
        enter("onCaughtUp");
        try {
            synchronized (this) {
                caughtUpCalls++;
                if (caughtUpCalls == 1) {
                    eventsAtCaughtUp = events.size();
                } else {
                    violations.add("onCaughtUp called " + caughtUpCalls + " times");
                }
                notifyAll();
            }
        } finally {
            leave();
        }
    }

    @Override
    public void onClose(Throwable cause) {
        enter("onClose");
        try {
            synchronized (this) {
                closeCalls++;
                if (closeCalls == 1) {
                    closeCause = cause;
                } else {
                    violations.add("onClose called " + closeCalls + " times");
                }
                notifyAll();
            }
        } finally {
            leave();
        }
    }

    private void enter(String method) {
        if (!inCall.compareAndSet(false, true)) {
            synchronized (this) {
                violations.add(method + " called while another call was in progress");
            }
        }
    }

    private void leave() {
        inCall.set(false);
    }

    /** Waits until at least {@code count} events arrived; returns all events received so far. */
    public List<SubscriptionEvent> awaitCount(int count, Duration timeout) {
        awaitState(() -> events.size() >= count, timeout, () -> count + " events (received " + events.size()
                + ", closed " + (closeCalls > 0) + ", cause " + closeCause + ")");
        return events();
    }

    /** {@link #awaitCount(int, Duration)} with {@link Await#DEFAULT_TIMEOUT}. */
    public List<SubscriptionEvent> awaitCount(int count) {
        return awaitCount(count, Await.DEFAULT_TIMEOUT);
    }

    /**
     * Waits until a checkpoint notice at or past {@code position} arrived; returns every notice's
     * position so far.
     */
    public List<Long> awaitCheckpointAtLeast(long position, Duration timeout) {
        awaitState(() -> !checkpoints.isEmpty() && checkpoints.get(checkpoints.size() - 1) >= position, timeout,
                () -> "a checkpoint at or past " + position + " (notices " + checkpoints + ", events " + positions()
                        + ", closed " + (closeCalls > 0) + ", cause " + closeCause + ")");
        return checkpoints();
    }

    /** {@link #awaitCheckpointAtLeast(long, Duration)} with {@link Await#DEFAULT_TIMEOUT}. */
    public List<Long> awaitCheckpointAtLeast(long position) {
        return awaitCheckpointAtLeast(position, Await.DEFAULT_TIMEOUT);
    }

    /** The positions of the checkpoint notices received so far, in order of arrival. */
    public synchronized List<Long> checkpoints() {
        return List.copyOf(checkpoints);
    }

    /** Waits until {@code onCaughtUp} was called; returns how many events had arrived by then. */
    public int awaitCaughtUp() {
        awaitState(() -> caughtUpCalls > 0, Await.DEFAULT_TIMEOUT,
                () -> "onCaughtUp (received " + events.size() + " events, closed " + (closeCalls > 0) + ")");
        synchronized (this) {
            return eventsAtCaughtUp;
        }
    }

    /** Waits until {@code onClose} was called; returns its cause, empty for a plain close. */
    public Optional<Throwable> awaitClosed() {
        awaitState(() -> closeCalls > 0, Await.DEFAULT_TIMEOUT,
                () -> "onClose (received " + events.size() + " events)");
        synchronized (this) {
            return Optional.ofNullable(closeCause);
        }
    }

    private synchronized void awaitState(BooleanSupplier condition, Duration timeout,
            Supplier<String> description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for "
                        + description.get());
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, remaining);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + description.get(), e);
            }
        }
    }

    /** The events received so far, in order of arrival. */
    public synchronized List<SubscriptionEvent> events() {
        return List.copyOf(events);
    }

    /** The recorded events received so far, in order of arrival. */
    public synchronized List<RecordedEvent> recordedEvents() {
        return events.stream().map(SubscriptionEvent::event).toList();
    }

    /** The positions of the events received so far, in order of arrival. */
    public synchronized List<Long> positions() {
        return events.stream().map(event -> event.event().position()).toList();
    }

    public synchronized int count() {
        return events.size();
    }

    public synchronized int caughtUpCalls() {
        return caughtUpCalls;
    }

    public synchronized boolean isClosed() {
        return closeCalls > 0;
    }

    /**
     * Checks what every subscription owes its listener: no breach of the listener contract, and an
     * unbroken chain, each event naming as previous position that of the event before it (the first
     * naming {@code startAfter}), with the positions of events and checkpoint notices together
     * strictly increasing.
     *
     * @throws AssertionError describing the first breach
     */
    public synchronized void assertUnbrokenChainFrom(long startAfter) {
        if (!violations.isEmpty()) {
            throw new AssertionError("listener contract breached: " + violations);
        }
        long previous = startAfter;
        long reached = startAfter;
        for (Object item : timeline) {
            if (item instanceof Long notice) {
                if (notice <= reached) {
                    throw new AssertionError("checkpoint at " + notice + " after position " + reached);
                }
                reached = notice;
                continue;
            }
            SubscriptionEvent delivered = (SubscriptionEvent) item;
            long position = delivered.event().position();
            if (delivered.previousPosition() != previous) {
                throw new AssertionError("event at position " + position + " names previous position "
                        + delivered.previousPosition() + ", but the previous delivery was " + previous);
            }
            if (position <= reached) {
                throw new AssertionError("position " + position + " delivered after " + reached);
            }
            previous = position;
            reached = position;
        }
    }
}
