package io.rewind.security;

import io.rewind.api.EventStore;
import io.rewind.memory.MemoryEventStore;
import io.rewind.testkit.EventStoreContract;

/** A principal with every grant sees the store as it is: the whole contract suite, unchanged, through the view. */
class SecuredEventStoreContractTest extends EventStoreContract {

    @Override
    protected EventStore createStore() {
        return SecuredEventStore.owning(MemoryEventStore.create(DEFAULT_MAX_EVENT_BYTES),
                AccessPolicy.of(Principal.withFullAccess("everything")), "everything");
    }
}
