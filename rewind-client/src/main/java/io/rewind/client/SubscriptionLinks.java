package io.rewind.client;

import io.rewind.api.ErrorCode;
import io.rewind.api.EventStoreException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.SubscriptionEvent;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.command.ErrorReplies;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every subscription of a client fed across connection failures and server restarts. Each
 * link is served by one server-side subscription at a time (SUBSCRIBE with credit, then DELIVER,
 * CAUGHT_UP, CHECKPOINT, and CREDIT as the listener consumes); when the connection is lost, times
 * out or the server ends the subscription for a passing reason, the link waits with exponential
 * backoff and subscribes again, with the same filter, <em>after the last event or checkpoint it
 * received</em>. The first attempt is the exception:
 * its failure is the caller's, thrown from {@code subscribe}. I/O thread only.
 */
final class SubscriptionLinks {

    /** What the links need from the connection. */
    interface Outbound {
        long nextRequestId();

        /** Sends a request now; false when the socket cannot take it. */
        boolean send(CommandRequest request);

        /** Whether the socket is connected to the server as far as the client knows. */
        boolean isConnected();

        /** The endpoint the socket talks to now (one of several, for a cluster). */
        String endpoint();
    }

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionLinks.class);

    private final Outbound out;
    private final int window;
    private final Backoff backoff;
    private final long answerTimeoutNanos;
    private final Set<SubscriptionLink> links = new LinkedHashSet<>();
    private final Map<Long, SubscriptionLink> byServerId = new HashMap<>();
    /** Server subscriptions this client has cancelled and whose CANCELLED (or ERROR) has not come. */
    private final Set<Long> cancelling = new HashSet<>();

    SubscriptionLinks(Outbound out, ClientConfig config) {
        this.out = out;
        this.window = config.subscriptionCreditWindow();
        this.backoff = new Backoff(config.reconnectBackoffMin(), config.reconnectBackoffMax());
        this.answerTimeoutNanos = config.requestTimeout().toNanos();
    }

    boolean isEmpty() {
        return links.isEmpty();
    }

    /** Makes the first attempt of a new subscription; its outcome completes {@code link.started}. */
    void start(SubscriptionLink link, long nowNanos) {
        links.add(link);
        attempt(link, nowNanos);
    }

    /**
     * Routes a reply carrying a server subscription id; false when the id is neither a link's nor
     * one being cancelled (what the server may still send for a cancelled id is dropped here).
     */
    boolean onReply(long serverId, CommandReply reply, long nowNanos) {
        SubscriptionLink link = byServerId.get(serverId);
        if (link == null) {
            if (!cancelling.contains(serverId)) {
                return false;
            }
            if (reply instanceof CommandReply.Cancelled || reply instanceof CommandReply.Error) {
                cancelling.remove(serverId);
            }
            return true;
        }
        if (reply instanceof CommandReply.Delivery delivery) {
            onDelivery(link, delivery.events(), nowNanos);
        } else if (reply instanceof CommandReply.Checkpoint checkpoint) {
            onCheckpoint(link, checkpoint.position(), nowNanos);
        } else if (reply instanceof CommandReply.CaughtUp) {
            link.subscription.offerCaughtUp();
        } else if (reply instanceof CommandReply.Subscribed subscribed) {
            onSubscribed(link, subscribed.startPosition());
        } else if (reply instanceof CommandReply.Error error) {
            onError(link, error, nowNanos);
        } else {
            LOG.warn("Ignored an unexpected {} for {}", reply.getClass().getSimpleName(), link);
        }
        return true;
    }

    /** The connection was lost or replaced: every server subscription is gone with it. */
    void connectionLost(String reason, long nowNanos) {
        cancelling.clear();
        for (SubscriptionLink link : new ArrayList<>(links)) {
            if (link.hasServerSubscription()) {
                byServerId.remove(link.serverId);
                failAttempt(link, reason, nowNanos);
            }
        }
    }

    /** Runs due timers: attempts whose answer is late, and links whose backoff has passed. */
    void tick(long nowNanos) {
        for (SubscriptionLink link : new ArrayList<>(links)) {
            if (nowNanos - link.timerNanos < 0) {
                continue;
            }
            if (link.state == SubscriptionLink.State.SUBSCRIBING) {
                cancelServerSubscription(link);
                failAttempt(link, "no answer to SUBSCRIBE from " + out.endpoint() + " within "
                        + TimeUnit.NANOSECONDS.toMillis(answerTimeoutNanos) + " ms", nowNanos);
            } else if (link.state == SubscriptionLink.State.WAITING && out.isConnected()) {
                attempt(link, nowNanos);
            }
        }
    }

    /**
     * The earliest timer that {@link #tick} would act on, {@code Long.MAX_VALUE} when there is none.
     * Waiting links do not count while the connection is down: the reconnection itself wakes the
     * I/O thread, which must not spin meanwhile.
     */
    long nextTimer(long nowNanos) {
        long next = Long.MAX_VALUE;
        for (SubscriptionLink link : links) {
            boolean due = link.state == SubscriptionLink.State.SUBSCRIBING
                    || link.state == SubscriptionLink.State.WAITING && out.isConnected();
            if (due) {
                next = Math.min(next, Math.max(nowNanos, link.timerNanos));
            }
        }
        return next;
    }

    /**
     * Grants the server subscription more credit once the listener has made room for at least half
     * a window. Never deadlocks: the listener reports every quarter window it consumes, so a stalled
     * server subscription (no credit out) is topped up by the time the listener has drained its inbox.
     */
    void topUp(SubscriptionLink link) {
        if (!links.contains(link) || !link.hasServerSubscription()) {
            return;
        }
        long room = window - link.subscription.unreleased() - (link.granted - link.received);
        if (room >= Math.max(1, window / 2) && out.send(new CommandRequest.Credit(link.serverId, (int) room))) {
            link.granted += room;
        }
    }

    /** The user closed the subscription, or its listener ended it: stop the server subscription. */
    void cancel(SubscriptionLink link) {
        if (!links.remove(link)) {
            return;
        }
        if (link.hasServerSubscription()) {
            cancelServerSubscription(link);
        }
    }

    /** The client is closing: every subscription ends now with {@code cause}. */
    void stopAll(EventStoreException cause) {
        for (SubscriptionLink link : links) {
            if (link.hasServerSubscription()) {
                out.send(new CommandRequest.Cancel(link.serverId));
            }
            link.started.completeExceptionally(cause);
            link.subscription.stop(cause);
        }
        links.clear();
        byServerId.clear();
        cancelling.clear();
    }

    private void attempt(SubscriptionLink link, long nowNanos) {
        long id = out.nextRequestId();
        int credit = Math.max(0, window - link.subscription.unreleased());
        if (!out.send(new CommandRequest.Subscribe(id, link.nextRequest(), credit))) {
            failAttempt(link, "the connection to " + out.endpoint() + " cannot take a request now", nowNanos);
            return;
        }
        link.serverId = id;
        link.state = SubscriptionLink.State.SUBSCRIBING;
        link.granted = credit;
        link.received = 0;
        link.timerNanos = nowNanos + answerTimeoutNanos;
        byServerId.put(id, link);
    }

    private void onSubscribed(SubscriptionLink link, long startPosition) {
        if (!link.everStarted) {
            link.everStarted = true;
            link.lastReceived = startPosition;
            link.lastEvent = startPosition;
            link.started.complete(startPosition);
        } else if (startPosition != link.lastReceived) {
            end(link, new EventStoreException(ErrorCode.INTERNAL, "the server resumed the subscription after position "
                    + startPosition + " when asked to resume after " + link.lastReceived));
            return;
        } else {
            LOG.info("Resumed {} on {}", link, out.endpoint());
        }
        link.serverPrevious = startPosition;
        link.state = SubscriptionLink.State.ACTIVE;
        link.failures = 0;
    }

    private void onDelivery(SubscriptionLink link, List<SubscriptionEvent> events, long nowNanos) {
        for (SubscriptionEvent event : events) {
            long position = event.event().position();
            if (event.previousPosition() != link.serverPrevious || position <= link.lastReceived) {
                // Not the next link of the chain: start again from what is known to be complete.
                LOG.warn("{} received position {} naming previous {}, expected {}; resubscribing after {}", link,
                        position, event.previousPosition(), link.serverPrevious, link.lastReceived);
                cancelServerSubscription(link);
                failAttempt(link, "broken chain", nowNanos);
                return;
            }
            // After a resumption from a notice the server names the notice as previous; the
            // listener's chain continues from its last event.
            SubscriptionEvent handed = event.previousPosition() == link.lastEvent ? event
                    : new SubscriptionEvent(event.event(), link.lastEvent);
            link.lastReceived = position;
            link.serverPrevious = position;
            link.lastEvent = position;
            link.received++;
            link.subscription.offer(handed);
        }
    }

    private void onCheckpoint(SubscriptionLink link, long position, long nowNanos) {
        if (position <= link.lastReceived) {
            LOG.warn("{} received a checkpoint at {}, not past {}; resubscribing after {}", link, position,
                    link.lastReceived, link.lastReceived);
            cancelServerSubscription(link);
            failAttempt(link, "checkpoint out of order", nowNanos);
            return;
        }
        link.lastReceived = position;
        link.subscription.offerCheckpoint(position);
    }

    private void onError(SubscriptionLink link, CommandReply.Error error, long nowNanos) {
        byServerId.remove(link.serverId);
        if (link.everStarted && isPassing(error.code())) {
            failAttempt(link, error.code() + ": " + error.reason(), nowNanos);
        } else {
            end(link, ErrorReplies.toException(error));
        }
    }

    private void cancelServerSubscription(SubscriptionLink link) {
        byServerId.remove(link.serverId);
        if (out.send(new CommandRequest.Cancel(link.serverId))) {
            cancelling.add(link.serverId);
        }
    }

    /** Failures a later attempt can get past: the server is busy, restarting or being repaired. */
    private static boolean isPassing(ErrorCode code) {
        return code == ErrorCode.UNAVAILABLE || code == ErrorCode.OVERLOADED || code == ErrorCode.CLOSED
                || code == ErrorCode.STORE_FAILED;
    }

    /** An attempt failed: a first attempt fails the subscribe call, a later one waits and retries. */
    private void failAttempt(SubscriptionLink link, String reason, long nowNanos) {
        if (!link.everStarted) {
            links.remove(link);
            link.started.completeExceptionally(new StoreUnavailableException(
                    "cannot subscribe at " + out.endpoint() + ": " + reason));
            return;
        }
        link.state = SubscriptionLink.State.WAITING;
        link.failures++;
        link.timerNanos = nowNanos + backoff.delayNanos(link.failures);
        LOG.info("{} interrupted ({}); attempt {} in {} ms", link, reason, link.failures,
                TimeUnit.NANOSECONDS.toMillis(link.timerNanos - nowNanos));
    }

    /** A permanent failure: the listener gets what was received, then onClose(cause). */
    private void end(SubscriptionLink link, EventStoreException cause) {
        links.remove(link);
        byServerId.remove(link.serverId);
        if (!link.everStarted) {
            link.started.completeExceptionally(cause);
            return;
        }
        LOG.warn("{} ended: {}", link, cause.getMessage());
        link.subscription.finish(cause);
    }
}
