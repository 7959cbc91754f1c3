package io.rewind.core;

import io.rewind.api.StoreClosedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The threads a store runs its asynchronous reads on, so that a {@code ...Async} read never does
 * disk or database work on its caller's thread. A fixed number of daemon threads; the futures
 * complete on them. Reads are never interrupted (an interrupt would close a shared file channel):
 * {@link #close()} lets the reads already taken finish and refuses new ones. Thread-safe.
 */
public final class ReaderPool implements AutoCloseable {

    private final String storeName;
    private final ExecutorService threads;

    private ReaderPool(String storeName, ExecutorService threads) {
        this.storeName = storeName;
        this.threads = threads;
    }

    /** Starts {@code threads} reader threads named after {@code storeName}. */
    public static ReaderPool start(String storeName, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("reader threads must be >= 1, was " + threads);
        }
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "rewind-reader-" + storeName + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        return new ReaderPool(storeName, Executors.newFixedThreadPool(threads, factory));
    }

    /**
     * Runs {@code read} on a reader thread; the future carries its result or the exception it threw,
     * or a {@link StoreClosedException} if the pool is closed.
     */
    public <T> CompletableFuture<T> submit(Supplier<T> read) {
        try {
            return CompletableFuture.supplyAsync(read, threads);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new StoreClosedException(storeName + " is closed"));
        }
    }

    /** Refuses new reads; the ones already taken run to their end. Idempotent, does not wait. */
    @Override
    public void close() {
        threads.shutdown();
    }
}
