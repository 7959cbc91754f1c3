package io.rewind.server;

import io.rewind.api.EventStore;
import io.rewind.groups.GroupService;
import io.rewind.security.CurveKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * Serves an {@link EventStore} over ZeroMQ: one ROUTER command socket speaking the Rewind dialect
 * (REQ clients), the GoRewind dialect and Rewind's own commands (DEALER clients) at once; a PUB
 * socket in GoRewind format {@code [stream, id, data]}; and, when configured, a PUB socket in
 * Rewind's legacy format {@code [id, previous id, data]}. docs/PROTOCOL.md describes every frame.
 *
 * <p>Start one with {@link #start}; {@link #close()} stops it. The server never closes the store:
 * its caller owns it. Thread-safe.
 */
public final class RewindServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RewindServer.class);
    private static final AtomicInteger SERVER_COUNTER = new AtomicInteger();

    private final ZMQ.Context context;
    private final SocketLoop loop;
    private final Thread socketThread;
    private final ExecutorService workers;
    private final Broadcaster broadcaster;
    private final Mailbox mailbox;
    private final String commandEndpoint;
    private final String streamEndpoint;
    private final String legacyStreamEndpoint;
    private final ServerConfig config;
    private final ZapHandler zap;
    private boolean closed;

    private RewindServer(ServerConfig config, ZMQ.Context context, SocketLoop loop, Thread socketThread,
            ExecutorService workers, Broadcaster broadcaster, Mailbox mailbox, String[] endpoints, ZapHandler zap) {
        this.config = config;
        this.zap = zap;
        this.context = context;
        this.loop = loop;
        this.socketThread = socketThread;
        this.workers = workers;
        this.broadcaster = broadcaster;
        this.mailbox = mailbox;
        this.commandEndpoint = endpoints[0];
        this.streamEndpoint = endpoints[1];
        this.legacyStreamEndpoint = endpoints[2];
    }

    /**
     * Binds the sockets, starts broadcasting every event that becomes durable from now on, and
     * starts answering requests.
     *
     * @throws EndpointBindException if an endpoint cannot be bound (nothing is left running then)
     */
    public static RewindServer start(ServerConfig config, EventStore store) {
        return start(config, store, ServerSecurity.none());
    }

    /**
     * As {@link #start(ServerConfig, EventStore)}, protected as {@code security} says.
     *
     * @throws InsecureEndpointException if an endpoint is not on loopback and {@code security} is
     *                                   {@link ServerSecurity#none()} (nothing is bound then)
     * @throws EndpointBindException     if an endpoint cannot be bound
     */
    public static RewindServer start(ServerConfig config, EventStore store, ServerSecurity security) {
        return start(config, store, security, Optional.empty());
    }

    /**
     * As {@link #start(ServerConfig, EventStore, ServerSecurity)}, also serving the consumer groups
     * of {@code groups} (the GROUP command, docs/PROTOCOL.md §5.6) when present. The server never
     * closes the group service: its owner closes it after the server (docs/GROUPS.md).
     */
    public static RewindServer start(ServerConfig config, EventStore store, ServerSecurity security,
            Optional<GroupService> groups) {
        Objects.requireNonNull(groups, "groups");
        return start(config, store, security, groups.map(GroupServiceSource::of).orElse(GroupServiceSource.none()));
    }

    /**
     * As {@link #start(ServerConfig, EventStore, ServerSecurity, Optional)}, asking {@code groups}
     * for the service afresh on every GROUP command: on a cluster node it is a
     * {@link LeaderGroupService}, which has a service only while the node leads (docs/GROUPS.md
     * "On a cluster"). The server never closes it.
     */
    public static RewindServer start(ServerConfig config, EventStore store, ServerSecurity security,
            GroupServiceSource groups) {
        Objects.requireNonNull(groups, "groups");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(security, "security");
        requireSafeEndpoints(config, security);
        int serverNumber = SERVER_COUNTER.incrementAndGet();
        ZMQ.Context context = ZMQ.context(1);
        List<ZMQ.Socket> sockets = new ArrayList<>();
        Mailbox mailbox = null;
        ExecutorService workers = null;
        ZapHandler zap = null;
        try {
            if (security.mode() == ServerSecurity.Mode.CURVE) {
                // Before any CURVE socket binds: without a handler, JeroMQ accepts every client key.
                zap = ZapHandler.start(context, security.clientKeys().orElseThrow(), security.policy().orElseThrow(),
                        "rewind-server-" + serverNumber + "-zap");
            }
            ZMQ.Socket router = socket(context, SocketType.ROUTER, config, sockets);
            secure(router, security, ZapHandler.COMMANDS);
            router.setRouterMandatory(true);
            router.setSndHWM(config.sendHighWaterMark());
            router.setRcvHWM(config.sendHighWaterMark());
            router.setMaxMsgSize(config.maxMessageBytes());
            String command = bind(router, "command", config.commandEndpoint());
            ZMQ.Socket streamPub = publisher(context, config, sockets);
            secure(streamPub, security, ZapHandler.STREAM);
            String stream = bind(streamPub, "stream", config.streamEndpoint());
            ZMQ.Socket legacyPub = null;
            String legacy = null;
            if (config.legacyStreamEndpoint().isPresent()) {
                legacyPub = publisher(context, config, sockets);
                secure(legacyPub, security, ZapHandler.STREAM);
                legacy = bind(legacyPub, "legacy stream", config.legacyStreamEndpoint().get());
            }
            mailbox = new Mailbox(context);
            ZMQ.Poller poller = context.poller(2);
            poller.register(router, ZMQ.Poller.POLLIN);
            poller.register(mailbox.signal(), ZMQ.Poller.POLLIN);
            workers = workers(config, serverNumber);
            LoopHolder holder = new LoopHolder();
            Broadcaster broadcaster = new Broadcaster(store, config.broadcastQueueCapacity(), mailbox,
                    cause -> holder.loop.broadcastEnded(cause), "rewind-server-" + serverNumber + "-broadcast");
            SocketLoop loop = new SocketLoop(config, store, security, new SocketLoop.Sockets(router, streamPub, legacyPub, poller),
                    mailbox, workers, broadcaster, groups);
            holder.loop = loop;
            long startAfter = broadcaster.start();
            Thread thread = new Thread(() -> runAndClose(loop, sockets, poller),
                    "rewind-server-" + serverNumber + "-sockets");
            thread.start();
            LOG.info("Rewind server listening: commands {}, stream {}, legacy stream {}; broadcasting after position {}; {}",
                    command, stream, legacy == null ? "off" : legacy, startAfter, security);
            return new RewindServer(config, context, loop, thread, workers, broadcaster, mailbox,
                    new String[] {command, stream, legacy}, zap);
        } catch (RuntimeException | Error e) {
            if (zap != null) {
                zap.close();
            }
            if (workers != null) {
                workers.shutdownNow();
            }
            if (mailbox != null) {
                mailbox.close();
            }
            sockets.forEach(ZMQ.Socket::close);
            context.close();
            throw e;
        }
    }

    private static void requireSafeEndpoints(ServerConfig config, ServerSecurity security) {
        if (security.mode() != ServerSecurity.Mode.NONE) {
            return;
        }
        if (!Endpoints.isLoopback(config.commandEndpoint())) {
            throw new InsecureEndpointException("command", config.commandEndpoint());
        }
        if (!Endpoints.isLoopback(config.streamEndpoint())) {
            throw new InsecureEndpointException("stream", config.streamEndpoint());
        }
        if (config.legacyStreamEndpoint().isPresent() && !Endpoints.isLoopback(config.legacyStreamEndpoint().get())) {
            throw new InsecureEndpointException("legacy stream", config.legacyStreamEndpoint().get());
        }
    }

    /** Makes {@code socket} a CURVE server in {@code domain} when the server uses CURVE. */
    private static void secure(ZMQ.Socket socket, ServerSecurity security, String domain) {
        if (security.mode() != ServerSecurity.Mode.CURVE) {
            return;
        }
        CurveKeys keys = security.serverKeys().orElseThrow();
        socket.setZapDomain(domain);
        socket.setCurveServer(true);
        socket.setCurvePublicKey(keys.publicKey());
        socket.setCurveSecretKey(keys.secretKey().orElseThrow());
    }

    /** Lets the broadcaster's end-callback reach the loop created after it. */
    private static final class LoopHolder {
        private volatile SocketLoop loop;
    }

    private static ZMQ.Socket publisher(ZMQ.Context context, ServerConfig config, List<ZMQ.Socket> sockets) {
        ZMQ.Socket pub = socket(context, SocketType.PUB, config, sockets);
        pub.setSndHWM(config.broadcastHighWaterMark());
        return pub;
    }

    private static ZMQ.Socket socket(ZMQ.Context context, SocketType type, ServerConfig config,
            List<ZMQ.Socket> sockets) {
        ZMQ.Socket socket = context.socket(type);
        sockets.add(socket);
        // Deliberate: long enough to flush last replies and broadcasts, short enough that a gone
        // client cannot hold close() up.
        socket.setLinger((int) Math.min(Integer.MAX_VALUE, config.linger().toMillis()));
        return socket;
    }

    private static String bind(ZMQ.Socket socket, String role, String endpoint) {
        try {
            if (!socket.bind(endpoint)) {
                throw new EndpointBindException(role, endpoint, describe(socket.errno()), null);
            }
        } catch (EndpointBindException e) {
            throw e;
        } catch (ZMQException e) {
            throw new EndpointBindException(role, endpoint, describe(e.getErrorCode()), e);
        } catch (RuntimeException e) {
            String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new EndpointBindException(role, endpoint, "invalid endpoint (" + detail + ")", e);
        }
        return socket.getLastEndpoint();
    }

    /** ZeroMQ's error numbers as words: "address already in use", not "Errno 48". */
    private static String describe(int errno) {
        ZMQ.Error error = ZMQ.Error.findByCode(errno);
        if (error == null) {
            return "ZeroMQ error " + errno;
        }
        return switch (error) {
            // JeroMQ reports every failed TCP bind as EADDRINUSE, a non-local address included.
            case EADDRINUSE -> "address already in use, or not an address of this machine";
            case EADDRNOTAVAIL -> "address not available on this machine";
            case EPROTONOSUPPORT -> "unsupported transport (use tcp://host:port, ipc:// or inproc://)";
            case EACCESS -> "permission denied";
            default -> error.getMessage() + " (" + error.name() + ")";
        };
    }

    private static ExecutorService workers(ServerConfig config, int serverNumber) {
        AtomicInteger counter = new AtomicInteger();
        // Unbounded queue on purpose: the socket thread admits at most maxRequestsInFlight
        // requests plus one history read per subscription, which bounds it.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(),
                60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable,
                            "rewind-server-" + serverNumber + "-worker-" + counter.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        return pool;
    }

    private static void runAndClose(SocketLoop loop, List<ZMQ.Socket> sockets, ZMQ.Poller poller) {
        try {
            loop.run();
        } finally {
            poller.close();
            // The sockets belong to this thread, so this thread closes them (each with its linger).
            sockets.forEach(ZMQ.Socket::close);
        }
    }

    /** The command endpoint actually bound (with the real port when configured with {@code *}). */
    public String commandEndpoint() {
        return commandEndpoint;
    }

    /** The GoRewind-format stream endpoint actually bound. */
    public String streamEndpoint() {
        return streamEndpoint;
    }

    /** The legacy-format stream endpoint actually bound, when it is on. */
    public Optional<String> legacyStreamEndpoint() {
        return Optional.ofNullable(legacyStreamEndpoint);
    }

    /** The broadcaster, for tests that read its counters. */
    Broadcaster broadcaster() {
        return broadcaster;
    }

    /** How the socket thread has polled so far (for tests that guard against spinning and missed wake-ups). */
    SocketLoop.Counters loopCounters() {
        return loop.counters();
    }

    /** Whether the socket thread has stopped reading requests and is finishing those in flight (for tests). */
    boolean loopDraining() {
        return loop.draining();
    }

    /** The number of subscriptions clients hold over the command socket now, for monitoring. */
    public int subscriptionCount() {
        return loop.subscriptionCount();
    }

    /**
     * Stops the server: stops taking requests, answers those in flight (appends the store accepted
     * complete and are answered), publishes what became durable, ends subscriptions with a CLOSED
     * error, then closes the sockets with the configured linger. Does not close the store.
     * Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.requestStop();
        try {
            socketThread.join(config.shutdownTimeout().toMillis() * 2 + config.linger().toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (socketThread.isAlive()) {
            LOG.error("The server's socket thread did not stop in time");
        }
        broadcaster.close();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        mailbox.close();
        if (zap != null) {
            zap.close();
        }
        context.close();
        SocketLoop.Counters counters = loop.counters();
        LOG.debug("Socket thread: {} polls, {} returned with nothing ready, {} waited out a timeout with a wake-up queued;"
                + " broadcast reader: {} heads told before readable, {} safety parks ran out over untold events",
                counters.polls(), counters.idlePolls(), counters.lateWakeUps(), broadcaster.unreadableHeads(),
                broadcaster.idleParksRunOut());
        LOG.info("Rewind server on {} closed", commandEndpoint);
    }
}
