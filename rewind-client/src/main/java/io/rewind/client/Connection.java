package io.rewind.client;

import io.rewind.api.ErrorCode;
import io.rewind.api.EventStoreException;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StoreOverloadedException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.command.ErrorReplies;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * A client's connection to the server: one I/O thread that alone owns the DEALER socket (ZeroMQ
 * sockets are not thread-safe). Callers hand it encoded requests through a {@link TaskQueue} and
 * get futures that the I/O thread completes when the reply with the same request id arrives, so
 * any number of requests may be in flight. The thread also fails requests past their timeout,
 * pings the server while it waits for something, notices a lost or silent connection, and keeps
 * the {@link SubscriptionLinks} going.
 *
 * <p>Futures are completed on the I/O thread: a dependent action attached without an executor runs
 * there and must not block. Thread-safe.
 */
final class Connection implements SubscriptionLinks.Outbound {

    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final AtomicInteger CLIENT_COUNTER = new AtomicInteger();
    /** Replies read per poll, so queued requests are not starved by a flood of deliveries. */
    private static final int READS_PER_CYCLE = 256;
    private static final long MAX_POLL_MILLIS = 1000;
    private static final long STOP_JOIN_MILLIS = 10_000;

    private final ClientConfig config;
    private final int clientNumber;
    /** Makes the ZeroMQ contexts (each with its own I/O thread) this client's sockets live in. */
    private final java.util.function.Supplier<ZMQ.Context> contexts;
    /** The context the socket lives in; replaced (I/O thread only) when it stops making connections. */
    private ZMQ.Context context;
    private final TaskQueue tasks = new TaskQueue();
    /** I/O thread writes, any thread reads: see {@link #pollCounters()}. */
    private volatile long polls;
    private volatile long idlePolls;
    private final InFlight inFlight;
    private final SubscriptionLinks links;
    private final java.util.Map<Long, GroupRoute> groupRoutes = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong requestIds = new AtomicLong();
    private final AtomicInteger subscriptionCounter = new AtomicInteger();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private final Thread ioThread;
    private final long heartbeatIntervalNanos;
    private final long heartbeatTimeoutNanos;
    private volatile boolean stopRequested;
    /** I/O thread only, after start. */
    private DealerSocket socket;
    /** Which of the configured endpoints the socket talks to; changed only by the I/O thread. */
    private volatile int endpointIndex;
    /** Since when the socket has not been connected (I/O thread only). */
    private long notConnectedSinceNanos = System.nanoTime();
    private long nextPingNanos;
    /**
     * When a server last sent this client anything (or the context was made): the proof that the
     * context's I/O thread works. I/O thread only.
     */
    private long lastMessageNanos = System.nanoTime();
    /** Sockets opened since a server last sent anything (I/O thread only); see {@link #replaceSocket}. */
    private int socketsWithoutMessage;
    /** How many such sockets before the next one goes into a new context: max(3, endpoints). */
    private final int contextRenewalSockets;
    /** One endpoint: how long without a connection or a message before connecting again from a new context. */
    private final long contextRenewalNanos;
    private final AtomicInteger contextRenewals = new AtomicInteger();

    private Connection(ClientConfig config, int clientNumber, java.util.function.Supplier<ZMQ.Context> contexts,
            ZMQ.Context context, DealerSocket socket) {
        this.config = config;
        this.clientNumber = clientNumber;
        this.contexts = contexts;
        this.context = context;
        this.socket = socket;
        this.inFlight = new InFlight(config.requestTimeout().toNanos());
        this.links = new SubscriptionLinks(this, config);
        this.heartbeatIntervalNanos = config.heartbeatInterval().toNanos();
        this.heartbeatTimeoutNanos = config.heartbeatTimeout().toNanos();
        this.contextRenewalSockets = Math.max(3, config.endpoints().size());
        this.contextRenewalNanos = heartbeatTimeoutNanos * 3;
        this.ioThread = new Thread(this::run, "rewind-client-" + clientNumber + "-io");
        this.ioThread.setDaemon(true);
    }

    /**
     * Creates the socket, starts connecting (in the background, as ZeroMQ does) and starts the I/O
     * thread.
     *
     * @throws IllegalArgumentException if the endpoint is not a ZeroMQ address
     */
    static Connection open(ClientConfig config) {
        return open(config, Connection::newContext);
    }

    /** As {@link #open(ClientConfig)}, with the ZeroMQ contexts made by {@code contexts} (tests: a wedged one). */
    static Connection open(ClientConfig config, java.util.function.Supplier<ZMQ.Context> contexts) {
        int clientNumber = CLIENT_COUNTER.incrementAndGet();
        ZMQ.Context context = contexts.get();
        Connection connection;
        try {
            DealerSocket socket = DealerSocket.open(context, config, config.endpoints().get(0),
                    "rewind-client-" + clientNumber, 1);
            connection = new Connection(config, clientNumber, contexts, context, socket);
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
        connection.ioThread.start();
        return connection;
    }

    /**
     * A ZeroMQ context with one I/O thread, whose exceptions (JeroMQ prints them to stderr by
     * default) are logged.
     */
    private static ZMQ.Context newContext() {
        ZMQ.Context context = ZMQ.context(1);
        context.setNotificationExceptionHandler((thread, e) -> LOG.warn("JeroMQ's thread {} reported: {}",
                thread.getName(), e.toString()));
        context.setUncaughtExceptionHandler((thread, e) -> LOG.error("JeroMQ's thread {} failed; this client's"
                + " connections stop until its context is replaced", thread.getName(), e));
        return context;
    }

    /** How many times the client replaced its ZeroMQ context because it stopped making connections. */
    int contextRenewals() {
        return contextRenewals.get();
    }

    /** The endpoint the client talks to now. */
    @Override
    public String endpoint() {
        return config.endpoints().get(endpointIndex);
    }

    /** Whether the calling thread is this connection's I/O thread, where blocking would deadlock. */
    boolean isIoThread() {
        return Thread.currentThread() == ioThread;
    }

    /** The name for a new subscription's listener thread. */
    String nextSubscriptionThreadName() {
        return "rewind-client-" + clientNumber + "-subscription-" + subscriptionCounter.incrementAndGet();
    }

    @Override
    public long nextRequestId() {
        return requestIds.incrementAndGet();
    }

    /**
     * Sends the request built for a fresh request id and returns its reply. The request is encoded
     * on the calling thread. The future fails with the exception an ERROR reply stands for, with a
     * {@link StoreUnavailableException} when no reply comes in time or the connection is lost
     * first, and with a {@link StoreClosedException} when the client closes first.
     */
    CompletableFuture<CommandReply> call(LongFunction<CommandRequest> build) {
        return call(nextRequestId(), build);
    }

    /** As {@link #call(LongFunction)}, with an id the caller took from {@link #nextRequestId()} (a GROUP JOIN's route). */
    CompletableFuture<CommandReply> call(long id, LongFunction<CommandRequest> build) {
        CompletableFuture<CommandReply> reply = new CompletableFuture<>();
        List<byte[]> frames;
        try {
            frames = build.apply(id).toFrames();
        } catch (EventStoreException e) {
            reply.completeExceptionally(e);
            return reply;
        }
        String command = new String(frames.get(0), StandardCharsets.US_ASCII);
        execute(new IoTask() {
            @Override
            public void run() {
                if (socket.send(frames)) {
                    inFlight.add(id, command, reply, System.nanoTime());
                } else {
                    reply.completeExceptionally(new StoreOverloadedException("the connection to " + endpoint()
                            + " cannot take more requests now (" + inFlight.size() + " in flight); nothing was sent,"
                            + " try again"));
                }
            }

            @Override
            public void abandon(EventStoreException reason) {
                reply.completeExceptionally(reason);
            }
        });
        return reply;
    }

    /** Runs {@code task} on the I/O thread. */
    void execute(IoTask task) {
        tasks.submit(task);
    }

    /** Starts a subscription's first attempt; its outcome completes {@code link.started}. */
    void startSubscription(SubscriptionLink link) {
        execute(new IoTask() {
            @Override
            public void run() {
                links.start(link, System.nanoTime());
            }

            @Override
            public void abandon(EventStoreException reason) {
                link.started.completeExceptionally(reason);
            }
        });
    }

    /** Lets the server send a subscription more events, as far as its listener has made room. */
    void topUp(SubscriptionLink link) {
        execute(() -> links.topUp(link));
    }

    /** Ends a subscription's server side (the user closed it, or its listener ended it). */
    void cancel(SubscriptionLink link) {
        execute(() -> links.cancel(link));
    }

    @Override
    public boolean send(CommandRequest request) {
        return socket.send(request.toFrames());
    }

    @Override
    public boolean isConnected() {
        return socket.isConnected();
    }

    /**
     * Stops the I/O thread: subscriptions end with a {@link StoreClosedException}, requests in flight
     * fail with one, the socket and the ZeroMQ context are closed. Idempotent; waits (bounded) for the
     * thread unless called on it.
     */
    void close() {
        if (closeRequested.compareAndSet(false, true)) {
            stopRequested = true;
            tasks.wake();
        }
        if (!isIoThread()) {
            try {
                ioThread.join(STOP_JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (ioThread.isAlive()) {
                LOG.warn("The I/O thread of the client for {} did not stop within {} ms", endpoint(),
                        STOP_JOIN_MILLIS);
            }
        }
    }

    private void run() {
        EventStoreException endReason = new StoreClosedException("the client for " + endpoint() + " was closed");
        try {
            nextPingNanos = System.nanoTime() + heartbeatIntervalNanos;
            socket.registerWakeUp(tasks.wakeUpSocket());
            while (!stopRequested) {
                cycle();
            }
        } catch (RuntimeException | Error e) {
            LOG.error("The I/O thread of the client for {} failed; the client stops", endpoint(), e);
            endReason = new EventStoreException(ErrorCode.INTERNAL, "the client's I/O thread failed: " + e);
        } finally {
            shutDown(endReason);
        }
    }

    /**
     * How the I/O thread has polled so far: {@code idlePolls} returned saying an item was ready
     * although no reply, no monitor event and no wake-up was there to read (a poll that returns for
     * nothing makes the thread spin, as it did with a raw pipe for its wake-ups, see
     * {@link TaskQueue}). Zero in a healthy connection.
     */
    record PollCounters(long polls, long idlePolls) {
    }

    /** The I/O thread's poll counters. Any thread. */
    PollCounters pollCounters() {
        return new PollCounters(polls, idlePolls);
    }

    private void cycle() {
        long now = System.nanoTime();
        DealerSocket polled = socket;
        int ready = polled.poll(pollMillis(now));
        polls++;
        long eventsBefore = polled.monitorEvents();
        long wakeUpsBefore = tasks.wakeUpsRead();
        boolean received = false;
        now = System.nanoTime();
        DealerSocket.Change change = socket.readConnectionEvents();
        if (change == DealerSocket.Change.CONNECTED) {
            LOG.debug("Connected to {}", endpoint());
        } else if (change == DealerSocket.Change.DISCONNECTED) {
            notConnectedSinceNanos = now;
            String reason = "lost the connection to " + endpoint();
            connectionLost(reason, now);
            if (config.endpoints().size() > 1) {
                moveToNextEndpoint(reason, now);
            }
        }
        for (int i = 0; i < READS_PER_CYCLE; i++) {
            List<byte[]> message = socket.receive();
            if (message == null) {
                break;
            }
            lastMessageNanos = now;
            socketsWithoutMessage = 0;
            received = true;
            onMessage(message, now);
        }
        tasks.runAll();
        if (ready > 0 && !received && polled.monitorEvents() == eventsBefore && tasks.wakeUpsRead() == wakeUpsBefore) {
            idlePolls++;
        }
        housekeeping(System.nanoTime());
    }

    private long pollMillis(long now) {
        long next = Math.min(inFlight.nextDeadline(), links.nextTimer(now));
        if (isWaitingForServer()) {
            next = Math.min(next, nextPingNanos);
            if (socket.isConnected()) {
                next = Math.min(next, socket.lastHeardNanos() + heartbeatTimeoutNanos);
            }
        }
        if (next == Long.MAX_VALUE) {
            return MAX_POLL_MILLIS;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(next - now) + 1;
        return Math.max(0, Math.min(MAX_POLL_MILLIS, millis));
    }

    private boolean isWaitingForServer() {
        return !inFlight.isEmpty() || !links.isEmpty();
    }

    private void onMessage(List<byte[]> frames, long now) {
        if (frames.isEmpty() || frames.get(0).length != 0) {
            LOG.warn("Ignored a message from {} without the empty delimiter ({} frames)", endpoint(), frames.size());
            return;
        }
        List<byte[]> body = frames.subList(1, frames.size());
        CommandReply reply;
        try {
            reply = CommandReply.decode(body);
        } catch (RuntimeException e) {
            malformedReply(body, e);
            return;
        }
        OptionalLong id = Replies.requestId(reply);
        if (id.isEmpty()) {
            LOG.warn("The server at {} reported an error about a request it could not identify: {}", endpoint(),
                    ((CommandReply.Error) reply).reason());
            return;
        }
        GroupRoute route = groupRoutes.get(id.getAsLong());
        if (route != null && (reply instanceof CommandReply.GroupDelivery || !inFlight.contains(id.getAsLong()))) {
            route.onReply(reply); // pushed to a group consumer: a delivery, or the ERROR that ends its membership
            return;
        }
        InFlight.Request request = inFlight.remove(id.getAsLong());
        if (request != null) {
            complete(request, reply);
        } else if (!links.onReply(id.getAsLong(), reply, now) && Replies.isSubscriptionTraffic(reply)) {
            // A server subscription nobody here owns any more (its SUBSCRIBE timed out, or it was
            // replaced): stop it so it does not hold credit and memory on the server.
            send(new CommandRequest.Cancel(id.getAsLong()));
        }
    }

    private void complete(InFlight.Request request, CommandReply reply) {
        if (reply instanceof CommandReply.Error error) {
            request.reply().completeExceptionally(ErrorReplies.toException(error));
        } else {
            request.reply().complete(reply);
        }
    }

    private void malformedReply(List<byte[]> body, RuntimeException e) {
        Long id = CommandRequest.requestIdOf(body);
        InFlight.Request request = id == null ? null : inFlight.remove(id);
        LOG.warn("Ignored a malformed reply from {}: {}", endpoint(), e.getMessage());
        if (request != null) {
            request.reply().completeExceptionally(new EventStoreException(ErrorCode.INTERNAL,
                    "the server at " + endpoint() + " answered " + request.command() + " with a malformed reply: "
                            + e.getMessage()));
        }
    }

    private void housekeeping(long now) {
        for (InFlight.Request request : inFlight.expire(now)) {
            request.reply().completeExceptionally(new StoreUnavailableException("no reply from " + endpoint()
                    + " to " + request.command() + " within " + config.requestTimeout().toMillis() + " ms"
                    + outcomeNote(request)));
        }
        heartbeat(now);
        links.tick(now);
    }

    /**
     * Pings while the client waits for the server; drops a connection that stays silent longer than
     * the heartbeat timeout although ZeroMQ believes it connected (a frozen server, a half-open TCP
     * connection), and starts a fresh one. While disconnected, ZeroMQ is reconnecting by itself and
     * a rare ping suffices (it only queues up), and silence is no news.
     */
    private void heartbeat(long now) {
        if (!isWaitingForServer()) {
            socket.heardAt(now);
            nextPingNanos = now + heartbeatIntervalNanos;
            return;
        }
        if (now - nextPingNanos >= 0) {
            socket.send(new CommandRequest.Ping(nextRequestId()).toFrames());
            nextPingNanos = now + (socket.isConnected() ? heartbeatIntervalNanos : heartbeatTimeoutNanos);
        }
        if (!socket.isConnected()) {
            socket.heardAt(now);
            if (config.endpoints().size() > 1 && now - notConnectedSinceNanos > heartbeatTimeoutNanos) {
                String reason = "no connection to " + endpoint() + " for " + config.heartbeatTimeout().toMillis() + " ms";
                connectionLost(reason, now);
                moveToNextEndpoint(reason, now);
            } else if (config.endpoints().size() == 1 && now - notConnectedSinceNanos >= contextRenewalNanos
                    && now - lastMessageNanos >= contextRenewalNanos) {
                // One endpoint: ZeroMQ reconnects by itself, unless the context itself is stuck.
                String reason = "no connection to " + endpoint() + " for "
                        + TimeUnit.NANOSECONDS.toMillis(now - notConnectedSinceNanos) + " ms";
                LOG.warn("{}; connecting again", reason);
                connectionLost(reason, now);
                replaceSocket(now, true);
            }
            return;
        }
        if (now - socket.lastHeardNanos() > heartbeatTimeoutNanos) {
            String reason = "no answer from " + endpoint() + " for " + config.heartbeatTimeout().toMillis() + " ms";
            if (config.endpoints().size() > 1) {
                connectionLost(reason, now);
                moveToNextEndpoint(reason, now);
                return;
            }
            LOG.warn("{}; reconnecting", reason);
            replaceSocket(now);
            connectionLost(reason, now);
        }
    }

    /**
     * Drops the socket and connects to the next configured endpoint (requests in flight on the old
     * one were failed by {@link #connectionLost} already); subscriptions resume there from where
     * they were, which on a cluster node is the same position in the same global order.
     */
    private void moveToNextEndpoint(String reason, long now) {
        String from = endpoint();
        endpointIndex = (endpointIndex + 1) % config.endpoints().size();
        LOG.warn("{}; moving from {} to {}", reason, from, endpoint());
        replaceSocket(now);
    }

    /**
     * Drops the socket and connects to the next configured endpoint, as after a lost connection
     * (requests in flight fail, group routes hear {@code connectionLost}): for a server that said
     * it cannot serve this client's requests (a cluster follower's
     * {@link io.rewind.api.NotLeaderException} to a group consumer). A no-op with one endpoint. Any thread.
     */
    void moveOn(String reason) {
        if (config.endpoints().size() < 2) {
            return;
        }
        execute(() -> {
            long now = System.nanoTime();
            connectionLost(reason, now);
            moveToNextEndpoint(reason, now);
        });
    }

    /**
     * As {@link #moveOn}, but only if the connection is still at {@code from} when the move runs:
     * callers on several threads that each heard a refusal from the same node move it once.
     */
    void moveOnFrom(String from, String reason) {
        if (config.endpoints().size() < 2) {
            return;
        }
        execute(() -> {
            if (!endpoint().equals(from)) {
                return;
            }
            long now = System.nanoTime();
            connectionLost(reason, now);
            moveToNextEndpoint(reason, now);
        });
    }

    /**
     * Drops the socket and opens one to {@link #endpoint()}. When {@link #contextRenewalSockets}
     * sockets were opened since a server last sent anything (every endpoint tried, at least three
     * times in all), or when {@code renewContext} says so, the new socket goes into a new ZeroMQ
     * context: a JeroMQ 0.6.0 context was seen to stop making connections at all (ClusterKillTest,
     * once in 40 runs: one client's fresh sockets never connected to any of three live nodes for
     * 120 s, while the other clients in the same JVM, each with its own context, worked), and only
     * a new I/O thread gets such a client going. Replacing a context that was fine costs a thread.
     */
    private void replaceSocket(long now) {
        replaceSocket(now, false);
    }

    private void replaceSocket(long now, boolean renewContext) {
        DealerSocket previous = socket;
        ZMQ.Context previousContext = null;
        if (renewContext || socketsWithoutMessage >= contextRenewalSockets) {
            LOG.warn("no server has answered this client for {} ms: it connects to {} from a new ZeroMQ context",
                    TimeUnit.NANOSECONDS.toMillis(now - lastMessageNanos), endpoint());
            previousContext = context;
            context = contexts.get();
            lastMessageNanos = now;
            socketsWithoutMessage = 0;
            contextRenewals.incrementAndGet();
        }
        socketsWithoutMessage++;
        socket = DealerSocket.open(context, config, endpoint(), "rewind-client-" + clientNumber,
                previous.generation() + 1);
        socket.registerWakeUp(tasks.wakeUpSocket());
        previous.close(0);
        notConnectedSinceNanos = now;
        if (previousContext != null) {
            closeInBackground(previousContext);
        }
    }

    /** Closes a replaced context on a thread of its own: a stuck context may never finish closing. */
    private void closeInBackground(ZMQ.Context old) {
        Thread closer = new Thread(() -> {
            try {
                old.close();
            } catch (RuntimeException e) {
                LOG.debug("closing a replaced ZeroMQ context failed: {}", e.toString());
            }
        }, "rewind-client-" + clientNumber + "-context-closer");
        closer.setDaemon(true);
        closer.start();
    }

    private void connectionLost(String reason, long now) {
        for (InFlight.Request request : inFlight.removeAll()) {
            request.reply().completeExceptionally(new StoreUnavailableException(reason + " before the reply to "
                    + request.command() + " came" + outcomeNote(request)));
        }
        links.connectionLost(reason, now);
        groupRoutes.values().forEach(route -> route.connectionLost(reason));
    }

    /** Where the pushed messages of one GROUP JOIN go; called on the I/O thread, must not block. */
    interface GroupRoute {
        void onReply(CommandReply reply);

        void connectionLost(String reason);
    }

    /** Routes every later message carrying {@code joinId} to {@code route}, until {@link #unroute}. */
    void route(long joinId, GroupRoute route) {
        groupRoutes.put(joinId, route);
    }

    void unroute(long joinId) {
        groupRoutes.remove(joinId);
    }

    private static String outcomeNote(InFlight.Request request) {
        return request.command().equals("APPEND")
                ? "; the append may or may not have been stored: retry it with the same event ids to find out"
                : "";
    }

    private void shutDown(EventStoreException reason) {
        try {
            links.stopAll(reason);
            for (InFlight.Request request : inFlight.removeAll()) {
                request.reply().completeExceptionally(reason);
            }
            socket.close(DealerSocket.CLOSE_LINGER_MILLIS);
        } finally {
            tasks.close(reason);
            context.close();
            LOG.debug("Client for {} stopped", endpoint());
        }
    }
}
