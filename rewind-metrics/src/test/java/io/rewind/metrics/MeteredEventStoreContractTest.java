package io.rewind.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rewind.api.EventStore;
import io.rewind.memory.MemoryEventStore;
import io.rewind.testkit.EventStoreContract;

/** A metered store is the store it wraps: the whole contract suite, unchanged, through the decorator. */
class MeteredEventStoreContractTest extends EventStoreContract {

    @Override
    protected EventStore createStore() {
        return new MeteredEventStore(MemoryEventStore.create(DEFAULT_MAX_EVENT_BYTES), new SimpleMeterRegistry());
    }
}
