package io.rewind.memory;

import io.rewind.api.EventStore;
import io.rewind.testkit.EventStoreContract;

/** The whole EventStore contract against the in-memory store. */
class MemoryEventStoreContractTest extends EventStoreContract {

    @Override
    protected EventStore createStore() {
        return MemoryEventStore.create();
    }
}
