package io.rewind.http;

import io.rewind.api.EventStore;
import io.rewind.memory.MemoryEventStore;
import io.rewind.testkit.EventStoreContract;

/**
 * The whole EventStore contract through the HTTP API: an {@link HttpEventStore} talking to a
 * {@link RewindHttpServer} on 127.0.0.1 (an ephemeral port) that serves a fresh in-memory store.
 */
class HttpEventStoreContractTest extends EventStoreContract {

    private MemoryEventStore backing;
    private RewindHttpServer server;

    @Override
    protected EventStore createStore() {
        backing = MemoryEventStore.create(DEFAULT_MAX_EVENT_BYTES);
        server = RewindHttpServer.start(HttpConfig.builder().port(0).build(), backing);
        return new HttpEventStore(server.uri());
    }

    @Override
    protected void cleanUp() {
        if (server != null) {
            server.close();
        }
        if (backing != null) {
            backing.close();
        }
    }
}
