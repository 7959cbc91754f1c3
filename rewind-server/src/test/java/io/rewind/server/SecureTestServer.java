package io.rewind.server;

import io.rewind.api.EventStore;
import io.rewind.memory.MemoryEventStore;
import io.rewind.security.AccessPolicy;
import io.rewind.security.ClientKeys;
import io.rewind.security.CurveCertificate;
import io.rewind.security.CurveKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A CURVE server on ephemeral 127.0.0.1 ports over an in-memory store, with a grants file and a
 * directory of client keys both re-read every {@link #RELOAD}, and clients with keys of their own.
 * Closing it closes clients, server, key watchers and store.
 */
final class SecureTestServer implements AutoCloseable {

    static final Duration RELOAD = Duration.ofMillis(100);

    final EventStore store = MemoryEventStore.create();
    final CurveKeys serverKeys = CurveKeys.generate();
    final Path clientsDirectory;
    final Path grants;
    final AccessPolicy policy;
    final ClientKeys clientKeys;
    final RewindServer server;
    /** The consumer groups served, or null. */
    final io.rewind.groups.GroupService groups;
    final ZContext clients = new ZContext(1);
    private final Map<String, CurveKeys> keysByPrincipal = new HashMap<>();

    /** @param grantsFile the grants file's text; every principal it names gets a client key */
    SecureTestServer(Path directory, String grantsFile) throws IOException {
        this(directory, grantsFile, false);
    }

    /** Also serving consumer groups (a GroupService over the store) when {@code withGroups}. */
    SecureTestServer(Path directory, String grantsFile, boolean withGroups) throws IOException {
        clientsDirectory = Files.createDirectories(directory.resolve("clients"));
        grants = Files.writeString(directory.resolve("grants"), grantsFile);
        for (String line : grantsFile.split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (!name.isEmpty() && !name.startsWith("#")) {
                CurveKeys keys = CurveKeys.generate();
                keysByPrincipal.put(name, keys);
                Files.writeString(clientsDirectory.resolve(name + ".key"), CurveCertificate.of(keys, name).publicText());
            }
        }
        policy = AccessPolicy.watch(grants, RELOAD);
        clientKeys = ClientKeys.watch(clientsDirectory, RELOAD);
        ServerConfig config = ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*")
                .streamEndpoint("tcp://127.0.0.1:*").legacyStreamEndpoint("tcp://127.0.0.1:*")
                .linger(Duration.ofMillis(200)).build();
        groups = withGroups ? io.rewind.groups.GroupService.open(store, io.rewind.groups.GroupServiceOptions.defaults())
                : null;
        server = RewindServer.start(config, store, ServerSecurity.curve(serverKeys, clientKeys, policy),
                java.util.Optional.ofNullable(groups));
    }

    CurveKeys keysOf(String principal) {
        return keysByPrincipal.get(principal);
    }

    /** A DEALER on the command endpoint with {@code principal}'s key. */
    TestClient dealer(String principal) {
        return client(SocketType.DEALER, server.commandEndpoint(), keysOf(principal), 5_000);
    }

    /** A REQ on the command endpoint with {@code principal}'s key. */
    TestClient req(String principal) {
        return client(SocketType.REQ, server.commandEndpoint(), keysOf(principal), 5_000);
    }

    /** A socket of {@code type} with {@code keys} (null: no CURVE at all), receiving for at most {@code timeoutMs}. */
    TestClient client(SocketType type, String endpoint, CurveKeys keys, int timeoutMs) {
        ZMQ.Socket socket = clients.createSocket(type);
        socket.setReceiveTimeOut(timeoutMs);
        socket.setLinger(0);
        socket.setHandshakeIvl(TestServer.HANDSHAKE_INTERVAL_MS * 4);
        if (keys != null) {
            socket.setCurveServerKey(serverKeys.publicKey());
            socket.setCurvePublicKey(keys.publicKey());
            socket.setCurveSecretKey(keys.secretKey().orElseThrow());
        }
        socket.connect(endpoint);
        return new TestClient(socket);
    }

    @Override
    public void close() {
        clients.close();
        server.close();
        if (groups != null) {
            groups.close();
        }
        clientKeys.close();
        policy.close();
        store.close();
    }
}
