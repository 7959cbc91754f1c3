package io.rewind.client;

import io.rewind.api.Direction;
import io.rewind.api.RecordedEvent;
import io.rewind.memory.MemoryEventStore;
import io.rewind.testkit.ForwardingEventStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory store that fails on purpose: reading a stream given to {@link #failReadsOf} throws
 * the exception given with it. For the failures a real store raises only when its disk breaks
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
    public List<RecordedEvent> readStream(String stream, long fromVersion, Direction direction, int limit) {
        RuntimeException failure = failures.get(stream);
        if (failure != null) {
            throw failure;
        }
        return super.readStream(stream, fromVersion, direction, limit);
    }
}
