package io.rewind.core;

import io.rewind.api.HeadListener;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.StoreClosedException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The position of a store's newest durable event, and a way to wait for it to move. The store's
 * writer calls {@link #advance} after an append is durable; subscriptions wait in
 * {@link #awaitBeyond}, and a caller that has its own event loop registers a listener instead
 * ({@link #watch}, behind {@link io.rewind.api.EventStore#watchHead}), so it learns of a new head
 * without a thread of its own in between. Stores advance it only after the events up to the new
 * head are durable and readable, and close it when they close.
 * Thread-safe.
 */
public final class HeadWatch {

    private final ReentrantLock lock = new ReentrantLock();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final Condition moved = lock.newCondition();
    private volatile long head;
    private volatile boolean closed;

    public HeadWatch(long initialHead) {
        this.head = initialHead;
    }

    /** The newest durable position, -1 when the store is empty. */
    public long head() {
        return head;
    }

    /**
     * Publishes a new durable head, wakes every waiter and then calls every listener (on this
     * thread). Heads only move forward.
     */
    public void advance(long newHead) {
        lock.lock();
        try {
            if (newHead > head) {
                head = newHead;
            }
            moved.signalAll();
        } finally {
            lock.unlock();
        }
        notifyListeners();
    }

    /**
     * Registers {@code listener} to be called after every {@link #advance} and on {@link #close},
     * on the thread that made the call (a store's writer): it must return at once and never block,
     * e.g. only wake the listener's own thread, which then reads {@link #head()}. A listener may be
     * called when the head did not move; it is never left uncalled after the head moved.
     */
    public void addListener(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Stops calling {@code listener}; once this returns, a call already under way may still finish. */
    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    private void notifyListeners() {
        for (Runnable listener : listeners) {
            listener.run();
        }
    }

    /**
     * Registers an API {@link HeadListener} on this watch: what a store's
     * {@link io.rewind.api.EventStore#watchHead} does. The listener hears the head after every
     * {@link #advance}, and {@link HeadListener#stopped} once the watch closes (at once if it is
     * closed already, so a registration racing with close still ends).
     *
     * @throws InvalidRequestException if {@code listener} is null
     */
    public HeadListener.Registration watch(HeadListener listener) {
        if (listener == null) {
            throw new InvalidRequestException("head listener must not be null");
        }
        Runnable call = new Runnable() {
            private final AtomicBoolean stopped = new AtomicBoolean();

            @Override
            public void run() {
                if (closed) {
                    if (stopped.compareAndSet(false, true)) {
                        listeners.remove(this);
                        listener.stopped(new StoreClosedException("the store was closed"));
                    }
                } else {
                    listener.headMoved(head);
                }
            }
        };
        addListener(call);
        if (closed) {
            call.run();
        }
        return () -> removeListener(call);
    }

    /** Wakes every waiter without moving the head (a subscription is closing, or the store). */
    public void wakeAll() {
        lock.lock();
        try {
            moved.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Marks the watch closed, wakes every waiter for good and calls every listener. */
    public void close() {
        closed = true;
        wakeAll();
        notifyListeners();
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Waits until the head is beyond {@code position}, the watch is woken or closed, or the timeout
     * passes. Returns the head then; callers re-check their own state after every return.
     */
    public long awaitBeyond(long position, long timeout, TimeUnit unit) throws InterruptedException {
        if (head > position || closed) {
            return head;
        }
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            if (head <= position && !closed && nanos > 0) {
                moved.awaitNanos(nanos);
            }
            return head;
        } finally {
            lock.unlock();
        }
    }
}
