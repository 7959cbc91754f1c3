package io.rewind.server;

import io.rewind.api.SubscriptionRequest;
import java.nio.ByteBuffer;
import io.rewind.security.SecuredEventStore;
import java.util.List;

/**
 * The server's state for one subscription a client opened over the command socket. Holds no
 * events: only where it is and how much it may send. Socket thread only.
 *
 * <p>Invariants: every event with position {@code <= scanned} has been delivered or filtered out;
 * {@code lastDelivered} is the position of the last event delivered (the start point before any),
 * which the next event names as its previous position; {@code skipped} events were filtered out
 * since the last event or CHECKPOINT; at most {@code credit} more events are sent before the client
 * grants more (skipped events and notices cost none).
 */
final class RemoteSubscription {

    /** What the subscription is doing. */
    enum Mode {
        /** Waiting for the store's head position (a subscription from the end). */
        STARTING,
        /** A history read is on a worker. */
        READING,
        /** Caught up: served from the broadcast as events become durable. */
        LIVE,
        /** Out of credit: nothing is read or kept for it until CREDIT comes; it resumes from history. */
        STALLED
    }

    final List<byte[]> envelope;
    final ByteBuffer client;
    final long id;
    final SubscriptionRequest request;
    /** The principal's view whose grants every delivered event is checked against again; null without security. */
    final SecuredEventStore guard;
    /** The ZAP user id (CURVE: the client's public key) of the connection, null without one. */
    final String userId;
    Mode mode = Mode.STARTING;
    long scanned;
    long lastDelivered;
    long credit;
    int skipped;
    /** Whether the hub has it in its queue of time-based notices. */
    boolean checkpointQueued;
    /** When the client last heard of this subscription's position (an event or a notice). */
    long reportedAtNanos = System.nanoTime();
    /** Events per history read, adapted to the sizes seen so one read stays near the reply budget. */
    int pageSize = DeliverySizes.FIRST_PAGE;
    boolean caughtUpSent;
    boolean ended;

    RemoteSubscription(List<byte[]> envelope, ByteBuffer client, long id, SubscriptionRequest request, long credit,
            SecuredEventStore guard, String userId) {
        this.guard = guard;
        this.userId = userId;
        this.envelope = envelope;
        this.client = client;
        this.id = id;
        this.request = request;
        this.credit = credit;
    }

    /** Starts after {@code position}. */
    void startAfter(long position) {
        scanned = position;
        lastDelivered = position;
    }

    /** Adds credit, saturating instead of overflowing. */
    void grant(long more) {
        credit = Math.min(Long.MAX_VALUE / 2, credit + more);
    }

    /** The key of a subscription: the client's connection and the id it chose. */
    record Key(ByteBuffer client, long id) {
    }

    Key key() {
        return new Key(client, id);
    }
}
