package io.rewind.server;

import io.rewind.api.Direction;
import io.rewind.api.EventStore;
import io.rewind.api.RecordedEvent;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.protocol.legacy.Broadcast;
import io.rewind.protocol.legacy.LegacyEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * Drives both PUB sockets from one store subscription that starts at the store's end when the
 * server starts. Because it is a subscription, an event is broadcast only once it is durable, and
 * broadcasts follow the global order exactly, whichever client (or other process) wrote it.
 *
 * <p>The store's subscription thread computes each event's legacy {@code previous id} (the first
 * one by looking up the event just before it) and hands the event over through a bounded queue;
 * when the queue is full that thread waits, which delays only this subscription, never a writer.
 * The socket thread publishes. Thread-safe as described: {@link #onEvent} on the store's thread,
 * {@link #publishPending} on the socket thread.
 */
final class Broadcaster implements SubscriptionListener {

    private static final Logger LOG = LoggerFactory.getLogger(Broadcaster.class);
    private static final long OFFER_WAIT_MS = 100;

    /** One durable event ready to broadcast. */
    record Item(SubscriptionEvent event, UUID previousId) {
    }

    private final EventStore store;
    private final BlockingQueue<Item> queue;
    private final Mailbox mailbox;
    private final Consumer<Throwable> onEnd;
    private volatile boolean closed;
    private Subscription subscription;
    private boolean first = true;
    private UUID previousId;
    private long lastPublished;

    Broadcaster(EventStore store, int capacity, Mailbox mailbox, Consumer<Throwable> onEnd) {
        this.store = store;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.mailbox = mailbox;
        this.onEnd = onEnd;
    }

    /** Subscribes to the store from its end; returns the position the broadcast starts after. */
    long start() {
        subscription = store.subscribe(SubscriptionRequest.fromEnd(), this);
        lastPublished = subscription.lastPosition();
        return lastPublished;
    }

    @Override
    public void onEvent(SubscriptionEvent event) {
        if (first) {
            previousId = idAt(event.previousPosition());
            first = false;
        }
        Item item = new Item(event, previousId);
        previousId = event.event().id();
        try {
            while (!queue.offer(item, OFFER_WAIT_MS, TimeUnit.MILLISECONDS)) {
                if (closed) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        mailbox.wake();
    }

    @Override
    public void onClose(Throwable cause) {
        if (cause != null && !closed) {
            LOG.error("The broadcast subscription ended: {}", cause.toString());
            mailbox.post(() -> onEnd.accept(cause));
        }
    }

    /** The id of the event at {@code position}, null before the first event. */
    private UUID idAt(long position) {
        if (position < 0) {
            return null;
        }
        List<RecordedEvent> found = store.readAll(position, Direction.BACKWARD, 1);
        return found.isEmpty() ? null : found.get(0).id();
    }

    /**
     * Publishes every queued event, on the socket thread, and returns them in order so live
     * subscriptions can be served from them.
     */
    List<SubscriptionEvent> publishPending(ZMQ.Socket streamPub, ZMQ.Socket legacyPub) {
        List<Item> items = new ArrayList<>();
        queue.drainTo(items);
        List<SubscriptionEvent> events = new ArrayList<>(items.size());
        for (Item item : items) {
            RecordedEvent event = item.event().event();
            LegacyEvent legacy = new LegacyEvent(event.id(), event.data());
            send(streamPub, new Broadcast.StreamMessage(event.stream(), legacy).toFrames());
            if (legacyPub != null) {
                send(legacyPub, new Broadcast.LegacyMessage(legacy, item.previousId()).toFrames());
            }
            lastPublished = event.position();
            events.add(item.event());
        }
        return events;
    }

    /** The position of the last event published, or the start point before any. Socket thread only. */
    long lastPublished() {
        return lastPublished;
    }

    /** Ends the subscription; events not yet published are dropped. */
    void close() {
        closed = true;
        if (subscription != null) {
            subscription.close();
        }
    }

    private static void send(ZMQ.Socket socket, List<byte[]> frames) {
        // PUB never blocks: at its high-water mark it drops, which legacy clients detect by the
        // previous id and repair with QUERY.
        int last = frames.size() - 1;
        for (int i = 0; i <= last; i++) {
            socket.send(frames.get(i), i < last ? ZMQ.SNDMORE : 0);
        }
    }
}
