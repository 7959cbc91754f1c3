package io.rewind.client;

import io.rewind.api.EventStore;
import io.rewind.server.EndpointBindException;
import io.rewind.server.RewindServer;
import io.rewind.testkit.Await;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-process server over a store it does not own, which a test can stop gracefully and start
 * again on the same command port (the store lives on, as it would on disk).
 */
final class RestartableServer implements AutoCloseable {

    private static final Duration REBIND_TIMEOUT = Duration.ofSeconds(20);

    private final EventStore store;
    private final String endpoint;
    private RewindServer server;

    RestartableServer(EventStore store) {
        this.store = store;
        this.server = RewindServer.start(InProcessServer.defaults().build(), store);
        this.endpoint = server.commandEndpoint();
    }

    String endpoint() {
        return endpoint;
    }

    /** Closes the server (its subscriptions end with CLOSED) and starts a new one on the same port. */
    void restart() {
        server.close();
        AtomicReference<RewindServer> started = new AtomicReference<>();
        // The port may take a moment to be free again.
        Await.until(() -> {
            try {
                started.set(RewindServer.start(InProcessServer.defaults().commandEndpoint(endpoint).build(), store));
                return true;
            } catch (EndpointBindException e) {
                return false;
            }
        }, REBIND_TIMEOUT, "the server binds " + endpoint + " again");
        server = started.get();
    }

    @Override
    public void close() {
        server.close();
    }
}
