package io.rewind.cli;

import io.rewind.api.EventStore;
import io.rewind.memory.MemoryEventStore;
import io.rewind.server.RewindServer;
import io.rewind.server.ServerConfig;
import java.time.Duration;

/**
 * A Rewind server in this JVM on an ephemeral 127.0.0.1 port over an in-memory store, which the
 * test may also use directly to set up or check events. Closing it closes the server, then the store.
 */
final class TestServer implements AutoCloseable {

    final EventStore store = MemoryEventStore.create();
    final RewindServer server;

    TestServer() {
        this(ServerConfig.DEFAULT_MAX_EVENT_SIZE);
    }

    /** A server that refuses events larger than {@code maxEventSize} bytes. */
    TestServer(int maxEventSize) {
        try {
            server = RewindServer.start(ServerConfig.builder()
                    .maxEventSize(maxEventSize)
                    .commandEndpoint("tcp://127.0.0.1:*")
                    .streamEndpoint("tcp://127.0.0.1:*")
                    .linger(Duration.ofMillis(100))
                    .build(), store);
        } catch (RuntimeException | Error e) {
            store.close();
            throw e;
        }
    }

    String endpoint() {
        return server.commandEndpoint();
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
