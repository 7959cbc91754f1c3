package io.rewind.client;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZEvent;
import org.zeromq.ZMonitor;
import org.zeromq.ZMQ;

/**
 * One DEALER socket connected to the server's command endpoint, with a monitor that reports when
 * the TCP connection comes and goes, and the poller the I/O thread waits on. ZeroMQ reconnects by
 * itself after a drop, with the client's backoff; a fresh {@code DealerSocket} (new identity at the
 * server) replaces this one only when the connection must be abandoned. I/O thread only (it is
 * created on the connecting thread and handed over when the I/O thread starts).
 */
final class DealerSocket {

    /** What the monitor reported since the last look. */
    enum Change { NONE, CONNECTED, DISCONNECTED }

    /** Long enough to flush the CANCELs of a closing client, short enough not to hold close up. */
    static final int CLOSE_LINGER_MILLIS = 100;
    /**
     * JeroMQ's connecting side can stall in the ZMTP handshake (zeromq/jeromq PR #1022); a short
     * handshake interval tears such a connection down and reconnects at once.
     */
    private static final int HANDSHAKE_INTERVAL_MILLIS = 1000;
    private static final int SEND_HIGH_WATER_MARK = 10_000;
    private static final byte[] DELIMITER = new byte[0];
    private static final Logger LOG = LoggerFactory.getLogger(DealerSocket.class);

    private final ZMQ.Context context;
    private final ZMQ.Socket dealer;
    private final ZMQ.Socket monitor;
    private final int generation;
    private ZMQ.Poller poller;
    /** Monitor events read so far (I/O thread). */
    private long monitorEvents;
    private boolean connected;
    private long lastHeardNanos = System.nanoTime();

    private DealerSocket(ZMQ.Context context, ZMQ.Socket dealer, ZMQ.Socket monitor, int generation) {
        this.context = context;
        this.dealer = dealer;
        this.monitor = monitor;
        this.generation = generation;
    }

    /**
     * Creates a DEALER and starts connecting it to {@code endpoint}.
     *
     * @param endpoint   one of the configured endpoints
     * @param name       names the client in the monitor's inproc address
     * @param generation counts the sockets this client has opened, from 1
     * @throws IllegalArgumentException if the endpoint is not a usable ZeroMQ address
     */
    static DealerSocket open(ZMQ.Context context, ClientConfig config, String endpoint, String name, int generation) {
        ZMQ.Socket dealer = context.socket(SocketType.DEALER);
        ZMQ.Socket monitor = null;
        try {
            dealer.setLinger(0);
            dealer.setSndHWM(SEND_HIGH_WATER_MARK);
            dealer.setReconnectIVL(millis(config.reconnectBackoffMin()));
            dealer.setReconnectIVLMax(millis(config.reconnectBackoffMax()));
            dealer.setHandshakeIvl(HANDSHAKE_INTERVAL_MILLIS);
            if (config.serverKey().isPresent()) {
                dealer.setCurveServerKey(config.serverKey().get().publicKey());
                dealer.setCurvePublicKey(config.clientKeys().orElseThrow().publicKey());
                dealer.setCurveSecretKey(config.clientKeys().orElseThrow().secretKey().orElseThrow());
            }
            String monitorAddress = "inproc://" + name + "-monitor-" + generation;
            dealer.monitor(monitorAddress, ZMQ.EVENT_CONNECTED | ZMQ.EVENT_DISCONNECTED);
            monitor = context.socket(SocketType.PAIR);
            monitor.connect(monitorAddress);
            if (!dealer.connect(endpoint)) {
                throw new IllegalStateException("ZeroMQ error " + dealer.errno());
            }
            return new DealerSocket(context, dealer, monitor, generation);
        } catch (RuntimeException e) {
            if (monitor != null) {
                monitor.close();
            }
            dealer.close();
            throw new IllegalArgumentException("cannot connect to '" + endpoint + "': " + e.getMessage(), e);
        }
    }

    private static int millis(java.time.Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
    }

    /** Builds the poller over the socket, its monitor and the task queue's wake-up socket. */
    void registerWakeUp(ZMQ.Socket wakeUp) {
        poller = context.poller(3);
        poller.register(dealer, ZMQ.Poller.POLLIN);
        poller.register(monitor, ZMQ.Poller.POLLIN);
        poller.register(wakeUp, ZMQ.Poller.POLLIN);
    }

    /** Monitor events {@link #readConnectionEvents} has read so far. I/O thread. */
    long monitorEvents() {
        return monitorEvents;
    }

    int generation() {
        return generation;
    }

    /** Waits up to {@code millis} for a reply, a monitor event or a task; returns how many items are ready. */
    int poll(long millis) {
        return poller.poll(millis);
    }

    /** Whether the TCP connection is up, as far as the monitor and the last reply tell. */
    boolean isConnected() {
        return connected;
    }

    /** When the server was last heard from (or the silence was last excused). */
    long lastHeardNanos() {
        return lastHeardNanos;
    }

    /** Excuses the silence until {@code nanos}: nothing was expected of the server before it. */
    void heardAt(long nanos) {
        lastHeardNanos = nanos;
    }

    /** Reads the monitor's events; DISCONNECTED wins when the connection dropped and came back. */
    Change readConnectionEvents() {
        Change change = Change.NONE;
        ZEvent event;
        while ((event = ZEvent.recv(monitor, ZMQ.DONTWAIT)) != null) {
            monitorEvents++;
            if (event.getEvent() == ZMonitor.Event.CONNECTED) {
                connected = true;
                lastHeardNanos = System.nanoTime();
                if (change == Change.NONE) {
                    change = Change.CONNECTED;
                }
            } else if (event.getEvent() == ZMonitor.Event.DISCONNECTED) {
                connected = false;
                change = Change.DISCONNECTED;
            }
        }
        return change;
    }

    /** The next reply message (all its frames), or null when none is waiting. */
    List<byte[]> receive() {
        byte[] first = dealer.recv(ZMQ.DONTWAIT);
        if (first == null) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>(4);
        frames.add(first);
        while (dealer.hasReceiveMore()) {
            frames.add(dealer.recv(0));
        }
        connected = true;
        lastHeardNanos = System.nanoTime();
        return frames;
    }

    /**
     * Sends a request (after the empty delimiter the server's ROUTER expects) without blocking.
     * Returns false when the socket's queue is full; ZeroMQ takes a multipart message whole or
     * not at all, so only the first frame can be refused.
     */
    boolean send(List<byte[]> frames) {
        if (!dealer.send(DELIMITER, ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
            return false;
        }
        int last = frames.size() - 1;
        for (int i = 0; i <= last; i++) {
            if (!dealer.send(frames.get(i), (i < last ? ZMQ.SNDMORE : 0) | ZMQ.DONTWAIT)) {
                LOG.error("ZeroMQ refused frame {} of {} of a message already begun", i + 1, last + 1);
                return false;
            }
        }
        return true;
    }

    /** Closes the socket, waiting up to {@code lingerMillis} to send what is queued. */
    void close(int lingerMillis) {
        if (poller != null) {
            poller.close();
        }
        dealer.setLinger(lingerMillis);
        dealer.close();
        monitor.close();
    }
}
