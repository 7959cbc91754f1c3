package io.rewind.server;

import io.rewind.security.AccessPolicy;
import io.rewind.security.ClientKeys;
import io.rewind.security.Operation;
import io.rewind.security.Principal;
import io.rewind.security.Z85;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The ZeroMQ authentication handler (ZAP, ZeroMQ RFC 27) of one CURVE server: ZeroMQ asks it, over
 * {@code inproc://zeromq.zap.01} in the server's context, whether to accept each client that
 * completed a CURVE handshake, and it answers from the {@link ClientKeys} as they are now. On the
 * command endpoint (domain {@value #COMMANDS}) a known key is accepted; on the PUB endpoints
 * (domain {@value #STREAM}), which carry every event, only the key of a principal with
 * {@code read:$all}. The user id of an accepted connection is the client's public key in Z85:
 * every message on it carries that id, and the server maps it to a principal again for each
 * request, so a key removed later stops working for connections already open too.
 *
 * <p>It must be bound before any CURVE socket binds: with no handler bound, JeroMQ accepts every
 * client key. Runs on its own thread, which alone uses its REP socket. Denied handshakes are
 * counted in the policy's audit and logged there, rate-limited.
 */
final class ZapHandler implements AutoCloseable {

    static final String ENDPOINT = "inproc://zeromq.zap.01";
    static final String COMMANDS = "rewind-commands";
    static final String STREAM = "rewind-stream";

    private static final Logger LOG = LoggerFactory.getLogger(ZapHandler.class);
    private static final int POLL_MS = 100;

    private final ZMQ.Context context;
    private final ZMQ.Socket socket;
    private final ClientKeys keys;
    private final AccessPolicy policy;
    private final Thread thread;
    private volatile boolean stopped;

    private ZapHandler(ZMQ.Context context, ZMQ.Socket socket, ClientKeys keys, AccessPolicy policy, String name) {
        this.context = context;
        this.socket = socket;
        this.keys = keys;
        this.policy = policy;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    /** Binds the handler in {@code context} and starts its thread. */
    static ZapHandler start(ZMQ.Context context, ClientKeys keys, AccessPolicy policy, String name) {
        ZMQ.Socket socket = context.socket(SocketType.REP);
        socket.setLinger(0);
        if (!socket.bind(ENDPOINT)) {
            socket.close();
            throw new IllegalStateException("cannot bind the ZAP handler at " + ENDPOINT);
        }
        ZapHandler handler = new ZapHandler(context, socket, keys, policy, name);
        handler.thread.start();
        return handler;
    }

    private void run() {
        try (ZMQ.Poller poller = context.poller(1)) {
            poller.register(socket, ZMQ.Poller.POLLIN);
            while (!stopped) {
                if (poller.poll(POLL_MS) > 0 && poller.pollin(0)) {
                    answer(receive());
                }
            }
        } catch (RuntimeException e) {
            if (!stopped) {
                // Fail closed: with the handler gone, handshakes wait for an answer that never comes.
                LOG.error("The ZAP handler failed; no new CURVE connection is accepted", e);
            }
        } finally {
            socket.close();
        }
    }

    private List<byte[]> receive() {
        List<byte[]> frames = new ArrayList<>();
        do {
            frames.add(socket.recv(0));
        } while (socket.hasReceiveMore() && frames.size() < 16);
        while (socket.hasReceiveMore()) {
            socket.recv(0);
        }
        return frames;
    }

    /** Request: version, request id, domain, address, identity, mechanism, credentials. */
    private void answer(List<byte[]> request) {
        byte[] version = request.get(0);
        byte[] requestId = request.size() > 1 ? request.get(1) : new byte[0];
        if (request.size() < 7 || !text(request.get(5)).equals("CURVE") || request.get(6).length != 32) {
            reply(version, requestId, "400", "CURVE credentials expected", "");
            return;
        }
        String domain = text(request.get(2));
        String key = Z85.encode(request.get(6));
        Optional<String> principal = keys.principalOf(key);
        if (principal.isEmpty()) {
            policy.audit().denied("key " + key, Operation.AUTHENTICATE, domain);
            reply(version, requestId, "400", "unknown client key", "");
            return;
        }
        if (domain.equals(STREAM)) {
            Optional<Principal> granted = policy.principal(principal.get());
            if (granted.isEmpty() || !granted.get().mayReadAll()) {
                policy.audit().denied(principal.get(), Operation.SUBSCRIBE, "$all (PUB endpoint)");
                reply(version, requestId, "400", "the PUB endpoints need read:$all", "");
                return;
            }
        }
        reply(version, requestId, "200", "OK", key);
    }

    private void reply(byte[] version, byte[] requestId, String status, String text, String userId) {
        socket.send(version, ZMQ.SNDMORE);
        socket.send(requestId, ZMQ.SNDMORE);
        socket.send(status, ZMQ.SNDMORE);
        socket.send(text, ZMQ.SNDMORE);
        socket.send(userId, ZMQ.SNDMORE);
        socket.send(new byte[0], 0);
    }

    private static String text(byte[] frame) {
        return new String(frame, StandardCharsets.UTF_8);
    }

    /** Stops the thread, which closes the socket. */
    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(POLL_MS * 20L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
