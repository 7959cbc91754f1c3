package io.rewind.server;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs tasks one at a time, in the order they were given, on a shared pool. The server hands every
 * append to the store through one of these, in the order the socket thread received them, so that
 * appends a client pipelines on one connection are stored in the order it sent them (the store
 * keeps submission order; a plain pool would let two workers race). A drain holds one pool thread
 * only while tasks are queued. Thread-safe.
 */
final class OrderedExecutor implements Executor {

    private final Executor pool;
    private final Queue<Runnable> queue = new ArrayDeque<>();
    private boolean draining;

    OrderedExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            queue.add(task);
            if (draining) {
                return;
            }
            draining = true;
        }
        try {
            pool.execute(this::drain);
        } catch (RejectedExecutionException e) {
            drain(); // the pool is shutting down: run here, still in order, rather than drop the tasks
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    draining = false;
                    return;
                }
            }
            next.run();
        }
    }
}
