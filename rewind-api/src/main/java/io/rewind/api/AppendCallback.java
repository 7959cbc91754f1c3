package io.rewind.api;

/**
 * Receives the outcome of an append started with
 * {@link EventStore#appendAsync(AppendRequest, AppendCallback)}: exactly one call, with the result
 * or with the failure ({@code null} the other). It runs on a thread of the store (its writer, for
 * the log) and must return at once and never block: it is for a caller with its own event loop,
 * which only queues the outcome for its own thread.
 */
@FunctionalInterface
public interface AppendCallback {

    /** The append completed with {@code result}, or failed with {@code failure} (nothing was written then). */
    void completed(AppendResult result, EventStoreException failure);
}
