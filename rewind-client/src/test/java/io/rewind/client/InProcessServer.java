package io.rewind.client;

import io.rewind.api.EventStore;
import io.rewind.memory.MemoryEventStore;
import io.rewind.server.RewindServer;
import io.rewind.server.ServerConfig;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A Rewind server in this JVM on an ephemeral 127.0.0.1 port, serving a store it owns (an empty
 * in-memory store unless given one). Closing it closes the server, then the store.
 */
final class InProcessServer implements AutoCloseable {

    final EventStore store;
    final RewindServer server;

    private InProcessServer(EventStore store, RewindServer server) {
        this.store = store;
        this.server = server;
    }

    static InProcessServer start() {
        return start(MemoryEventStore.create(), settings -> settings);
    }

    /**
     * Serves {@code store} with the test defaults changed by {@code settings}; closes the store if
     * the server cannot start.
     */
    static InProcessServer start(EventStore store, UnaryOperator<ServerConfig.Builder> settings) {
        try {
            RewindServer server = RewindServer.start(settings.apply(defaults()).build(), store);
            return new InProcessServer(store, server);
        } catch (RuntimeException | Error e) {
            store.close();
            throw e;
        }
    }

    /** Ephemeral 127.0.0.1 ports, short linger and shutdown. */
    static ServerConfig.Builder defaults() {
        return ServerConfig.builder()
                .commandEndpoint("tcp://127.0.0.1:*")
                .streamEndpoint("tcp://127.0.0.1:*")
                .linger(Duration.ofMillis(100))
                .shutdownTimeout(Duration.ofSeconds(5));
    }

    String endpoint() {
        return server.commandEndpoint();
    }

    /** A client of this server with the defaults, changed by {@code settings}. */
    EventStore connect(UnaryOperator<ClientConfig.Builder> settings) {
        return RewindClient.connect(settings.apply(ClientConfig.builder().endpoint(endpoint())).build());
    }

    EventStore connect() {
        return connect(b -> b);
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            store.close();
        }
    }
}
