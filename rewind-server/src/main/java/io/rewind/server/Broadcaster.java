package io.rewind.server;

import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.HeadListener;
import io.rewind.api.Limits;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import io.rewind.api.SubscriptionEvent;
import io.rewind.protocol.legacy.Broadcast;
import io.rewind.protocol.legacy.LegacyEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * Drives both PUB sockets with every event that becomes durable after the server starts, in the
 * global order exactly, whichever client (or other process) wrote it. Each event carries its legacy
 * {@code previous id} (the first one found by looking up the event just before it).
 *
 * <p>One path for every store, found through the {@link EventStore} contract alone (so a store
 * wrapped in another behaves as the store it wraps): the store tells this broadcaster when its
 * durable head moves ({@link EventStore#watchHead}); the listener only records the head and wakes
 * the broadcast reader, a thread of the server's own, which reads the new events in pages of at
 * most {@code capacity} and hands them to the socket thread through a bounded queue, waking it
 * through the {@link Mailbox}. The socket thread never reads from the store here, so a cold page
 * cache or a failing read never stalls the clients it serves. When the queue is full the reader
 * waits, which delays only the broadcast, never a writer. The store's reads never return an event
 * beyond its durable head, so only durable events are broadcast; the reader reads every position
 * once, in order, so none is skipped or sent twice.
 *
 * <p>A read that fails with {@link ErrorCode#UNAVAILABLE} is tried again after a pause; any other
 * failure (corruption, a closed store) ends the broadcast, and live subscriptions are ended with it
 * on the socket thread. Thread-safe as described: {@link #headMoved} and {@link #stopped} on a store
 * thread, the reader on its own thread, everything else on the socket thread.
 */
final class Broadcaster implements HeadListener {

    private static final Logger LOG = LoggerFactory.getLogger(Broadcaster.class);
    private static final long OFFER_WAIT_MS = 100;
    /** The reader's longest sleep without news: a safety net only, every head move wakes it at once. */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long RETRY_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long JOIN_MS = 5_000;

    /** One durable event ready to broadcast. */
    record Item(SubscriptionEvent event, UUID previousId) {
    }

    private final EventStore store;
    private final BlockingQueue<Item> queue;
    private final Mailbox mailbox;
    private final Consumer<Throwable> onEnd;
    private final int capacity;
    private final String readerName;
    private volatile boolean closed;
    /** The highest durable head the store has told; only grows (two store threads may tell at once). */
    private final AtomicLong toldHead = new AtomicLong(-1);
    /** Why the store stopped telling heads, or null. */
    private volatile EventStoreException stoppedBy;
    private volatile Thread reader;
    private HeadListener.Registration registration;
    /** Socket thread only. */
    private long lastPublished;
    /** Reader thread writes, any thread reads: see {@link #unreadableHeads()} and {@link #idleParksRunOut()}. */
    private volatile long unreadableHeads;
    private volatile long idleParksRunOut;

    Broadcaster(EventStore store, int capacity, Mailbox mailbox, Consumer<Throwable> onEnd) {
        this(store, capacity, mailbox, onEnd, "rewind-broadcast-reader");
    }

    Broadcaster(EventStore store, int capacity, Mailbox mailbox, Consumer<Throwable> onEnd, String readerName) {
        this.store = store;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.mailbox = mailbox;
        this.onEnd = onEnd;
        this.capacity = capacity;
        this.readerName = readerName;
    }

    /** Starts following the store from its end; returns the position the broadcast starts after. */
    long start() {
        registration = store.watchHead(this); // before reading the head: no later move goes untold
        long head;
        try {
            head = store.headPosition();
        } catch (RuntimeException e) {
            registration.close();
            throw e;
        }
        lastPublished = head;
        Thread thread = new Thread(() -> readLoop(head), readerName);
        thread.setDaemon(true);
        reader = thread;
        thread.start();
        return head;
    }

    @Override
    public void headMoved(long head) {
        toldHead.accumulateAndGet(head, Math::max);
        wakeReader();
    }

    @Override
    public void stopped(EventStoreException cause) {
        stoppedBy = cause;
        wakeReader();
    }

    private void wakeReader() {
        Thread thread = reader;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /** The reader thread: reads every event after {@code after}, in order, and queues it. */
    private void readLoop(long after) {
        long lastRead = after;
        UUID previousId = null;
        boolean previousKnown = false;
        while (!closed) {
            long head = toldHead.get();
            if (head <= lastRead) {
                if (stoppedBy != null) {
                    end(stoppedBy);
                    return;
                }
                long parked = System.nanoTime();
                LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                if (System.nanoTime() - parked >= IDLE_PARK_NANOS && toldHead.get() <= lastRead
                        && !closed && headBeyond(lastRead)) {
                    idleParksRunOut++; // durable events nobody told of, found by the safety net
                }
                continue;
            }
            List<RecordedEvent> page;
            try {
                if (!previousKnown) {
                    previousId = idAt(lastRead);
                    previousKnown = true;
                }
                int limit = (int) Math.min(Math.min(capacity, Limits.MAX_READ_LIMIT), head - lastRead);
                page = store.readAll(lastRead + 1, Direction.FORWARD, limit);
            } catch (EventStoreException e) {
                if (e.code() == ErrorCode.UNAVAILABLE && !closed) {
                    LOG.warn("Broadcast: reading after position {} failed, trying again: {}", lastRead, e.getMessage());
                    LockSupport.parkNanos(this, RETRY_PARK_NANOS);
                    continue;
                }
                end(e);
                return;
            } catch (RuntimeException e) {
                end(e);
                return;
            }
            if (page.isEmpty()) {
                unreadableHeads++; // a store broke its promise to tell only readable heads
                LockSupport.parkNanos(this, IDLE_PARK_NANOS); // told a head not yet readable: look again soon
                continue;
            }
            for (RecordedEvent event : page) {
                if (!offer(new Item(new SubscriptionEvent(event, lastRead), previousId))) {
                    return; // closed while waiting for room
                }
                previousId = event.id();
                lastRead = event.position();
            }
            mailbox.wake();
        }
    }

    /** Whether the store's head is beyond {@code position}; false when it cannot say. Reader thread. */
    private boolean headBeyond(long position) {
        try {
            return store.headPosition() > position;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * How often the store told a head the reader then could not read (an empty page): a store
     * must tell only durable, readable heads, so this stays zero. Any thread.
     */
    long unreadableHeads() {
        return unreadableHeads;
    }

    /**
     * How often the reader's 100 ms safety park ran out while durable events it had not been told
     * of were waiting: a tell lost, or one racing the park's end (a few microseconds of each 100 ms
     * of idleness), so a diagnostic, not an invariant. Any thread.
     */
    long idleParksRunOut() {
        return idleParksRunOut;
    }

    /** Queues one item, waiting while the queue is full; false if the broadcaster closed meanwhile. */
    private boolean offer(Item item) {
        try {
            while (!queue.offer(item)) {
                mailbox.wake(); // a full queue: make sure the socket thread is draining it
                if (queue.offer(item, OFFER_WAIT_MS, TimeUnit.MILLISECONDS)) {
                    return true;
                }
                if (closed) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The store closed or a read failed: live subscriptions end on the socket thread. Reader thread. */
    private void end(Throwable cause) {
        if (closed) {
            return;
        }
        if (cause instanceof StoreClosedException) {
            LOG.info("The broadcast ended: {}", cause.getMessage());
        } else {
            LOG.error("The broadcast ended: {}", cause.toString());
        }
        mailbox.post(() -> onEnd.accept(cause));
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
     * Publishes the queued events (at most {@code capacity}), on the socket thread, and returns them
     * in order so live subscriptions can be served from them.
     */
    List<SubscriptionEvent> publishPending(ZMQ.Socket streamPub, ZMQ.Socket legacyPub) {
        return publishPending(streamPub, legacyPub, null);
    }

    /**
     * As {@link #publishPending(ZMQ.Socket, ZMQ.Socket)}, publishing only the events {@code visible}
     * accepts (all when it is null); every event is still returned for the live subscriptions. When
     * filtering, a legacy message's previous id is that of the last event this broadcaster published
     * (null before the first), so a legacy subscriber sees an unbroken chain of what it may read.
     */
    List<SubscriptionEvent> publishPending(ZMQ.Socket streamPub, ZMQ.Socket legacyPub,
            Predicate<RecordedEvent> visible) {
        List<Item> items = new ArrayList<>();
        queue.drainTo(items, capacity);
        List<SubscriptionEvent> events = new ArrayList<>(items.size());
        for (Item item : items) {
            RecordedEvent event = item.event().event();
            if (visible == null || visible.test(event)) {
                LegacyEvent legacy = new LegacyEvent(event.id(), event.data());
                send(streamPub, new Broadcast.StreamMessage(event.stream(), legacy).toFrames());
                if (legacyPub != null) {
                    send(legacyPub, new Broadcast.LegacyMessage(legacy,
                            visible == null ? item.previousId() : lastVisibleId).toFrames());
                }
                lastVisibleId = event.id();
            }
            lastPublished = event.position();
            events.add(item.event());
        }
        return events;
    }

    /**
     * Whether events are queued that {@link #publishPending} has not published yet: the socket
     * thread must come back without waiting. Any thread.
     */
    boolean hasPending() {
        return !queue.isEmpty();
    }

    /** The position of the last event published, or the start point before any. Socket thread only. */
    long lastPublished() {
        return lastPublished;
    }

    /** Only when filtering: the id of the last event published. Socket thread only. */
    private UUID lastVisibleId;

    /** Stops the broadcast: events not yet published are dropped; waits briefly for the reader. */
    void close() {
        closed = true;
        if (registration != null) {
            registration.close();
        }
        Thread thread = reader;
        if (thread != null) {
            LockSupport.unpark(thread);
            try {
                thread.join(JOIN_MS); // a reader inside a slow store read is a daemon: it is not waited for longer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void send(ZMQ.Socket socket, List<byte[]> frames) {
        // PUB never blocks: at its high-water mark it drops, which legacy clients detect by the
        // previous id and repair with QUERY.
        int last = frames.size() - 1;
        for (int i = 0; i < last; i++) {
            socket.send(frames.get(i), ZMQ.SNDMORE);
        }
        socket.send(frames.get(last), 0);
    }
}
