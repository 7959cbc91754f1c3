package io.rewind.client;

import io.rewind.api.EventStore;
import io.rewind.testkit.EventStoreContract;

/**
 * The whole EventStore contract against the remote client, over a live server on 127.0.0.1 that
 * serves a fresh in-memory store for each test.
 */
class RemoteEventStoreContractTest extends EventStoreContract {

    private InProcessServer server;

    @Override
    protected EventStore createStore() {
        server = InProcessServer.start();
        return server.connect();
    }

    @Override
    protected void cleanUp() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
