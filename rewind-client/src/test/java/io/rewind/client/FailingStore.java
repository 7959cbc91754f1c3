package io.rewind.client;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventStore;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamPage;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.memory.MemoryEventStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory store that fails on purpose: reading a stream given to {@link #failReadsOf} throws
 * the exception given with it. For the failures a real store raises only when its disk breaks
 * (corruption, a failed fsync), which the client must still map to the right exception. Everything
 * else is the real in-memory store. Thread-safe.
 */
final class FailingStore implements EventStore {

    private final EventStore store = MemoryEventStore.create();
    private final Map<String, RuntimeException> failures = new ConcurrentHashMap<>();

    /** Makes every read of {@code stream} throw {@code failure}. */
    void failReadsOf(String stream, RuntimeException failure) {
        failures.put(stream, failure);
    }

    @Override
    public List<RecordedEvent> readStream(String stream, long fromVersion, Direction direction, int limit) {
        RuntimeException failure = failures.get(stream);
        if (failure != null) {
            throw failure;
        }
        return store.readStream(stream, fromVersion, direction, limit);
    }

    @Override
    public CompletableFuture<AppendResult> appendAsync(AppendRequest request) {
        return store.appendAsync(request);
    }

    @Override
    public List<RecordedEvent> readAll(long fromPosition, Direction direction, int limit) {
        return store.readAll(fromPosition, direction, limit);
    }

    @Override
    public Optional<RecordedEvent> readEvent(UUID id) {
        return store.readEvent(id);
    }

    @Override
    public long firstPositionAtOrAfter(Instant time) {
        return store.firstPositionAtOrAfter(time);
    }

    @Override
    public long headPosition() {
        return store.headPosition();
    }

    @Override
    public Optional<StreamInfo> streamInfo(String stream) {
        return store.streamInfo(stream);
    }

    @Override
    public StreamPage listStreams(String prefix, String after, int limit) {
        return store.listStreams(prefix, after, limit);
    }

    @Override
    public Subscription subscribe(SubscriptionRequest request, SubscriptionListener listener) {
        return store.subscribe(request, listener);
    }

    @Override
    public void close() {
        store.close();
    }
}
