package io.rewind.api.support;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The position of a store's newest durable event, and a way to wait for it to move. The store's
 * writer calls {@link #advance} after an append is durable; subscriptions wait in
 * {@link #awaitBeyond}. Thread-safe.
 */
public final class HeadWatch {

    private final ReentrantLock lock = new ReentrantLock();
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

    /** Publishes a new durable head and wakes every waiter. Heads only move forward. */
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

    /** Marks the watch closed and wakes every waiter for good. */
    public void close() {
        closed = true;
        wakeAll();
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
