package io.rewind.testkit;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventPage;
import io.rewind.api.EventStore;
import io.rewind.api.HeadListener;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamListOptions;
import io.rewind.api.StreamPage;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * An {@link EventStore} that forwards every call to a real store; tests extend it and override the
 * one call they want to hold back or fail on purpose, keeping the real behaviour for the rest.
 * {@link #appendAsync(AppendRequest, io.rewind.api.AppendCallback)} is deliberately not forwarded:
 * the contract's default runs it through {@link #appendAsync(AppendRequest)}, so overriding that one
 * method intercepts every append. As thread-safe as the store it wraps.
 */
public class ForwardingEventStore implements EventStore {

    private final EventStore delegate;

    public ForwardingEventStore(EventStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The wrapped store. */
    protected final EventStore delegate() {
        return delegate;
    }

    @Override
    public CompletableFuture<AppendResult> appendAsync(AppendRequest request) {
        return delegate.appendAsync(request);
    }

    @Override
    public CompletableFuture<EventPage> readStreamAsync(String stream, ReadOptions options) {
        return delegate.readStreamAsync(stream, options);
    }

    @Override
    public EventPage readStream(String stream, ReadOptions options) {
        return delegate.readStream(stream, options);
    }

    @Override
    public List<RecordedEvent> readStream(String stream, long fromVersion, Direction direction, int limit) {
        return delegate.readStream(stream, fromVersion, direction, limit);
    }

    @Override
    public CompletableFuture<EventPage> readAllAsync(ReadOptions options) {
        return delegate.readAllAsync(options);
    }

    @Override
    public EventPage readAll(ReadOptions options) {
        return delegate.readAll(options);
    }

    @Override
    public List<RecordedEvent> readAll(long fromPosition, Direction direction, int limit) {
        return delegate.readAll(fromPosition, direction, limit);
    }

    @Override
    public CompletableFuture<Optional<RecordedEvent>> readEventAsync(UUID id) {
        return delegate.readEventAsync(id);
    }

    @Override
    public Optional<RecordedEvent> readEvent(UUID id) {
        return delegate.readEvent(id);
    }

    @Override
    public long firstPositionAtOrAfter(Instant time) {
        return delegate.firstPositionAtOrAfter(time);
    }

    @Override
    public Optional<io.rewind.api.WriterQueue> writerQueue() {
        return delegate.writerQueue();
    }

    @Override
    public long headPosition() {
        return delegate.headPosition();
    }

    @Override
    public Optional<StreamInfo> streamInfo(String stream) {
        return delegate.streamInfo(stream);
    }

    @Override
    public CompletableFuture<StreamPage> listStreamsAsync(StreamListOptions options) {
        return delegate.listStreamsAsync(options);
    }

    @Override
    public StreamPage listStreams(StreamListOptions options) {
        return delegate.listStreams(options);
    }

    @Override
    public StreamPage listStreams(String prefix, String after, int limit) {
        return delegate.listStreams(prefix, after, limit);
    }

    @Override
    public Subscription subscribe(SubscriptionRequest request, SubscriptionListener listener) {
        return delegate.subscribe(request, listener);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public HeadListener.Registration watchHead(HeadListener listener) {
        return delegate.watchHead(listener);
    }
}
