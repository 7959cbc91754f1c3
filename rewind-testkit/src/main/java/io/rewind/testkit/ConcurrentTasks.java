package io.rewind.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the same task on several threads that start together, and waits for all of them with a
 * deadline. A failure on any thread fails the caller with that failure; threads still running at
 * the deadline are interrupted. Stateless and thread-safe.
 */
public final class ConcurrentTasks {

    /** The work of one thread. */
    @FunctionalInterface
    public interface Task {
        /** @param thread the index of the thread running it, 0 to threads - 1 */
        void run(int thread) throws Exception;
    }

    private ConcurrentTasks() {
    }

    /** Runs {@code task} on {@code threads} threads and waits up to {@code timeout} for all. */
    public static void run(int threads, Duration timeout, Task task) {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>(threads);
            for (int i = 0; i < threads; i++) {
                int thread = i;
                futures.add(executor.submit(() -> {
                    start.await();
                    task.run(thread);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                awaitOne(future, deadline, timeout);
            }
        } finally {
            stop(executor, deadline);
        }
    }

    /**
     * Lets the other threads finish their bounded work after one failed, and interrupts them only
     * at the deadline: an interrupt inside a store's file I/O would close its channel for everyone.
     */
    private static void stop(ExecutorService executor, long deadline) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitOne(Future<?> future, long deadline, Duration timeout) {
        try {
            future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for concurrent tasks", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new AssertionError("a concurrent task failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new AssertionError("concurrent tasks did not finish within " + timeout.toMillis() + " ms", e);
        }
    }
}
