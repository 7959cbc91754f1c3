package io.rewind.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.rewind.api.ErrorCode;
import io.rewind.api.EventStoreException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Waiting on the futures of the async reads in contract tests, with a deadline. Stateless. */
final class AsyncReads {

    /** Long enough for a loaded machine, short enough to name a hung read. */
    static final long TIMEOUT_SECONDS = 30;

    private AsyncReads() {
    }

    /** The result of a future that must complete normally within the deadline. */
    static <T> T result(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for an async read", e);
        } catch (ExecutionException e) {
            throw new AssertionError("the async read failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the async read did not complete in " + TIMEOUT_SECONDS + " s", e);
        }
    }

    /**
     * Asserts that an async call returns a future (it does not throw) that fails with exactly
     * {@code type} and {@code code}, and returns that exception.
     */
    static <T extends EventStoreException> T failure(Supplier<CompletableFuture<?>> call, Class<T> type,
            ErrorCode code) {
        CompletableFuture<?>[] future = new CompletableFuture<?>[1];
        Throwable thrown = catchThrowable(() -> future[0] = call.get());
        assertThat(thrown).as("an async read must fail its future, not throw").isNull();
        assertThat(future[0]).as("the future of the async read").isNotNull();
        Throwable failure = catchThrowable(() -> future[0].get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertThat(failure).as("the failure of the async read").isInstanceOf(ExecutionException.class);
        return StoreAssertions.assertFails(() -> {
            throw failure.getCause();
        }, type, code);
    }
}
