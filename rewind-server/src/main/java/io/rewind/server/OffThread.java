package io.rewind.server;

import io.rewind.api.StoreUnavailableException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Runs store work on the worker pool and brings its outcome back to the socket thread through the
 * {@link Mailbox}, so socket-owned state is only ever touched by the socket thread. Thread-safe.
 */
final class OffThread {

    private final ExecutorService workers;
    private final Mailbox mailbox;

    OffThread(ExecutorService workers, Mailbox mailbox) {
        this.workers = workers;
        this.mailbox = mailbox;
    }

    /** Runs {@code work} on a worker; {@code then} receives its result or failure on the socket thread. */
    <T> void call(Callable<T> work, BiConsumer<T, Throwable> then) {
        execute(() -> {
            T result;
            try {
                result = work.call();
            } catch (Throwable failure) {
                mailbox.post(() -> then.accept(null, failure));
                return;
            }
            mailbox.post(() -> then.accept(result, null));
        }, then);
    }

    /**
     * Starts non-blocking store work (the stores' {@code ...Async} reads, which never touch disk on
     * their caller's thread) right here on the socket thread; {@code then} receives the outcome on
     * the socket thread, through the mailbox. No worker is involved.
     */
    <T> void started(Supplier<CompletableFuture<T>> start, BiConsumer<T, Throwable> then) {
        CompletableFuture<T> future;
        try {
            future = start.get();
        } catch (Throwable failure) {
            future = CompletableFuture.failedFuture(failure);
        }
        future.whenComplete((result, failure) -> mailbox.post(() -> then.accept(result, unwrap(failure))));
    }

    private <T> void execute(Runnable task, BiConsumer<T, Throwable> then) {
        try {
            workers.execute(task);
        } catch (RejectedExecutionException e) {
            then.accept(null, new StoreUnavailableException("the server is shutting down", e));
        }
    }

    /** The real failure inside a future's wrapping exception. */
    static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
