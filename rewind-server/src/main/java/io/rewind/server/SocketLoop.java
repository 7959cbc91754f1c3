package io.rewind.server;

import io.rewind.api.ErrorCode;
import io.rewind.api.EventStore;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.UnauthenticatedException;
import io.rewind.protocol.Dialect;
import io.rewind.protocol.Frames;
import io.rewind.protocol.MalformedMessageException;
import io.rewind.protocol.command.CommandName;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.legacy.GoRewindReply;
import io.rewind.protocol.legacy.RewindReply;
import io.rewind.security.AccessPolicy;
import io.rewind.security.ClientKeys;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * The socket thread: it alone touches the ROUTER and PUB sockets. One poller waits on the ROUTER
 * and on the {@link Mailbox}'s wake-up channel, so a request, a finished store call or a newly
 * durable event each wake it at once. Appends go straight to the store ({@link AppendPath}); other
 * store calls run on workers ({@link OffThread}).
 *
 * <p>Per cycle: read what the ROUTER has (bounded), run mailbox tasks (replies), publish pending
 * broadcasts and serve live subscriptions from them, retry replies waiting for a full client,
 * and about once a second drop subscriptions of silent clients (and, with CURVE, of removed client
 * keys). Requests in flight are bounded by
 * {@link ServerConfig#maxRequestsInFlight()}.
 */
final class SocketLoop implements Runnable, Replies {

    private static final Logger LOG = LoggerFactory.getLogger(SocketLoop.class);
    /** Messages read from the ROUTER per cycle, so replies and broadcasts are not starved. */
    private static final int READS_PER_CYCLE = 512;
    private static final long IDLE_POLL_MS = 1000;
    private static final long BACKLOG_POLL_MS = 2;
    private static final long HOUSEKEEPING_NANOS = 1_000_000_000L;

    private final ServerConfig config;
    private final EventStore store;
    private final ZMQ.Socket router;
    private final ZMQ.Socket streamPub;
    private final ZMQ.Socket legacyPub;
    private final ZMQ.Poller poller;
    private final Mailbox mailbox;
    private final Broadcaster broadcaster;
    private final RouterSender sender;
    private final SubscriptionHub subscriptions;
    /** Decodes and rejects commands before their sender is known; never serves one. */
    private final CommandService commands;
    private final GroupConsumers groupConsumers;
    private final Gate<Services> gate;
    private final Predicate<RecordedEvent> published;
    /** The CURVE server's client keys, null without CURVE: subscriptions and group consumers of removed keys end at housekeeping. */
    private final ClientKeys clientKeys;
    private final ClientStyles clientStyles = new ClientStyles();
    private volatile boolean stopRequested;
    private int inFlight;
    /** Socket thread writes, any thread reads: see {@link #counters()}. */
    private volatile long polls;
    private volatile long idlePolls;
    private volatile long lateWakeUps;
    private volatile long timeouts;
    /** True once the loop stopped reading requests and only finishes what is in flight; the ROUTER is then out of the poller. */
    private volatile boolean draining;

    SocketLoop(ServerConfig config, EventStore store, ServerSecurity security, Sockets sockets, Mailbox mailbox,
            ExecutorService workers, Broadcaster broadcaster, GroupServiceSource groups) {
        this.config = config;
        this.store = store;
        this.router = sockets.router();
        this.streamPub = sockets.streamPub();
        this.legacyPub = sockets.legacyPub();
        this.poller = sockets.poller();
        this.mailbox = mailbox;
        this.broadcaster = broadcaster;
        OffThread offThread = new OffThread(workers, mailbox);
        this.sender = new RouterSender(router, config.maxQueuedRepliesPerClient(), this::clientGone);
        this.subscriptions = new SubscriptionHub(store, offThread, this::sendCommandReply,
                broadcaster::lastPublished, config);
        this.groupConsumers = new GroupConsumers(groups, offThread, mailbox, this::sendCommandReply, config);
        this.commands = new CommandService(store, config, offThread, new AppendPath(store, config.maxEventSize(), mailbox),
                this, subscriptions, Optional.empty(), groupConsumers);
        this.gate = new Gate<>(security, store, view -> {
            EventStore served = view.isPresent() ? view.get() : store;
            AppendPath appends = new AppendPath(served, config.maxEventSize(), mailbox);
            return new Services(new LegacyService(served, config, offThread, appends, this),
                    new CommandService(served, config, offThread, appends, this, subscriptions, view, groupConsumers));
        });
        this.published = publishedFilter(security);
        this.clientKeys = security.clientKeys().orElse(null);
    }

    /** The services of one principal (or of the bare store): its legacy dialects and Rewind's commands. */
    private record Services(LegacyService legacy, CommandService commands) {
    }

    /**
     * Which events the PUB sockets publish: all of them, but on an endpoint served as one principal
     * only those it may read now (a CURVE server lets only principals with read:$all subscribe).
     */
    private static Predicate<RecordedEvent> publishedFilter(ServerSecurity security) {
        if (security.mode() != ServerSecurity.Mode.PRINCIPAL) {
            return null;
        }
        AccessPolicy policy = security.policy().orElseThrow();
        String principal = security.principal().orElseThrow();
        return event -> policy.principal(principal).map(p -> p.mayRead(event.stream())).orElse(false);
    }

    /**
     * The sockets the loop owns, and the poller over the ROUTER (index 0) and the mailbox (index 1);
     * {@link #finish} unregisters the ROUTER, after which the mailbox is index 0 (JeroMQ's poller
     * removes the item), and nothing reads the poller by index any more.
     */
    record Sockets(ZMQ.Socket router, ZMQ.Socket streamPub, ZMQ.Socket legacyPub, ZMQ.Poller poller) {
    }

    /** Asks the loop to stop reading requests, finish those in flight and exit. Any thread. */
    void requestStop() {
        stopRequested = true;
        mailbox.wake();
    }

    /** The number of subscriptions over the command socket. Any thread. */
    int subscriptionCount() {
        return subscriptions.size();
    }

    /** The broadcast subscription ended with {@code cause} (the store closed or failed). Socket thread. */
    void broadcastEnded(Throwable cause) {
        subscriptions.endAll(cause);
    }

    @Override
    public void run() {
        long nextHousekeeping = System.nanoTime() + HOUSEKEEPING_NANOS;
        try {
            while (!stopRequested) {
                cycle(true);
                long now = System.nanoTime();
                if (now - nextHousekeeping >= 0) {
                    subscriptions.expireSilent(now);
                    groupConsumers.expireSilent(now);
                    if (clientKeys != null) {
                        subscriptions.endRevoked(clientKeys::principalOf);
                        groupConsumers.endRevoked(clientKeys::principalOf);
                    }
                    nextHousekeeping = now + HOUSEKEEPING_NANOS;
                }
            }
            finish();
        } catch (RuntimeException | Error e) {
            LOG.error("The server's socket thread failed; the server stops answering", e);
        }
    }

    /**
     * How the socket thread has waited so far. {@code idlePolls}: polls that said an item was ready
     * when neither the ROUTER nor the mailbox had anything (a poll that returns at once for nothing
     * makes the thread spin, as it did with a raw pipe for the mailbox, see {@link Mailbox}).
     * {@code lateWakeUps}: polls that waited out their whole timeout although a mailbox wake-up was
     * already queued when they began (work left to a timeout). Both stay zero in a healthy loop.
     * {@code timeouts}: polls that waited out their whole (non-zero) timeout with nothing ready.
     */
    record Counters(long polls, long idlePolls, long lateWakeUps, long timeouts) {
    }

    /** The loop's poll counters. Any thread. */
    Counters counters() {
        return new Counters(polls, idlePolls, lateWakeUps, timeouts);
    }

    /** Whether the loop has stopped reading requests and is finishing those in flight. Any thread. */
    boolean draining() {
        return draining;
    }

    /** One poll and what it found; reads requests only while {@code readRequests} (the ROUTER is polled only then). */
    private void cycle(boolean readRequests) {
        long idle = subscriptions.millisUntilCheckpointDue(System.nanoTime(), IDLE_POLL_MS);
        long timeout = broadcaster.hasPending() ? 0 : sender.hasBacklog() ? Math.min(BACKLOG_POLL_MS, idle) : idle;
        long wakeUpsWaiting = mailbox.wakeUpsSent() - mailbox.wakeUpsRead();
        int ready = poller.poll(timeout);
        polls++;
        boolean requestsRead = false;
        if (readRequests && poller.pollin(0)) {
            requestsRead = readRequests();
        }
        long read = mailbox.wakeUpsRead();
        mailbox.drain();
        boolean woken = mailbox.wakeUpsRead() != read;
        if (ready > 0 && !requestsRead && !woken) {
            idlePolls++;
        } else if (ready == 0 && timeout > 0) {
            timeouts++;
            if (wakeUpsWaiting > 0) {
                lateWakeUps++;
            }
        }
        List<SubscriptionEvent> broadcast = broadcaster.publishPending(streamPub, legacyPub, published);
        subscriptions.onBroadcast(broadcast);
        subscriptions.sendDueCheckpoints(System.nanoTime());
        if (sender.hasBacklog()) {
            sender.retry();
        }
    }

    /** Graceful end: answer what is in flight, publish what is durable, then tell subscribers. */
    private void finish() {
        // Requests that arrive from now on stay unread: a ROUTER left in the poller would make every
        // poll return at once while one waits, and the thread would spin until the last answer.
        poller.unregister(router);
        draining = true;
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        while (inFlight > 0 && System.nanoTime() - deadline < 0) {
            cycle(false);
        }
        if (inFlight > 0) {
            LOG.warn("Closing with {} requests still unanswered after {}", inFlight, config.shutdownTimeout());
        }
        long head = headOrUnknown();
        while (broadcaster.lastPublished() < head && System.nanoTime() - deadline < 0) {
            cycle(false);
        }
        subscriptions.endAll(new StoreClosedException("the server is closing"));
        sender.retry();
    }

    /** The store's head, or -1 when the store cannot say (closed or failed): nothing more to wait for. */
    private long headOrUnknown() {
        try {
            return store.headPosition();
        } catch (RuntimeException e) {
            LOG.warn("Closing without waiting for the last broadcasts: {}", e.toString());
            return -1;
        }
    }

    /** Reads and handles up to {@link #READS_PER_CYCLE} requests; false if there was none. */
    private boolean readRequests() {
        for (int i = 0; i < READS_PER_CYCLE; i++) {
            byte[] identity = router.recv(ZMQ.DONTWAIT);
            if (identity == null) {
                return i > 0;
            }
            InboundMessage message = InboundMessage.read(router, identity, config.maxMessageFrames(),
                    config.maxMessageBytes());
            try {
                onMessage(message);
            } catch (RuntimeException e) {
                LOG.error("Failed to handle a message from {}", message.describe(), e);
            }
        }
        return true;
    }

    private void onMessage(InboundMessage message) {
        long now = System.nanoTime();
        subscriptions.heardFrom(message.peer(), now);
        groupConsumers.heardFrom(message.peer(), now);
        if (message.violation() != null) {
            rejectOversized(message);
            return;
        }
        Dialect dialect;
        try {
            dialect = Dialect.of(message.body());
        } catch (MalformedMessageException e) {
            unattributed(message, e.getMessage());
            return;
        }
        clientStyles.remember(message.peer(), dialect != Dialect.GOREWIND);
        Services services;
        try {
            services = gate.servicesFor(message);
        } catch (UnauthenticatedException e) {
            unauthenticated(message, dialect, e);
            return;
        }
        switch (dialect) {
            case REWIND -> {
                if (admit()) {
                    services.legacy().rewind(message);
                } else {
                    send(message, true, new RewindReply.Error(busy()).toFrames());
                }
            }
            case GOREWIND -> {
                if (admit()) {
                    services.legacy().goRewind(message);
                } else {
                    send(message, false, new GoRewindReply.Error(busy()).toFrames());
                }
            }
            default -> command(services.commands(), message, now);
        }
    }

    /** Answers a message whose sender is not (or no longer) accepted, in its dialect; serves nothing. */
    private void unauthenticated(InboundMessage message, Dialect dialect, UnauthenticatedException e) {
        LOG.debug("Refused a message from {}: {}", message.describe(), e.getMessage());
        switch (dialect) {
            case REWIND -> send(message, true, new RewindReply.Error(e.getMessage()).toFrames());
            case GOREWIND -> send(message, false, new GoRewindReply.Error(e.getMessage()).toFrames());
            default -> commands.reject(message, ErrorCode.UNAUTHENTICATED, e.getMessage());
        }
    }

    private void command(CommandService served, InboundMessage message, long now) {
        CommandRequest request = served.decode(message);
        if (request == null) {
            return;
        }
        if (CommandService.isImmediate(request)) {
            served.serveImmediate(message, request, now);
        } else if (admit()) {
            served.serve(message, request);
        } else {
            commands.reject(message, ErrorCode.OVERLOADED, busy());
        }
    }

    /** Answers a message that was cut short (too many frames or bytes) in the dialect it claims. */
    private void rejectOversized(InboundMessage message) {
        byte[] word = message.command();
        if (CommandName.of(word) != null) {
            ErrorCode code = message.totalBytes() > config.maxMessageBytes() ? ErrorCode.TOO_LARGE : ErrorCode.BAD_REQUEST;
            commands.reject(message, code, message.violation());
            return;
        }
        LOG.warn("Rejected a message from {}: {}", message.describe(), message.violation());
        try {
            Dialect dialect = Dialect.of(word, message.totalFrames());
            if (dialect == Dialect.REWIND) {
                send(message, true, new RewindReply.Error(message.violation()).toFrames());
            } else {
                send(message, false, new GoRewindReply.Error(message.violation()).toFrames());
            }
        } catch (MalformedMessageException e) {
            unattributed(message, e.getMessage().equals(Dialect.UNKNOWN_REQUEST_TYPE) ? message.violation()
                    : e.getMessage());
        }
    }

    /**
     * A message no dialect can own: one frame {@code ERROR <reason>}, with the delimiter when its
     * connection has spoken Rewind or Rewind's own commands before, without when it has spoken
     * GoRewind, and otherwise as the message arrived (see {@link ClientStyles}).
     */
    private void unattributed(InboundMessage message, String reason) {
        LOG.warn("Rejected a message from {}: {}", message.describe(), reason);
        send(message, clientStyles.wantsDelimiter(message), List.of(Frames.error(reason)));
    }

    private boolean admit() {
        if (inFlight >= config.maxRequestsInFlight()) {
            return false;
        }
        inFlight++;
        return true;
    }

    private String busy() {
        return "Server busy: " + inFlight + " requests in flight";
    }

    @Override
    public void send(InboundMessage request, boolean delimited, List<byte[]> frames) {
        sender.send(message(request.envelope(), delimited, frames));
    }

    @Override
    public void finished() {
        inFlight--;
    }

    @Override
    public void whenWritable(ByteBuffer client, Runnable action, Runnable abandoned) {
        sender.whenWritable(client, action, abandoned);
    }

    private void sendCommandReply(List<byte[]> envelope, CommandReply reply) {
        sender.send(message(envelope, true, reply.toFrames()));
    }

    private void clientGone(ByteBuffer client) {
        subscriptions.clientGone(client);
        groupConsumers.clientGone(client);
    }

    private static List<byte[]> message(List<byte[]> envelope, boolean delimited, List<byte[]> frames) {
        List<byte[]> message = new ArrayList<>(envelope.size() + 1 + frames.size());
        message.addAll(envelope);
        if (delimited) {
            message.add(Frames.EMPTY);
        }
        message.addAll(frames);
        return message;
    }
}
