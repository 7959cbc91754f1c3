package io.rewind.client;

import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A stand-in server on a real ROUTER socket (127.0.0.1, ephemeral port) whose answers a test
 * scripts: it decodes each command and hands it to the script, which may reply, reply wrongly, or
 * stay silent. For the behaviours a healthy server never shows: a frozen connection, a gap in a
 * delivery, an error on a running subscription. Every request is recorded.
 */
final class ScriptedServer implements AutoCloseable {

    /** Decides the answers; runs on the server's thread. */
    @FunctionalInterface
    interface Script {
        void onRequest(Peer peer, CommandRequest request);
    }

    /** A request as received, with the connection it came from. */
    record Received(ByteBuffer connection, CommandRequest request) {
    }

    /** The connection a request came from: where replies go. */
    final class Peer {
        private final byte[] identity;

        private Peer(byte[] identity) {
            this.identity = identity;
        }

        ByteBuffer connection() {
            return ByteBuffer.wrap(identity);
        }

        void reply(CommandReply reply) {
            router.sendMore(identity);
            router.sendMore(new byte[0]);
            List<byte[]> frames = reply.toFrames();
            for (int i = 0; i < frames.size(); i++) {
                router.send(frames.get(i), i < frames.size() - 1 ? ZMQ.SNDMORE : 0);
            }
        }
    }

    private static final int POLL_MILLIS = 50;

    private final ZContext context = new ZContext(1);
    private final ZMQ.Socket router;
    private final String endpoint;
    private final Script script;
    private final Thread thread;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopped;

    private ScriptedServer(Script script) {
        this.script = script;
        this.router = context.createSocket(SocketType.ROUTER);
        router.setLinger(0);
        router.setReceiveTimeOut(POLL_MILLIS);
        router.bind("tcp://127.0.0.1:*");
        this.endpoint = router.getLastEndpoint();
        this.thread = new Thread(this::serve, "scripted-server");
        this.thread.setDaemon(true);
    }

    static ScriptedServer start(Script script) {
        ScriptedServer server = new ScriptedServer(script);
        server.thread.start();
        return server;
    }

    String endpoint() {
        return endpoint;
    }

    /** The requests received so far, in order. */
    List<Received> received() {
        return List.copyOf(received);
    }

    /** The requests of one type received so far, in order. */
    <T extends CommandRequest> List<T> received(Class<T> type) {
        return received.stream().map(Received::request).filter(type::isInstance).map(type::cast).toList();
    }

    private void serve() {
        try {
            while (!stopped) {
                byte[] identity = router.recv();
                if (identity == null) {
                    continue;
                }
                List<byte[]> body = new ArrayList<>();
                while (router.hasReceiveMore()) {
                    body.add(router.recv());
                }
                // body[0] is the DEALER's empty delimiter.
                CommandRequest request = CommandRequest.decode(body.subList(1, body.size()));
                Peer peer = new Peer(identity);
                received.add(new Received(peer.connection(), request));
                script.onRequest(peer, request);
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    /** Stops answering and closes the socket, which drops every client connection. */
    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        context.close();
        if (failure.get() != null) {
            throw new AssertionError("the scripted server failed", failure.get());
        }
    }
}
