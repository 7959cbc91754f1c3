package io.rewind.server;

import io.rewind.api.Direction;
import io.rewind.api.EventStore;
import io.rewind.api.Limits;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.core.HeadWatch;
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
 * Drives both PUB sockets with every event that becomes durable after the server starts, in the
 * global order exactly, whichever client (or other process) wrote it. Each event carries its legacy
 * {@code previous id} (the first one found by looking up the event just before it).
 *
 * <p>Two ways to learn of durable events, chosen by the store:
 * <ul>
 * <li><b>Direct</b>, for a store that publishes its durable head through a {@link HeadWatch}
 * ({@link HeadWatch.Source}): the store's writer wakes the socket thread through the
 * {@link Mailbox} when the head moves, and the socket thread reads the new events itself, at most
 * {@code capacity} per cycle. No thread sits between the writer and the socket thread: on a busy
 * machine each such hand-off can wait a scheduler tick (milliseconds) for a CPU. The store's
 * reads never return an event beyond its durable head, so only durable events are broadcast.</li>
 * <li><b>Subscribed</b>, for any other store: one store subscription from the end; its thread
 * hands events over through a bounded queue (when full, that thread waits, which delays only the
 * broadcast, never a writer), and wakes the socket thread.</li>
 * </ul>
 * Thread-safe as described: {@link #onEvent} on the store's subscription thread, the head
 * listener on the store's writer, everything else on the socket thread.
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
    private final int capacity;
    private final Runnable headMoved;
    private volatile boolean closed;
    private Subscription subscription;
    /** The store's watch in direct mode, else null. */
    private HeadWatch watch;
    /** Direct mode: the store closed or a read failed; nothing more is read. */
    private boolean ended;
    private boolean first = true;
    private UUID previousId;
    private long lastPublished;

    Broadcaster(EventStore store, int capacity, Mailbox mailbox, Consumer<Throwable> onEnd) {
        this.store = store;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.mailbox = mailbox;
        this.onEnd = onEnd;
        this.capacity = capacity;
        this.headMoved = mailbox::wake;
    }

    /**
     * Starts following the store from its end (directly when the store allows it, else through a
     * subscription); returns the position the broadcast starts after.
     */
    long start() {
        if (store instanceof HeadWatch.Source source) {
            store.headPosition(); // fails at once, as subscribing would, when the store is closed
            watch = source.headWatch();
            watch.addListener(headMoved); // before reading the head: no later move goes unnoticed
            lastPublished = watch.head();
            return lastPublished;
        }
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
        List<Item> items;
        if (watch != null) {
            items = readDurable();
        } else {
            items = new ArrayList<>();
            queue.drainTo(items);
        }
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

    /**
     * Whether durable events are known that {@link #publishPending} has not published yet (direct
     * mode reads at most {@code capacity} per call): the socket thread must come back without
     * waiting. Socket thread only.
     */
    boolean hasPending() {
        return watch != null && !ended && watch.head() > lastPublished;
    }

    /** Direct mode: the next durable events after the last published, at most {@code capacity}. */
    private List<Item> readDurable() {
        if (ended) {
            return List.of();
        }
        long head = watch.head();
        if (head <= lastPublished) {
            if (watch.isClosed()) {
                endDirect(new StoreClosedException("the store was closed"));
            }
            return List.of();
        }
        List<RecordedEvent> page;
        try {
            if (first) {
                previousId = idAt(lastPublished);
                first = false;
            }
            int limit = (int) Math.min(Math.min(capacity, Limits.MAX_READ_LIMIT), head - lastPublished);
            page = store.readAll(lastPublished + 1, Direction.FORWARD, limit);
        } catch (RuntimeException e) {
            endDirect(e);
            return List.of();
        }
        List<Item> items = new ArrayList<>(page.size());
        long previousPosition = lastPublished;
        for (RecordedEvent event : page) {
            items.add(new Item(new SubscriptionEvent(event, previousPosition), previousId));
            previousId = event.id();
            previousPosition = event.position();
        }
        return items;
    }

    /** Direct mode: the store closed or failed; live subscriptions end as they do in subscribed mode. */
    private void endDirect(Throwable cause) {
        ended = true;
        watch.removeListener(headMoved);
        onClose(cause);
    }

    /** The position of the last event published, or the start point before any. Socket thread only. */
    long lastPublished() {
        return lastPublished;
    }

    /** Ends the subscription; events not yet published are dropped. */
    void close() {
        closed = true;
        if (watch != null) {
            watch.removeListener(headMoved);
        }
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
