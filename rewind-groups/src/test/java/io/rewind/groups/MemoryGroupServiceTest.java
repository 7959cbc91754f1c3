package io.rewind.groups;

import io.rewind.api.EventStore;
import io.rewind.memory.MemoryEventStore;

/**
 * Groups over the in-memory store. Its data cannot outlive the process, so "restart" here is the
 * group service's: a new service reads the groups back from the same store.
 */
class MemoryGroupServiceTest extends GroupServiceContract {

    @Override
    EventStore openStore() {
        return MemoryEventStore.create();
    }

    @Override
    EventStore restart(EventStore old) {
        return old;
    }
}
