package io.rewind.server;

import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionRequest;
import io.rewind.api.UnauthenticatedException;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.command.ErrorReplies;
import io.rewind.security.SecuredEventStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscriptions over the command socket, with credit-based flow control. Socket thread only.
 *
 * <p>A subscription reads history from the store on a worker, one page at a time and only while
 * it has credit; once a read comes back short and the broadcast has not passed it, it is live and
 * is served from the broadcast stream directly. When credit runs out it simply stops (STALLED):
 * nothing is buffered for it, and more credit restarts it from the store where it stopped. So a
 * slow or silent subscriber costs no memory and never holds up writers or other clients.
 *
 * <p>Filters ({@link SubscriptionRequest#matches}) are applied here, on the server: a skipped event
 * costs no credit and is never sent. A filtered subscription gets a CHECKPOINT notice with the
 * position it has scanned once its request's thresholds say one is due, checked after every page
 * and broadcast batch it handles and by {@link #sendDueCheckpoints} for the time threshold, so
 * that a client skipping everything still learns where it is.
 *
 * <p>Clean-up: CANCEL; a client that the ROUTER reports gone; a client that sent nothing for
 * {@link ServerConfig#subscriptionTimeout()} (clients send CREDIT or PING to stay alive).
 */
final class SubscriptionHub {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionHub.class);
    /** The most events read from history per worker call; fewer when events are large. */
    static final int MAX_PAGE = 256;

    private final EventStore store;
    private final OffThread offThread;
    private final BiConsumer<List<byte[]>, CommandReply> sender;
    private final LongSupplier broadcastPosition;
    private final ServerConfig config;
    private final Map<RemoteSubscription.Key, RemoteSubscription> subscriptions = new HashMap<>();
    private final Map<ByteBuffer, Long> lastHeard = new HashMap<>();
    /**
     * When subscriptions that skipped events become due for a time-based notice, earliest first; at
     * most one entry per subscription ({@link RemoteSubscription#checkpointQueued}). An entry may be
     * stale (the subscription reported since, or ended): it is checked again when it comes up.
     */
    private final PriorityQueue<DueCheckpoint> dueCheckpoints =
            new PriorityQueue<>(Comparator.comparingLong(DueCheckpoint::nanos));
    private volatile int count;

    /**
     * @param sender            sends a reply to an envelope (socket thread)
     * @param broadcastPosition the position of the last event the broadcaster published
     */
    SubscriptionHub(EventStore store, OffThread offThread, BiConsumer<List<byte[]>, CommandReply> sender,
            LongSupplier broadcastPosition, ServerConfig config) {
        this.store = store;
        this.offThread = offThread;
        this.sender = sender;
        this.broadcastPosition = broadcastPosition;
        this.config = config;
    }

    /** Notes that a client with subscriptions is alive; called for every message a client sends. */
    void heardFrom(ByteBuffer client, long nowNanos) {
        lastHeard.computeIfPresent(client, (c, previous) -> nowNanos);
    }

    /** The number of subscriptions, readable from any thread (for monitoring). */
    int size() {
        return count;
    }

    /** Publishes the map's size after every change, so other threads can read it. */
    private void counted() {
        count = subscriptions.size();
    }

    /**
     * Starts a subscription; with a {@code guard}, only if the principal's grants allow it, and it
     * ends with ACCESS_DENIED (or UNAUTHENTICATED) when they stop allowing an event it would deliver.
     */
    void subscribe(List<byte[]> envelope, ByteBuffer client, CommandRequest.Subscribe command, long nowNanos,
            Optional<SecuredEventStore> guard, String userId) {
        if (guard.isPresent()) {
            try {
                guard.get().checkSubscription(command.request());
            } catch (EventStoreException denied) {
                sender.accept(envelope, ErrorReplies.of(command.requestId(), denied));
                return;
            }
        }
        RemoteSubscription.Key key = new RemoteSubscription.Key(client, command.requestId());
        if (subscriptions.containsKey(key)) {
            sender.accept(envelope, error(command.requestId(), ErrorCode.BAD_REQUEST,
                    "subscription id " + command.requestId() + " is already in use on this connection"));
            return;
        }
        if (subscriptions.size() >= config.maxSubscriptions()) {
            sender.accept(envelope, error(command.requestId(), ErrorCode.UNAVAILABLE,
                    "the server has " + subscriptions.size() + " subscriptions, its limit"));
            return;
        }
        RemoteSubscription subscription = new RemoteSubscription(envelope, client, command.requestId(),
                command.request(), command.credit(), guard.orElse(null), userId);
        subscriptions.put(key, subscription);
        counted();
        lastHeard.put(client, nowNanos);
        SubscriptionRequest request = command.request();
        if (request.start() == SubscriptionRequest.Start.END) {
            offThread.call(store::headPosition, (head, failure) -> started(subscription, head, failure));
        } else {
            started(subscription, request.afterPosition(), null);
        }
    }

    private void started(RemoteSubscription subscription, Long start, Throwable failure) {
        if (subscription.ended) {
            return;
        }
        if (failure != null) {
            end(subscription, failure);
            return;
        }
        subscription.startAfter(start);
        sender.accept(subscription.envelope, new CommandReply.Subscribed(subscription.id, start));
        readOrStall(subscription);
    }

    void credit(List<byte[]> envelope, ByteBuffer client, CommandRequest.Credit command) {
        RemoteSubscription subscription = subscriptions.get(new RemoteSubscription.Key(client, command.requestId()));
        if (subscription == null) {
            // The subscription may have ended while the credit was on its way; the client has its end notice.
            LOG.debug("CREDIT for unknown subscription {} ignored", command.requestId());
            return;
        }
        subscription.grant(command.credit());
        if (subscription.mode == RemoteSubscription.Mode.STALLED) {
            readOrStall(subscription);
        }
    }

    void cancel(List<byte[]> envelope, ByteBuffer client, CommandRequest.Cancel command) {
        RemoteSubscription subscription = subscriptions.remove(new RemoteSubscription.Key(client, command.requestId()));
        counted();
        if (subscription == null) {
            sender.accept(envelope, error(command.requestId(), ErrorCode.NOT_FOUND,
                    "no subscription " + command.requestId() + " on this connection"));
            return;
        }
        forget(subscription);
        sender.accept(envelope, new CommandReply.Cancelled(command.requestId()));
    }

    /** Serves live subscriptions from events just broadcast, in global order. */
    void onBroadcast(List<SubscriptionEvent> events) {
        if (events.isEmpty() || subscriptions.isEmpty()) {
            return;
        }
        for (RemoteSubscription subscription : new ArrayList<>(subscriptions.values())) {
            if (subscription.mode == RemoteSubscription.Mode.LIVE) {
                serveLive(subscription, events);
            }
        }
    }

    private void serveLive(RemoteSubscription subscription, List<SubscriptionEvent> events) {
        List<SubscriptionEvent> batch = new ArrayList<>();
        for (SubscriptionEvent broadcast : events) {
            RecordedEvent event = broadcast.event();
            if (event.position() <= subscription.scanned) {
                continue;
            }
            if (broadcast.previousPosition() > subscription.scanned
                    || subscription.credit == 0 && subscription.request.matches(event)) {
                // Either an event is missing between what it has seen and this one, or it may not
                // take this one now: in both cases the store, not a buffer, supplies what comes next.
                deliver(subscription, batch);
                checkpointIfDue(subscription);
                subscription.mode = RemoteSubscription.Mode.STALLED;
                readOrStall(subscription);
                return;
            }
            accept(subscription, event, batch);
        }
        deliver(subscription, batch);
        checkpointIfDue(subscription);
    }

    private void readOrStall(RemoteSubscription subscription) {
        if (subscription.ended) {
            return;
        }
        if (subscription.credit == 0) {
            subscription.mode = RemoteSubscription.Mode.STALLED;
            return;
        }
        subscription.mode = RemoteSubscription.Mode.READING;
        long from = subscription.scanned + 1;
        // Unfiltered, it never needs more than its credit; filtered, it may skip many events per delivery.
        int size = !subscription.request.isFiltered()
                ? (int) Math.min(subscription.pageSize, subscription.credit) : subscription.pageSize;
        offThread.call(() -> store.readAll(from, Direction.FORWARD, size),
                (page, failure) -> onHistory(subscription, page, size, failure));
    }

    private void onHistory(RemoteSubscription subscription, List<RecordedEvent> page, int requested,
            Throwable failure) {
        if (subscription.ended) {
            return;
        }
        if (failure != null) {
            end(subscription, failure);
            return;
        }
        List<SubscriptionEvent> batch = new ArrayList<>();
        boolean consumedAll = true;
        for (RecordedEvent event : page) {
            if (event.position() <= subscription.scanned) {
                continue;
            }
            if (subscription.credit == 0 && subscription.request.matches(event)) {
                consumedAll = false;
                break;
            }
            accept(subscription, event, batch);
        }
        deliver(subscription, batch);
        if (subscription.ended) {
            return;
        }
        checkpointIfDue(subscription);
        if (!page.isEmpty()) {
            long bytes = page.stream().mapToLong(DeliverySizes::size).sum();
            subscription.pageSize = DeliverySizes.nextPage(MAX_PAGE, config.maxReplyBytes(), bytes / page.size());
        }
        if (!consumedAll || subscription.credit == 0) {
            subscription.mode = RemoteSubscription.Mode.STALLED;
        } else if (page.size() == requested || broadcastPosition.getAsLong() > subscription.scanned) {
            readOrStall(subscription);
        } else {
            subscription.mode = RemoteSubscription.Mode.LIVE;
            if (!subscription.caughtUpSent) {
                subscription.caughtUpSent = true;
                sender.accept(subscription.envelope, new CommandReply.CaughtUp(subscription.id));
            }
        }
    }

    /** Takes one event the subscription has room for (or skips it if filtered out). */
    private static void accept(RemoteSubscription subscription, RecordedEvent event, List<SubscriptionEvent> batch) {
        if (subscription.request.matches(event)) {
            batch.add(new SubscriptionEvent(event, subscription.lastDelivered));
            subscription.lastDelivered = event.position();
            subscription.credit--;
            subscription.skipped = 0;
        } else {
            subscription.skipped++;
        }
        subscription.scanned = event.position();
    }

    /**
     * Sends a CHECKPOINT at the position scanned if the subscription skipped events since it last
     * reported and a threshold is reached; otherwise notes when the time threshold falls due.
     * Costs no credit: a client that skips everything still hears where it is.
     */
    private void checkpointIfDue(RemoteSubscription subscription) {
        if (subscription.skipped == 0 || subscription.ended) {
            return;
        }
        long now = System.nanoTime();
        long due = subscription.reportedAtNanos + subscription.request.checkpointInterval().toNanos();
        if (subscription.skipped >= subscription.request.checkpointEvents() || now - due >= 0) {
            sender.accept(subscription.envelope, new CommandReply.Checkpoint(subscription.id, subscription.scanned));
            subscription.skipped = 0;
            subscription.reportedAtNanos = now;
        } else if (!subscription.checkpointQueued) {
            subscription.checkpointQueued = true;
            dueCheckpoints.add(new DueCheckpoint(due, subscription));
        }
    }

    /** Marks a subscription ended and drops its queued notice check, so nothing holds on to it. */
    private void forget(RemoteSubscription subscription) {
        subscription.ended = true;
        if (subscription.checkpointQueued) {
            subscription.checkpointQueued = false;
            dueCheckpoints.removeIf(due -> due.subscription() == subscription);
        }
    }

    /** Sends the checkpoint notices whose time threshold has passed. Cheap when none is due. */
    void sendDueCheckpoints(long nowNanos) {
        DueCheckpoint next;
        while ((next = dueCheckpoints.peek()) != null && nowNanos - next.nanos() >= 0) {
            dueCheckpoints.poll();
            next.subscription().checkpointQueued = false;
            // Queues it again if it reported since and is not due yet.
            checkpointIfDue(next.subscription());
        }
    }

    /** Milliseconds until {@link #sendDueCheckpoints} has work, at most {@code idleMillis}. */
    long millisUntilCheckpointDue(long nowNanos, long idleMillis) {
        DueCheckpoint next = dueCheckpoints.peek();
        if (next == null) {
            return idleMillis;
        }
        long nanos = next.nanos() - nowNanos;
        return nanos <= 0 ? 0 : Math.min(idleMillis, TimeUnit.NANOSECONDS.toMillis(nanos) + 1);
    }

    /** A subscription that may be due for a time-based notice at {@code nanos}. */
    private record DueCheckpoint(long nanos, RemoteSubscription subscription) {
    }

    /** Sends a batch as DELIVER messages of at most {@link ServerConfig#maxReplyBytes()} each. */
    private void deliver(RemoteSubscription subscription, List<SubscriptionEvent> batch) {
        if (!batch.isEmpty()) {
            subscription.reportedAtNanos = System.nanoTime();
        }
        if (subscription.guard != null && !stillAllowed(subscription, batch)) {
            return;
        }
        int start = 0;
        long bytes = 0;
        for (int i = 0; i < batch.size(); i++) {
            RecordedEvent event = batch.get(i).event();
            bytes += DeliverySizes.size(event);
            if (bytes > config.maxReplyBytes() && i > start) {
                sender.accept(subscription.envelope, new CommandReply.Delivery(subscription.id, batch.subList(start, i)));
                start = i;
                bytes = DeliverySizes.size(event);
            }
        }
        if (start < batch.size()) {
            sender.accept(subscription.envelope,
                    new CommandReply.Delivery(subscription.id, batch.subList(start, batch.size())));
        }
    }

    /** Whether the guard's grants still allow every event of the batch; ends the subscription when not. */
    private boolean stillAllowed(RemoteSubscription subscription, List<SubscriptionEvent> batch) {
        try {
            for (SubscriptionEvent event : batch) {
                subscription.guard.checkStillAllowed(subscription.request, event.event());
            }
            return true;
        } catch (EventStoreException revoked) {
            end(subscription, revoked);
            return false;
        }
    }

    /** Ends every subscription of a client the ROUTER reports gone. */
    void clientGone(ByteBuffer client) {
        lastHeard.remove(client);
        subscriptions.values().removeIf(subscription -> {
            if (subscription.client.equals(client)) {
                forget(subscription);
                LOG.info("Subscription {} ended: client {} disconnected", subscription.id, hex(client));
                return true;
            }
            return false;
        });
        counted();
    }

    /** Ends subscriptions of clients silent for longer than the timeout. */
    void expireSilent(long nowNanos) {
        long timeout = config.subscriptionTimeout().toNanos();
        List<ByteBuffer> silent = new ArrayList<>();
        lastHeard.forEach((client, heard) -> {
            if (nowNanos - heard > timeout) {
                silent.add(client);
            }
        });
        for (ByteBuffer client : silent) {
            for (RemoteSubscription subscription : subscriptionsOf(client)) {
                end(subscription, new EventStoreException(ErrorCode.UNAVAILABLE, "subscription " + subscription.id
                        + " timed out: the client sent nothing for " + config.subscriptionTimeout().toSeconds() + " s"));
            }
            lastHeard.remove(client);
        }
    }

    /**
     * Ends, with UNAUTHENTICATED, every subscription whose connection's key no longer maps to the
     * principal it was started as: a client key removed while its subscriptions run.
     */
    void endRevoked(Function<String, Optional<String>> principalOfKey) {
        for (RemoteSubscription subscription : new ArrayList<>(subscriptions.values())) {
            if (subscription.userId != null && subscription.guard != null && !principalOfKey.apply(subscription.userId)
                    .equals(Optional.of(subscription.guard.principalName()))) {
                end(subscription, new UnauthenticatedException("the client key " + subscription.userId
                        + " is no longer accepted: the subscription ends"));
            }
        }
    }

    /** Ends every subscription: the store's broadcast ended, or the server is closing. */
    void endAll(Throwable cause) {
        for (RemoteSubscription subscription : new ArrayList<>(subscriptions.values())) {
            end(subscription, cause);
        }
    }

    private List<RemoteSubscription> subscriptionsOf(ByteBuffer client) {
        List<RemoteSubscription> found = new ArrayList<>();
        for (RemoteSubscription subscription : subscriptions.values()) {
            if (subscription.client.equals(client)) {
                found.add(subscription);
            }
        }
        return found;
    }

    private void end(RemoteSubscription subscription, Throwable cause) {
        subscriptions.remove(subscription.key());
        counted();
        forget(subscription);
        EventStoreException failure = cause instanceof EventStoreException e ? e
                : new StoreClosedException("subscription ended: " + cause);
        LOG.info("Subscription {} of client {} ended: {}", subscription.id, hex(subscription.client),
                failure.getMessage());
        sender.accept(subscription.envelope, ErrorReplies.of(subscription.id, failure));
    }

    private static CommandReply error(long id, ErrorCode code, String reason) {
        return new CommandReply.Error(java.util.OptionalLong.of(id), code, reason, List.of());
    }

    static String hex(ByteBuffer client) {
        return HexFormat.of().formatHex(client.array());
    }
}
