package io.rewind.client;

import io.rewind.api.EventPage;
import io.rewind.api.ReadOptions;
import io.rewind.memory.MemoryEventStore;
import io.rewind.testkit.ForwardingEventStore;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory store that fails on purpose: reading a stream given to {@link #failReadsOf} fails
 * with the exception given with it. For the failures a real store raises only when its disk breaks
 * (corruption, a failed fsync), which the client must still map to the right exception. Everything
 * else is the real in-memory store. Thread-safe.
 */
final class FailingStore extends ForwardingEventStore {

    private final Map<String, RuntimeException> failures = new ConcurrentHashMap<>();

    FailingStore() {
        super(MemoryEventStore.create());
    }

    /** Makes every read of {@code stream} throw {@code failure}. */
    void failReadsOf(String stream, RuntimeException failure) {
        failures.put(stream, failure);
    }

    @Override
    public CompletableFuture<EventPage> readStreamAsync(String stream, ReadOptions options) {
        RuntimeException failure = failures.get(stream);
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        return super.readStreamAsync(stream, options);
    }
}
