package io.rewind.bench;

import io.rewind.api.EventStore;
import io.rewind.log.Durability;
import io.rewind.server.RewindServer;
import io.rewind.server.ServerConfig;
import io.rewind.stores.StoreUri;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A server started inside the benchmark's own process on 127.0.0.1 ephemeral ports, over a store
 * whose segment forces are counted ({@link ForceCounter}): what {@code publish --serve} measures
 * against, so a run can report the server's mean events per fsync. Closing it closes the server,
 * then the store.
 */
final class InProcessServer implements AutoCloseable {

    private final EventStore store;
    private final RewindServer server;
    private final ForceCounter forces;

    private InProcessServer(EventStore store, RewindServer server, ForceCounter forces) {
        this.store = store;
        this.server = server;
        this.forces = forces;
    }

    static InProcessServer start(CommandSpec spec, String storeUri, String fsync) {
        StoreUri uri = Options.store(spec, storeUri);
        Durability durability = Options.fsync(spec, fsync);
        ForceCounter forces = new ForceCounter();
        EventStore store = uri.open(durability, io.rewind.log.LogConfig.DEFAULT_MAX_EVENT_BYTES, forces);
        try {
            RewindServer server = RewindServer.start(ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*")
                    .streamEndpoint("tcp://127.0.0.1:*").build(), store);
            return new InProcessServer(store, server, forces);
        } catch (RuntimeException e) {
            store.close();
            throw new BenchException("cannot start the server: " + e.getMessage(), e);
        }
    }

    /** The command endpoint actually bound. */
    String endpoint() {
        return server.commandEndpoint();
    }

    /** The store's segment forces so far. */
    ForceCounter forces() {
        return forces;
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
