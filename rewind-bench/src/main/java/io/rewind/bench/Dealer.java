package io.rewind.bench;

import io.rewind.protocol.Frames;
import io.rewind.protocol.MalformedMessageException;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.security.CurveKeys;
import java.util.ArrayList;
import java.util.List;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * One DEALER connection to a server's command socket, owned by one load thread (ZeroMQ sockets
 * are not thread-safe). Sends and receives whole multipart messages; {@link #receive} waits at
 * most {@link #RECEIVE_TIMEOUT_MS} so a load loop can check its clock. Not thread-safe.
 */
final class Dealer implements AutoCloseable {

    /** How long one {@link #receive} waits for a message. */
    static final int RECEIVE_TIMEOUT_MS = 100;
    /** The longest silence from the server a run tolerates while it has requests in flight. */
    static final long SILENCE_LIMIT_NANOS = 10_000_000_000L;
    /** How long a new connection may take to answer its first PING. */
    static final long CONNECT_TIMEOUT_NANOS = 5_000_000_000L;
    /** The delimiter DEALER clients send before every command. */
    static final byte[] DELIMITER = Frames.EMPTY;

    private final ZMQ.Socket socket;
    private final String endpoint;
    private final List<byte[]> received = new ArrayList<>();

    /** What the first PING of a new connection must get back before a run starts. */
    enum Answer {
        /** Rewind's own PONG: the run uses Rewind's own commands, so the server must be Rewind's. */
        PONG,
        /**
         * Any reply: the run speaks only a legacy dialect, and the original servers (Python Rewind,
         * GoRewind) answer a command they do not know with {@code ERROR Unknown request type},
         * which proves just as well that a server is there.
         */
        ANY
    }

    /** Connects a DEALER to {@code endpoint} and checks with a PING that a Rewind server answers. */
    static Dealer connect(ZContext context, String endpoint) {
        return connect(context, endpoint, null, null, Answer.PONG);
    }

    /**
     * As {@link #connect(ZContext, String)}, with CURVE when {@code serverKey} and {@code ownKeys}
     * are given (docs/SECURITY.md), accepting {@code answer} to the PING.
     */
    static Dealer connect(ZContext context, String endpoint, CurveKeys serverKey, CurveKeys ownKeys, Answer answer) {
        Dealer dealer = new Dealer(context, endpoint, serverKey, ownKeys);
        try {
            dealer.ping(answer);
            return dealer;
        } catch (RuntimeException e) {
            dealer.close();
            throw e;
        }
    }

    private Dealer(ZContext context, String endpoint, CurveKeys serverKey, CurveKeys ownKeys) {
        this.endpoint = endpoint;
        this.socket = context.createSocket(SocketType.DEALER);
        if (serverKey != null) {
            socket.setCurveServerKey(serverKey.publicKey());
            socket.setCurvePublicKey(ownKeys.publicKey());
            socket.setCurveSecretKey(ownKeys.secretKey().orElseThrow());
        }
        // JeroMQ 0.6.0 can leave a fresh connection stuck before its handshake until the handshake
        // interval expires (30 s by default): a short one makes it retry quickly.
        socket.setHandshakeIvl(500);
        socket.setLinger(0);
        socket.setSndHWM(1_000_000);
        socket.setRcvHWM(1_000_000);
        socket.setReceiveTimeOut(RECEIVE_TIMEOUT_MS);
        if (!socket.connect(endpoint)) {
            socket.close();
            throw new BenchException("cannot connect to " + endpoint);
        }
    }

    /** Sends one message, frame by frame. */
    void send(List<byte[]> frames) {
        int last = frames.size() - 1;
        for (int i = 0; i <= last; i++) {
            socket.send(frames.get(i), i < last ? ZMQ.SNDMORE : 0);
        }
    }

    /**
     * The next message, or null when none came within {@link #RECEIVE_TIMEOUT_MS}. The list is
     * reused by the next call.
     */
    List<byte[]> receive() {
        return receive(0);
    }

    /** The next message if one is waiting now, else null. The list is reused by the next call. */
    List<byte[]> poll() {
        return receive(ZMQ.DONTWAIT);
    }

    private List<byte[]> receive(int flags) {
        received.clear();
        byte[] first = socket.recv(flags);
        if (first == null) {
            return null;
        }
        received.add(first);
        while (socket.hasReceiveMore()) {
            received.add(socket.recv(0));
        }
        return received;
    }

    /** Waits for the answer to a PING, so a run starts only once the server is reachable. */
    private void ping(Answer answer) {
        long id = 0x7069_6e67L;
        send(command(new CommandRequest.Ping(id)));
        long deadline = System.nanoTime() + CONNECT_TIMEOUT_NANOS;
        while (System.nanoTime() - deadline < 0) {
            List<byte[]> reply = receive();
            if (reply == null) {
                continue;
            }
            if (answer == Answer.ANY) {
                return;
            }
            if (isPong(reply, id)) {
                return;
            }
            throw new BenchException("the server at " + endpoint + " answered PING with " + printable(reply)
                    + ": not a Rewind server that knows its own commands; --dialect rewind or gorewind"
                    + " drive the original servers");
        }
        throw new BenchException("no answer from a Rewind server at " + endpoint + " within "
                + CONNECT_TIMEOUT_NANOS / 1_000_000_000L + " s");
    }

    private static boolean isPong(List<byte[]> reply, long id) {
        if (reply.size() < 2 || reply.get(0).length != 0) {
            return false;
        }
        try {
            return CommandReply.decode(reply.subList(1, reply.size())) instanceof CommandReply.Pong pong
                    && pong.requestId() == id;
        } catch (MalformedMessageException e) {
            return false;
        }
    }

    private static String printable(List<byte[]> frames) {
        StringBuilder text = new StringBuilder("[");
        for (byte[] frame : frames) {
            text.append(text.length() == 1 ? "" : ", ").append(Frames.printable(frame));
        }
        return text.append(']').toString();
    }

    /** The frames of one of Rewind's own commands as a DEALER sends them: the delimiter first. */
    static List<byte[]> command(CommandRequest request) {
        List<byte[]> frames = request.toFrames();
        List<byte[]> message = new ArrayList<>(frames.size() + 1);
        message.add(DELIMITER);
        message.addAll(frames);
        return message;
    }

    @Override
    public void close() {
        socket.close();
    }
}
