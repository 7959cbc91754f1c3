package io.rewind.testkit;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting on conditions with a deadline, never for a fixed time: a test waits exactly as long as
 * the store needs, and fails with a message naming what it waited for when the deadline passes.
 * Stateless and thread-safe.
 */
public final class Await {

    /**
     * How long a contract test waits for something that should happen at once. Generous, because
     * the stores under test may fsync every append or sit behind a network hop on a loaded machine.
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final long FIRST_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    private static final long LONGEST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private Await() {
    }

    /** Waits up to {@link #DEFAULT_TIMEOUT} until {@code condition} holds. */
    public static void until(BooleanSupplier condition, String description) {
        until(condition, DEFAULT_TIMEOUT, () -> description);
    }

    /** Waits up to {@code timeout} until {@code condition} holds. */
    public static void until(BooleanSupplier condition, Duration timeout, String description) {
        until(condition, timeout, () -> description);
    }

    /**
     * Polls {@code condition}, with pauses growing from 0.2 ms to 10 ms, until it holds.
     *
     * @param description says what was awaited; computed only on failure, so it may show state
     * @throws AssertionError when the timeout passes first
     */
    public static void until(BooleanSupplier condition, Duration timeout, Supplier<String> description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting until "
                        + description.get());
            }
            LockSupport.parkNanos(pause);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting until " + description.get());
            }
            pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
        }
    }

    /**
     * The value of {@code future} within {@link #DEFAULT_TIMEOUT}.
     *
     * @throws AssertionError when it fails or does not complete in time
     */
    public static <T> T result(CompletableFuture<T> future) {
        try {
            return future.get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a future", e);
        } catch (ExecutionException e) {
            throw new AssertionError("the future failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the future did not complete within " + DEFAULT_TIMEOUT.toMillis() + " ms", e);
        }
    }

    /**
     * The exception {@code future} fails with, within {@link #DEFAULT_TIMEOUT}.
     *
     * @throws AssertionError when it succeeds or does not complete in time
     */
    public static Throwable failure(CompletableFuture<?> future) {
        try {
            Object value = future.get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected the future to fail, but it completed with " + value);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a future", e);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("the future did not complete within " + DEFAULT_TIMEOUT.toMillis() + " ms", e);
        }
    }
}
