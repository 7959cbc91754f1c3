package io.rewind.bench;

import io.rewind.api.EventStore;
import io.rewind.groups.GroupService;
import io.rewind.groups.GroupServiceOptions;
import io.rewind.log.Durability;
import io.rewind.server.RewindServer;
import io.rewind.server.ServerConfig;
import io.rewind.server.ServerSecurity;
import io.rewind.stores.StoreUri;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A server started inside the benchmark's own process on 127.0.0.1 ephemeral ports, over a store
 * whose segment forces are counted ({@link ForceCounter}): what {@code publish --serve} measures
 * against, so a run can report the server's mean events per fsync; {@code groups --serve} starts it
 * with a consumer group service as {@code rewind serve} does. Closing it closes the server, then the
 * group service (which writes its last checkpoints), then the store.
 */
final class InProcessServer implements AutoCloseable {

    private final EventStore store;
    private final GroupService groups;
    private final RewindServer server;
    private final ForceCounter forces;

    private InProcessServer(EventStore store, GroupService groups, RewindServer server, ForceCounter forces) {
        this.store = store;
        this.groups = groups;
        this.server = server;
        this.forces = forces;
    }

    /** A server without consumer groups. */
    static InProcessServer start(CommandSpec spec, String storeUri, String fsync) {
        return start(spec, storeUri, fsync, false);
    }

    /** A server, with a {@link GroupService} (default options) over its store when {@code withGroups}. */
    static InProcessServer start(CommandSpec spec, String storeUri, String fsync, boolean withGroups) {
        StoreUri uri = Options.store(spec, storeUri);
        Durability durability = Options.fsync(spec, fsync);
        ForceCounter forces = new ForceCounter();
        EventStore store = uri.open(durability, io.rewind.log.LogConfig.DEFAULT_MAX_EVENT_BYTES, forces);
        GroupService groups = null;
        try {
            groups = withGroups ? GroupService.open(store, GroupServiceOptions.defaults()) : null;
            RewindServer server = RewindServer.start(ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*")
                    .streamEndpoint("tcp://127.0.0.1:*").build(), store, ServerSecurity.none(),
                    Optional.ofNullable(groups));
            return new InProcessServer(store, groups, server, forces);
        } catch (RuntimeException e) {
            if (groups != null) {
                groups.close();
            }
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
            try {
                if (groups != null) {
                    groups.close();
                }
            } finally {
                store.close();
            }
        }
    }
}
