package io.rewind.server;

import io.rewind.api.EventStore;
import io.rewind.memory.MemoryEventStore;
import java.util.function.UnaryOperator;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A running server on ephemeral 127.0.0.1 ports over an in-memory store, plus a ZeroMQ context
 * for test clients. Closing it closes clients, server and store, in that order.
 */
final class TestServer implements AutoCloseable {

    static final int RECEIVE_TIMEOUT_MS = 10_000;
    static final int HANDSHAKE_INTERVAL_MS = 500;

    final EventStore store;
    final RewindServer server;
    final ZContext clients = new ZContext(1);

    private TestServer(EventStore store, RewindServer server) {
        this.store = store;
        this.server = server;
    }

    static TestServer start() {
        return start(b -> b);
    }

    static TestServer start(UnaryOperator<ServerConfig.Builder> settings) {
        return start(MemoryEventStore.create(), settings);
    }

    static TestServer start(EventStore store, UnaryOperator<ServerConfig.Builder> settings) {
        ServerConfig config = settings.apply(ServerConfig.builder()
                .commandEndpoint("tcp://127.0.0.1:*")
                .streamEndpoint("tcp://127.0.0.1:*")
                .legacyStreamEndpoint("tcp://127.0.0.1:*")
                .linger(java.time.Duration.ofMillis(200))).build();
        return new TestServer(store, RewindServer.start(config, store));
    }

    /** A REQ client connected to the command endpoint. */
    TestClient req() {
        return client(SocketType.REQ, server.commandEndpoint());
    }

    /** A DEALER client connected to the command endpoint. */
    TestClient dealer() {
        return client(SocketType.DEALER, server.commandEndpoint());
    }

    /** A SUB client connected to {@code endpoint}, subscribed to {@code prefix}. */
    TestClient sub(String endpoint, String prefix) {
        TestClient client = client(SocketType.SUB, endpoint);
        client.socket.subscribe(prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return client;
    }

    private TestClient client(SocketType type, String endpoint) {
        ZMQ.Socket socket = clients.createSocket(type);
        socket.setReceiveTimeOut(RECEIVE_TIMEOUT_MS);
        socket.setLinger(0);
        // JeroMQ's connecting side sometimes stalls in the ZMTP handshake (zeromq/jeromq PR #1022);
        // a short handshake interval tears such a connection down and reconnects at once.
        socket.setHandshakeIvl(HANDSHAKE_INTERVAL_MS);
        socket.connect(endpoint);
        return new TestClient(socket);
    }

    @Override
    public void close() {
        clients.close();
        server.close();
        store.close();
    }
}
