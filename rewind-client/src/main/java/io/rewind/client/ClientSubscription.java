package io.rewind.client;

import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionListener;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A subscription as its user sees it, and the one thread that calls its listener. The I/O thread
 * puts what the server sends into the inbox; this thread takes it out in order and calls the
 * listener, so the listener is never called concurrently and may itself use the store. The inbox
 * holds at most the credit window of events, because the server sends no more than the credit the
 * client granted, and the client grants only what the listener has consumed.
 *
 * <p>How it ends: {@link #close()} by the user (onClose(null)); {@link #stop} by the client closing
 * (no further event, then onClose(cause)); {@link #finish} on a permanent failure (the events
 * already received first, then onClose(cause)); or the listener throwing (onClose(its exception)).
 * The first of these decides the cause. Thread-safe.
 */
final class ClientSubscription implements Subscription {

    /** What the inbox carries. */
    private sealed interface Item permits Delivered, Checkpointed, CaughtUp, Ended {
    }

    /**
     * A checkpoint notice. Notices cost the server no credit, so nothing bounds how many arrive while
     * the listener is busy: a notice that arrives while the previous item offered is a notice not yet
     * taken replaces that one's position instead of queueing, so the inbox never holds two in a row.
     */
    private static final class Checkpointed implements Item {
        private final AtomicLong position;

        Checkpointed(long position) {
            this.position = new AtomicLong(position);
        }
    }

    private record Delivered(SubscriptionEvent event) implements Item {
    }

    /** A {@link Checkpointed}'s position once the listener thread has taken it. */
    private static final long TAKEN = Long.MIN_VALUE;

    private record CaughtUp() implements Item {
    }

    private record Ended() implements Item {
    }

    /** The cause the subscription ends with; null inside for a plain close. */
    private record Ending(Throwable cause) {
    }

    private static final long CLOSE_JOIN_MS = 10_000;

    private final SubscriptionListener listener;
    private final int signalEvery;
    private final Runnable onConsumed;
    private final Runnable onEnded;
    private final BlockingQueue<Item> inbox = new LinkedBlockingQueue<>();
    private final AtomicInteger unreleased = new AtomicInteger();
    private final AtomicReference<Ending> ending = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile long lastPosition;
    private boolean caughtUpDelivered;
    /** I/O thread only: the last item offered, when it is a notice (else null). */
    private Checkpointed lastNotice;

    /**
     * @param creditWindow the client's credit window; the subscription reports its progress every
     *                     quarter window
     * @param onConsumed   called from the listener thread when the listener has consumed events
     *                     (so the client can grant more credit)
     * @param onEnded      called once from the listener thread when the subscription has ended
     */
    ClientSubscription(SubscriptionListener listener, int creditWindow, String threadName,
            Runnable onConsumed, Runnable onEnded) {
        this.listener = listener;
        this.signalEvery = Math.max(1, creditWindow / 4);
        this.onConsumed = onConsumed;
        this.onEnded = onEnded;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    /** Starts calling the listener; {@code startPosition} is where the server started the subscription. */
    void start(long startPosition) {
        lastPosition = startPosition;
        thread.start();
    }

    /** Events received and not yet consumed by the listener (queued or in its hands). */
    int unreleased() {
        return unreleased.get();
    }

    /** I/O thread: an event for the listener. */
    void offer(SubscriptionEvent event) {
        lastNotice = null;
        unreleased.incrementAndGet();
        inbox.add(new Delivered(event));
    }

    /** I/O thread: the server reports the subscription caught up (the listener hears it once). */
    void offerCaughtUp() {
        lastNotice = null;
        inbox.add(new CaughtUp());
    }

    /** I/O thread: a checkpoint notice, merged into the previous one if that is still queued. */
    void offerCheckpoint(long position) {
        Checkpointed previous = lastNotice;
        if (previous != null) {
            long queued = previous.position.get();
            if (queued != TAKEN && previous.position.compareAndSet(queued, position)) {
                return;
            }
        }
        Checkpointed notice = new Checkpointed(position);
        lastNotice = notice;
        inbox.add(notice);
    }

    /** Ends after the events already received, with {@code cause}: a permanent failure. */
    void finish(Throwable cause) {
        ending.compareAndSet(null, new Ending(cause));
        inbox.add(new Ended());
    }

    /** Ends now: no further event reaches the listener, which then hears {@code cause}. */
    void stop(Throwable cause) {
        ending.compareAndSet(null, new Ending(cause));
        stopped = true;
        inbox.add(new Ended());
    }

    @Override
    public void close() {
        stop(null);
        onEnded.run();
        if (Thread.currentThread() != thread && thread.isAlive()) {
            // Bounded: a listener stuck elsewhere cannot hang the caller for ever, and it gets no
            // further event anyway, because the loop checks the stopped flag before each one.
            try {
                thread.join(CLOSE_JOIN_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isClosed() {
        return stopped;
    }

    @Override
    public long lastPosition() {
        return lastPosition;
    }

    private void run() {
        try {
            deliverUntilEnded();
        } catch (Throwable failure) {
            ending.compareAndSet(null, new Ending(failure));
        } finally {
            stopped = true;
            try {
                onEnded.run();
            } finally {
                listener.onClose(ending.get().cause());
            }
        }
    }

    private void deliverUntilEnded() throws InterruptedException {
        int consumedSinceSignal = 0;
        while (true) {
            Item item = inbox.take();
            if (stopped || item instanceof Ended) {
                return;
            }
            if (item instanceof CaughtUp) {
                if (!caughtUpDelivered) {
                    caughtUpDelivered = true;
                    listener.onCaughtUp();
                }
                continue;
            }
            if (item instanceof Checkpointed notice) {
                long position = notice.position.getAndSet(TAKEN);
                listener.onCheckpoint(position);
                lastPosition = position;
                continue;
            }
            SubscriptionEvent event = ((Delivered) item).event();
            listener.onEvent(event);
            lastPosition = event.event().position();
            unreleased.decrementAndGet();
            if (++consumedSinceSignal >= signalEvery) {
                consumedSinceSignal = 0;
                onConsumed.run();
            }
        }
    }
}
