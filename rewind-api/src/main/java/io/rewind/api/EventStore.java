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
 * Reads take {@link ReadOptions}: a start (a version or position, inclusive; {@link #END} as the
 * start of a backward read means "from the newest"), a direction, at most
 * {@link ReadOptions#maxEvents()} events and a byte budget ({@link ReadOptions#maxBytes()}; the first
 * event is always returned, the read stops before the event that would exceed it). A read of a
 * stream with no events returns an empty page. Reads see only durable events.
 *
 * <p>Every read has an asynchronous form ({@code ...Async}) that never does disk or database work
 * on the caller's thread: its future completes on a thread the store owns (or, for the in-memory
 * store, which has no I/O, at once). Bad arguments fail that future with the same
 * {@link InvalidRequestException} the synchronous form throws; see {@link ReadArguments}. The
 * positional forms ({@code (from, Direction, limit)}) are conveniences that read with no byte
 * budget, as before options existed.
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

    /**
     * Reads one stream; see {@link ReadOptions}. Never on the caller's thread (see the class comment).
     * Fails with an {@link InvalidRequestException} for a bad stream name or null options.
     */
    CompletableFuture<EventPage> readStreamAsync(String stream, ReadOptions options);

    /** Reads one stream and waits; see {@link #readStreamAsync}. Stores may read on the caller's thread. */
    default EventPage readStream(String stream, ReadOptions options) {
        return await(readStreamAsync(stream, options));
    }

    /**
     * At most {@code limit} events of one stream from {@code fromVersion} (inclusive) in the given
     * direction, with no byte budget: {@code readStream(stream, ReadOptions.from(fromVersion,
     * direction).withMaxEvents(limit).withMaxBytes(ReadOptions.NO_BYTE_LIMIT)).events()}.
     */
    default List<RecordedEvent> readStream(String stream, long fromVersion, Direction direction, int limit) {
        ReadOptions options = ReadOptions.from(fromVersion, direction).withMaxEvents(limit)
                .withMaxBytes(ReadOptions.NO_BYTE_LIMIT);
        return readStream(stream, options).events();
    }

    /** Reads the whole store in global order; see {@link ReadOptions}. Never on the caller's thread. */
    CompletableFuture<EventPage> readAllAsync(ReadOptions options);

    /** Reads the whole store and waits; see {@link #readAllAsync}. */
    default EventPage readAll(ReadOptions options) {
        return await(readAllAsync(options));
    }

    /**
     * At most {@code limit} events of the whole store, in global order, from {@code fromPosition}
     * (inclusive), with no byte budget; see {@link #readStream(String, long, Direction, int)}.
     */
    default List<RecordedEvent> readAll(long fromPosition, Direction direction, int limit) {
        ReadOptions options = ReadOptions.from(fromPosition, direction).withMaxEvents(limit)
                .withMaxBytes(ReadOptions.NO_BYTE_LIMIT);
        return readAll(options).events();
    }

    /** The event with this id, if stored. Never on the caller's thread. */
    CompletableFuture<Optional<RecordedEvent>> readEventAsync(UUID id);

    /** The event with this id, if stored; see {@link #readEventAsync}. */
    default Optional<RecordedEvent> readEvent(UUID id) {
        return await(readEventAsync(id));
    }

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

    /** One page of the stream listing; see {@link StreamListOptions}. Never on the caller's thread. */
    CompletableFuture<StreamPage> listStreamsAsync(StreamListOptions options);

    /** One page of the stream listing; see {@link #listStreamsAsync}. */
    default StreamPage listStreams(StreamListOptions options) {
        return await(listStreamsAsync(options));
    }

    /**
     * Streams whose names start with {@code prefix} ("" for all) and sort after {@code after}
     * (null or "" for the first page), in {@link Limits#STREAM_NAME_ORDER}, at most {@code limit}
     * (1 to {@link Limits#MAX_READ_LIMIT}, as for reads), with no byte budget.
     */
    default StreamPage listStreams(String prefix, String after, int limit) {
        return listStreams(StreamListOptions.withPrefix(prefix).after(after).withMaxStreams(limit)
                .withMaxBytes(ReadOptions.NO_BYTE_LIMIT));
    }

    /**
     * Starts a subscription; the listener is called from a thread the store owns. The store applies
     * the request's filter (one stream, a prefix or every stream, optionally narrowed to event
     * types) and gives a filtered subscription checkpoint notices while it skips events; see
     * {@link SubscriptionRequest} and {@link SubscriptionListener#onCheckpoint}.
     */
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
            throw new EventStoreException(ErrorCode.INTERNAL, "the store call failed: " + cause, cause);
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
     * What waits for this store's writer now ({@link WriterQueue}), for monitoring; empty for a store
     * without such a queue (the memory store, a remote store). Cheap, never blocks, and answers
     * after close with the last state.
     */
    default java.util.Optional<WriterQueue> writerQueue() {
        return java.util.Optional.empty();
    }

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
