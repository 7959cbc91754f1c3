package io.rewind.client;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventPage;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.HeadListener;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.Limits;
import io.rewind.api.ReadArguments;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamListOptions;
import io.rewind.api.StreamPage;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;

/**
 * The {@link EventStore} of a remote Rewind server, over Rewind's own commands. Every method may be
 * called from any number of threads at once: requests are pipelined over one connection and matched
 * to their replies by id. Failures are the exception classes the embedded store throws, rebuilt from
 * the server's error codes; a request that gets no reply in time, or whose connection drops, fails
 * with {@link io.rewind.api.StoreUnavailableException}. Thread-safe.
 */
final class RemoteEventStore implements EventStore {

    /** Builds one page request of a read for a request id, a start, a limit and a byte budget. */
    @FunctionalInterface
    private interface PageRequest {
        CommandRequest build(long requestId, long from, int limit, long maxBytes);
    }

    private final ClientConfig config;
    private final Connection connection;
    private volatile boolean closed;
    /** See {@link #groupsConnection()}; guarded by this. */
    private Connection groupsConnection;
    /** Closed with this client: the group consumers with connections of their own. */
    private final java.util.Set<AutoCloseable> dependents = java.util.concurrent.ConcurrentHashMap.newKeySet();

    RemoteEventStore(ClientConfig config, Connection connection) {
        this.config = config;
        this.connection = connection;
    }

    /** The connection, for {@link RemoteGroups}. */
    Connection connection() {
        return connection;
    }

    ClientConfig config() {
        return config;
    }

    /**
     * For {@link RemoteGroups} of a client given several endpoints: a connection of its own that
     * moves on to look for the leader (so the client's own connection stays where it is), opened
     * on first use and closed with this client.
     */
    synchronized Connection groupsConnection() {
        checkOpen();
        if (groupsConnection == null) {
            Connection opened = Connection.open(config);
            groupsConnection = opened;
            closeWith(opened::close);
        }
        return groupsConnection;
    }

    /** Closes {@code dependent} when this client closes (at once if it is closed already). */
    void closeWith(AutoCloseable dependent) {
        dependents.add(dependent);
        if (closed) {
            closeDependents();
        }
    }

    void forget(AutoCloseable dependent) {
        dependents.remove(dependent);
    }

    private void closeDependents() {
        for (AutoCloseable dependent : List.copyOf(dependents)) {
            dependents.remove(dependent);
            try {
                dependent.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(RemoteEventStore.class).debug("closing {} failed", dependent, e);
            }
        }
    }

    @Override
    public CompletableFuture<AppendResult> appendAsync(AppendRequest request) {
        if (request == null) {
            return CompletableFuture.failedFuture(new InvalidRequestException("append request must not be null"));
        }
        try {
            checkOpen();
            // Everything but the size limit, which only the server knows; same checks, same messages.
            request.validate(Integer.MAX_VALUE);
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        return connection.call(id -> new CommandRequest.Append(id, request))
                .thenApply(reply -> expect(reply, CommandReply.Appended.class, "APPEND").result());
    }

    @Override
    public AppendResult append(AppendRequest request) {
        return await(appendAsync(request));
    }

    @Override
    public CompletableFuture<EventPage> readStreamAsync(String stream, ReadOptions options) {
        try {
            checkOpen();
            ReadArguments.checkStreamRead(stream, options);
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        return readPages(EventPage.forStream(options), options, options.from(), RecordedEvent::version,
                (id, from, max, bytes) -> new CommandRequest.ReadStream(id, stream, from, options.direction(), max,
                        bytes, options.leaderConsistent()));
    }

    @Override
    public EventPage readStream(String stream, ReadOptions options) {
        return await(readStreamAsync(stream, options));
    }

    @Override
    public CompletableFuture<EventPage> readAllAsync(ReadOptions options) {
        try {
            checkOpen();
            ReadArguments.checkOptions(options);
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        return readPages(EventPage.forAll(options), options, options.from(), RecordedEvent::position,
                (id, from, max, bytes) -> new CommandRequest.ReadAll(id, from, options.direction(), max, bytes,
                        options.leaderConsistent()));
    }

    @Override
    public EventPage readAll(ReadOptions options) {
        return await(readAllAsync(options));
    }

    @Override
    public CompletableFuture<Optional<RecordedEvent>> readEventAsync(UUID id) {
        try {
            checkOpen();
            ReadArguments.checkEventId(id);
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        return connection.call(requestId -> new CommandRequest.ReadEvent(requestId, id))
                .thenApply(reply -> expect(reply, CommandReply.Events.class, "EVENTS").events().stream().findFirst());
    }

    @Override
    public Optional<RecordedEvent> readEvent(UUID id) {
        return await(readEventAsync(id));
    }

    @Override
    public long firstPositionAtOrAfter(Instant time) {
        checkOpen();
        Arguments.requireNonNull(time, "time");
        return request(id -> new CommandRequest.PositionAt(id, time), CommandReply.Position.class).position();
    }

    @Override
    public long headPosition() {
        checkOpen();
        return request(CommandRequest.Head::new, CommandReply.Position.class).position();
    }

    @Override
    public Optional<StreamInfo> streamInfo(String stream) {
        checkOpen();
        Limits.checkStreamName(stream);
        return request(id -> new CommandRequest.StreamInfoRequest(id, stream), CommandReply.Streams.class)
                .streams().stream().findFirst();
    }

    @Override
    public CompletableFuture<StreamPage> listStreamsAsync(StreamListOptions options) {
        try {
            checkOpen();
            ReadArguments.checkListing(options);
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        long maxBytes = options.maxBytes() == ReadOptions.NO_BYTE_LIMIT ? CommandRequest.NO_BYTE_LIMIT
                : options.maxBytes();
        return connection.call(id -> new CommandRequest.ListStreams(id, options.prefix(), options.after(),
                        options.maxStreams(), maxBytes))
                .thenApply(reply -> {
                    CommandReply.Streams page = expect(reply, CommandReply.Streams.class, "STREAMS");
                    return new StreamPage(page.streams(), page.nextAfter());
                });
    }

    @Override
    public StreamPage listStreams(StreamListOptions options) {
        return await(listStreamsAsync(options));
    }

    /**
     * Subscribes once the server has accepted the subscription (so a subscription from the end
     * knows its start point when this returns). From then on it survives lost connections and server
     * restarts, resuming after the last event or checkpoint notice it received, with the same
     * filter, which the server applies; see {@link SubscriptionLinks}.
     *
     * @throws io.rewind.api.StoreUnavailableException if the server does not accept it in time
     */
    @Override
    public Subscription subscribe(SubscriptionRequest request, SubscriptionListener listener) {
        checkOpen();
        Arguments.requireNonNull(request, "subscription request");
        Arguments.requireNonNull(listener, "subscription listener");
        AtomicReference<SubscriptionLink> link = new AtomicReference<>();
        ClientSubscription subscription = new ClientSubscription(listener, config.subscriptionCreditWindow(),
                connection.nextSubscriptionThreadName(), () -> connection.topUp(link.get()),
                () -> connection.cancel(link.get()));
        link.set(new SubscriptionLink(subscription, request));
        connection.startSubscription(link.get());
        long start;
        try {
            start = await(link.get().started);
        } catch (RuntimeException e) {
            // Interrupted, or failed: make sure no server subscription outlives the failed call.
            connection.cancel(link.get());
            throw e;
        }
        subscription.start(start);
        return subscription;
    }

    /**
     * Closes the client: requests in flight fail and subscriptions end with a
     * {@link StoreClosedException}, and the client's threads stop (a listener thread busy in its
     * listener ends when the listener returns). The server and its store are not affected.
     */
    @Override
    public void close() {
        closed = true;
        closeDependents();
        connection.close();
    }

    /**
     * Reads page after page until {@code page} is full or the server says nothing more follows:
     * the server cuts a reply at its reply size ({@code truncated}), and the rest follows the last
     * event. Each request asks for what the page still takes (events and bytes); the page applies
     * the limits itself too, so a continuation's first event that does not fit the rest of the budget
     * is dropped as an embedded read would never have read it.
     */
    private CompletableFuture<EventPage> readPages(EventPage.Builder page, ReadOptions options, long from,
            ToLongFunction<RecordedEvent> coordinate, PageRequest request) {
        int events = page.remainingEvents();
        long bytes = page.remainingBytes();
        return connection.call(id -> request.build(id, from, events, bytes)).thenCompose(reply -> {
            CommandReply.Events answer = expect(reply, CommandReply.Events.class, "EVENTS");
            for (RecordedEvent event : answer.events()) {
                if (!page.offer(event)) {
                    return CompletableFuture.completedFuture(page.build());
                }
            }
            if (answer.budgetReached()) {
                page.stopForBudget();
            }
            if (!answer.truncated() || answer.events().isEmpty() || page.isFull()) {
                return CompletableFuture.completedFuture(page.build());
            }
            long last = coordinate.applyAsLong(answer.events().get(answer.events().size() - 1));
            long next = options.direction() == Direction.FORWARD ? last + 1 : last - 1;
            if (next < 0) {
                return CompletableFuture.completedFuture(page.build());
            }
            return readPages(page, options, next, coordinate, request);
        });
    }

    private <T extends CommandReply> T request(LongFunction<CommandRequest> build, Class<T> replyType) {
        CommandReply reply = await(connection.call(build));
        return expect(reply, replyType, replyType.getSimpleName());
    }

    private static <T extends CommandReply> T expect(CommandReply reply, Class<T> replyType, String expected) {
        if (replyType.isInstance(reply)) {
            return replyType.cast(reply);
        }
        throw new EventStoreException(ErrorCode.INTERNAL, "the server answered with "
                + reply.getClass().getSimpleName() + " where " + expected + " was expected");
    }

    /** Waits for a reply; never on the I/O thread, which alone could deliver it. */
    private <T> T await(CompletableFuture<T> future) {
        if (connection.isIoThread()) {
            throw new IllegalStateException("a blocking call of the Rewind client inside a callback of one of its "
                    + "futures would wait for ever: use the async methods, or *Async callbacks with an executor");
        }
        return EventStore.await(future);
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreClosedException("the client for " + connection.endpoint() + " is closed");
        }
    }

    /**
     * {@inheritDoc} Over the wire this is a subscription from the end whose events only tell their
     * positions: the listener is called on that subscription's thread, and hears
     * {@link HeadListener#stopped} when the subscription ends for good (the client closed, or the
     * connection was lost beyond its retries).
     */
    @Override
    public HeadListener.Registration watchHead(HeadListener listener) {
        checkOpen();
        return HeadListener.bySubscription(this, listener);
    }
}
