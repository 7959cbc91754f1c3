package io.rewind.client;

import io.rewind.api.SubscriptionRequest;
import java.util.concurrent.CompletableFuture;

/**
 * The I/O thread's state for one client subscription: which server-side subscription currently
 * feeds it, where it stands, how much credit is out, and when to try again. The server-side
 * subscription changes on every reconnection; the client subscription does not. I/O thread only,
 * except {@link #started}, which the subscribing thread waits on.
 *
 * <p>Invariants: {@code lastReceived} is the position of the last event or checkpoint notice handed
 * to the listener's inbox (the start point before any); every resubscription asks for events
 * <em>after</em> it, with the original filter, so no event is missed or repeated.
 * {@code serverPrevious} is what the current server subscription's next event must name as its
 * previous position: its last event, or its start point. {@code lastEvent} is the last event handed
 * to the listener (the first start point before any): the listener's chain, which a resubscription
 * after a notice does not break, because the events it receives are handed on naming it.
 */
final class SubscriptionLink {

    /** Where the link stands with the server. */
    enum State {
        /** SUBSCRIBE sent, SUBSCRIBED not yet received; {@code timerNanos} is the deadline. */
        SUBSCRIBING,
        /** The server subscription {@code serverId} is running. */
        ACTIVE,
        /** No server subscription; the next attempt is due at {@code timerNanos}. */
        WAITING
    }

    final ClientSubscription subscription;
    final SubscriptionRequest original;
    /** Completes with the start position once the server first accepts the subscription. */
    final CompletableFuture<Long> started = new CompletableFuture<>();

    State state = State.WAITING;
    long serverId;
    boolean everStarted;
    long lastReceived;
    long serverPrevious;
    long lastEvent;
    /** Credit granted to and events received from the current server subscription. */
    long granted;
    long received;
    /** Failed attempts since the last success. */
    int failures;
    long timerNanos;

    SubscriptionLink(ClientSubscription subscription, SubscriptionRequest original) {
        this.subscription = subscription;
        this.original = original;
    }

    /** The request for the next attempt: the original one, or a resumption after what was received. */
    SubscriptionRequest nextRequest() {
        if (!everStarted) {
            return original;
        }
        return original.resumeAfter(lastReceived);
    }

    /** Whether a server subscription exists or is being asked for. */
    boolean hasServerSubscription() {
        return state == State.SUBSCRIBING || state == State.ACTIVE;
    }

    @Override
    public String toString() {
        return "subscription " + original + " (server id " + serverId + ", " + state + ", last received "
                + lastReceived + ")";
    }
}
