package io.rewind.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The threads that generate one run's load: started one by one, joined together; the first
 * failure of any of them is kept, every loop stops when it sees it ({@link #failed()}), and
 * {@link #join} rethrows it. Thread-safe.
 */
final class LoadThreads {

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /** Starts a load thread; a runtime exception it throws becomes the run's failure. */
    synchronized void start(String name, Runnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }, name);
        threads.add(thread);
        thread.start();
    }

    /** Whether some load thread failed: the others stop at their next turn. */
    boolean failed() {
        return failure.get() != null;
    }

    /**
     * Waits for every thread started so far; then throws the first failure as a
     * {@link BenchException} ({@code what} says what failed when it was another exception).
     */
    void join(String what) throws InterruptedException {
        List<Thread> started;
        synchronized (this) {
            started = List.copyOf(threads);
        }
        for (Thread thread : started) {
            thread.join();
        }
        Throwable cause = failure.get();
        if (cause instanceof BenchException e) {
            throw e;
        }
        if (cause != null) {
            throw new BenchException(what + " failed: " + cause.getMessage(), cause);
        }
    }
}
