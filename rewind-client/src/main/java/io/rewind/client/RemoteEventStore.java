package io.rewind.client;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.HeadListener;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.Limits;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamPage;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import java.time.Instant;
import java.util.ArrayList;
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

    /** Builds one page request of a read for a request id, a start and a limit. */
    @FunctionalInterface
    private interface PageRequest {
        CommandRequest build(long requestId, long from, int limit);
    }

    private final ClientConfig config;
    private final Connection connection;
    private volatile boolean closed;

    RemoteEventStore(ClientConfig config, Connection connection) {
        this.config = config;
        this.connection = connection;
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
    public List<RecordedEvent> readStream(String stream, long fromVersion, Direction direction, int limit) {
        checkOpen();
        Limits.checkStreamName(stream);
        Arguments.requireDirection(direction);
        return readPages(fromVersion, direction, limit,
                (id, from, max) -> new CommandRequest.ReadStream(id, stream, from, direction, max),
                RecordedEvent::version);
    }

    @Override
    public List<RecordedEvent> readAll(long fromPosition, Direction direction, int limit) {
        checkOpen();
        Arguments.requireDirection(direction);
        return readPages(fromPosition, direction, limit,
                (id, from, max) -> new CommandRequest.ReadAll(id, from, direction, max), RecordedEvent::position);
    }

    @Override
    public Optional<RecordedEvent> readEvent(UUID id) {
        checkOpen();
        Arguments.requireNonNull(id, "event id");
        List<RecordedEvent> found = request(requestId -> new CommandRequest.ReadEvent(requestId, id),
                CommandReply.Events.class).events();
        return found.stream().findFirst();
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
    public StreamPage listStreams(String prefix, String after, int limit) {
        checkOpen();
        String checkedPrefix = Arguments.nameText(prefix, "stream prefix");
        String checkedAfter = Arguments.nameText(after, "listing cursor 'after'");
        CommandReply.Streams page = request(id -> new CommandRequest.ListStreams(id, checkedPrefix, checkedAfter,
                limit), CommandReply.Streams.class);
        return new StreamPage(page.streams(), page.nextAfter());
    }

    /**
     * Subscribes once the server has accepted the subscription (so a subscription from the end
     * knows its start point when this returns). From then on it survives lost connections and server
     * restarts, resuming after the last event it received; see {@link SubscriptionLinks}.
     *
     * @throws io.rewind.api.StoreUnavailableException if the server does not accept it in time
     */
    @Override
    public Subscription subscribe(SubscriptionRequest request, SubscriptionListener listener) {
        checkOpen();
        Arguments.requireNonNull(request, "subscription request");
        Arguments.requireNonNull(listener, "listener");
        request.streamPrefix().ifPresent(prefix -> Arguments.nameText(prefix, "stream prefix"));
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
        connection.close();
    }

    private List<RecordedEvent> readPages(long from, Direction direction, int limit, PageRequest page,
            ToLongFunction<RecordedEvent> coordinate) {
        List<RecordedEvent> events = new ArrayList<>();
        long next = from;
        while (true) {
            long start = next;
            int remaining = limit - events.size();
            CommandReply.Events reply = request(id -> page.build(id, start, remaining), CommandReply.Events.class);
            events.addAll(reply.events());
            // The server cuts a page short to bound a reply's size; the rest follows the last event.
            if (!reply.truncated() || reply.events().isEmpty() || events.size() >= limit) {
                return events;
            }
            long last = coordinate.applyAsLong(events.get(events.size() - 1));
            next = direction == Direction.FORWARD ? last + 1 : last - 1;
            if (next < 0) {
                return events;
            }
        }
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
        Arguments.requireNonNull(listener, "head listener");
        Subscription subscription = subscribe(SubscriptionRequest.fromEnd(), new SubscriptionListener() {
            @Override
            public void onEvent(SubscriptionEvent event) {
                listener.headMoved(event.event().position());
            }

            @Override
            public void onClose(Throwable cause) {
                if (cause != null) {
                    listener.stopped(cause instanceof EventStoreException e ? e
                            : new EventStoreException(ErrorCode.INTERNAL, "the head watch failed: " + cause));
                }
            }
        });
        return subscription::close;
    }
}
