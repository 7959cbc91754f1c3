package io.rewind.api;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * An event store: durable, ordered, append-only streams of events, one global order over all of
 * them, reads over history and subscriptions that go from history to live without a gap.
 *
 * <p>Every implementation (the embedded log, the in-memory store, the SQL stores, the remote
 * client) behaves the same way; the contract tests in {@code rewind-testkit} define that
 * behaviour. Implementations are thread-safe.
 *
 * <h2>Reads</h2>
 * Reads return at most {@code limit} events (1 to {@link Limits#MAX_READ_LIMIT}; anything else is an
 * {@link InvalidRequestException}), starting at the given version or position inclusive and going
 * forwards or backwards. {@link #END} as the start of a backward read means "from the newest".
 * A read of a stream with no events returns an empty list. Reads see only durable events.
 */
public interface EventStore extends AutoCloseable {

    /** As the start of a read: the newest end of the stream or of the store. */
    long END = Long.MAX_VALUE;

    /**
     * Appends atomically. The future completes when the events are as durable as the store's
     * policy says (after fsync by default), or fails with an {@link EventStoreException}: nothing
     * was written then.
     *
     * <p>Appends started one after another by one thread (without waiting for the previous one)
     * are stored in the order they were started, so a writer may pipeline appends to a stream
     * with {@link ExpectedVersion#any()} and keep its order.
     */
    CompletableFuture<AppendResult> appendAsync(AppendRequest request);

    /** Appends atomically and waits for durability; see {@link #appendAsync}. */
    default AppendResult append(AppendRequest request) {
        return await(appendAsync(request));
    }

    /** Appends {@code events} to one stream atomically; see {@link #appendAsync}. */
    default AppendResult append(String stream, ExpectedVersion expected, List<EventData> events) {
        return append(AppendRequest.to(stream, expected, events));
    }

    /** Appends {@code events} to one stream atomically; see {@link #appendAsync}. */
    default AppendResult append(String stream, ExpectedVersion expected, EventData... events) {
        return append(AppendRequest.to(stream, expected, events));
    }

    /** Events of one stream from {@code fromVersion} (inclusive) in the given direction. */
    List<RecordedEvent> readStream(String stream, long fromVersion, Direction direction, int limit);

    /** Events of the whole store, in global order, from {@code fromPosition} (inclusive). */
    List<RecordedEvent> readAll(long fromPosition, Direction direction, int limit);

    /** The event with this id, if stored. */
    Optional<RecordedEvent> readEvent(UUID id);

    /**
     * The position of the first event whose timestamp is at or after {@code time}, or
     * {@link #headPosition()} + 1 when there is none: a reader that reads forward from it
     * "rewinds" to that moment.
     */
    long firstPositionAtOrAfter(Instant time);

    /** The position of the newest durable event, -1 when the store is empty. */
    long headPosition();

    /** What the store knows of a stream; empty when it has no events. */
    Optional<StreamInfo> streamInfo(String stream);

    /**
     * Streams whose names start with {@code prefix} ("" for all) and sort after {@code after}
     * (null or "" for the first page), in {@link Limits#STREAM_NAME_ORDER}, at most {@code limit}
     * (1 to {@link Limits#MAX_READ_LIMIT}, as for reads).
     */
    StreamPage listStreams(String prefix, String after, int limit);

    /** Starts a subscription; the listener is called from a thread the store owns. */
    Subscription subscribe(SubscriptionRequest request, SubscriptionListener listener);

    /**
     * Closes the store: appends already accepted complete (or fail with
     * {@link StoreClosedException}), subscriptions end, files are released. Idempotent.
     */
    @Override
    void close();

    /**
     * Waits for a future of this API and rethrows its failure as the {@link EventStoreException}
     * it carries.
     */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while waiting for the store", e);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof EventStoreException ese) {
                throw ese;
            }
            throw new EventStoreException(ErrorCode.INTERNAL, "append failed: " + cause, cause);
        }
    }

    /**
     * Registers {@code listener} to be told whenever the durable head moves, until the returned
     * registration is closed or the store closes ({@link HeadListener#stopped}). The listener is
     * called on a store thread and must not block (see {@link HeadListener}). Cheaper than a
     * subscription when the caller reads the new events itself, e.g. a server broadcasting them.
     *
     * @throws InvalidRequestException if {@code listener} is null
     * @throws StoreClosedException    if the store is closed
     */
    HeadListener.Registration watchHead(HeadListener listener);

    /**
     * Appends as {@link #appendAsync(AppendRequest)} does, and hands the outcome to {@code whenDone}
     * instead of a future: exactly once, on a thread of the store, which it must not block (see
     * {@link AppendCallback}). Never blocks the caller either. A store whose futures complete on a
     * thread of their own, so that user callbacks cannot delay its writer (the log), calls
     * {@code whenDone} from the writer instead and saves that thread hand-off; the default
     * completes through {@link #appendAsync(AppendRequest)}.
     *
     * @throws InvalidRequestException if {@code whenDone} is null (a bad request is otherwise
     *                                 reported to {@code whenDone})
     */
    default void appendAsync(AppendRequest request, AppendCallback whenDone) {
        if (whenDone == null) {
            throw new InvalidRequestException("append callback must not be null");
        }
        CompletableFuture<AppendResult> future;
        try {
            future = appendAsync(request);
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        future.whenComplete((result, failure) -> whenDone.completed(failure == null ? result : null,
                failure == null ? null : asStoreException(failure)));
    }

    /** The {@link EventStoreException} a future's failure carries (INTERNAL for anything else). */
    private static EventStoreException asStoreException(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof EventStoreException e ? e
                : new EventStoreException(ErrorCode.INTERNAL, "append failed: " + cause, cause);
    }
}
