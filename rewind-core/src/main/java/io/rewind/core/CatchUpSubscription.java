package io.rewind.core;

import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A subscription that pulls: its own thread reads the global log forward from where it is, in
 * pages, delivers what matches, and when it reaches the head waits on the store's
 * {@link HeadWatch}. The filter ({@link SubscriptionRequest#matches}) is applied here, in the store,
 * and a filtered subscription gives its listener checkpoint notices as the request says: checked
 * at the end of every page it scans and whenever it wakes at the head, so a notice carries the last
 * position of the page and may cover more skipped events than the threshold. Because it always reads the store itself, history and live are one loop: there
 * is no hand-over at which an event could be lost or delivered twice, and a slow listener only
 * falls behind; writers never wait for it. Thread-safe.
 *
 * <p>Its thread is never interrupted: interrupting a thread inside a {@code FileChannel} read
 * would close the channel for the whole store. It is woken through the watch instead.
 */
public final class CatchUpSubscription implements Subscription {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final int PAGE = 512;
    private static final long IDLE_WAIT_MS = 200;
    private static final long CLOSE_JOIN_MS = 10_000;

    private final EventSource source;
    private final HeadWatch watch;
    private final SubscriptionRequest request;
    private final SubscriptionListener listener;
    private final Consumer<CatchUpSubscription> onEnd;
    private final Thread thread;
    private volatile boolean closed;
    private volatile long lastPosition;

    private CatchUpSubscription(EventSource source, HeadWatch watch, SubscriptionRequest request,
            SubscriptionListener listener, Consumer<CatchUpSubscription> onEnd) {
        this.source = source;
        this.watch = watch;
        this.request = request;
        this.listener = listener;
        this.onEnd = onEnd;
        this.lastPosition = switch (request.start()) {
            case BEGINNING -> -1;
            case AFTER -> request.afterPosition();
            case END -> watch.head();
        };
        this.thread = new Thread(this::run, "rewind-subscription-" + COUNTER.incrementAndGet());
        this.thread.setDaemon(true);
    }

    /**
     * Starts a subscription. The start point of {@link SubscriptionRequest#fromEnd()} is the watch's
     * head now.
     *
     * @param onEnd called once from the subscription's thread when it ends, so the store can forget it
     */
    public static CatchUpSubscription start(EventSource source, HeadWatch watch, SubscriptionRequest request,
            SubscriptionListener listener, Consumer<CatchUpSubscription> onEnd) {
        CatchUpSubscription subscription = new CatchUpSubscription(source, watch, request, listener, onEnd);
        subscription.thread.start();
        return subscription;
    }

    @Override
    public long lastPosition() {
        return lastPosition;
    }

    @Override
    public boolean isClosed() {
        return closed || !thread.isAlive();
    }

    @Override
    public void close() {
        closed = true;
        watch.wakeAll();
        if (Thread.currentThread() != thread) {
            // Bounded, so a listener stuck elsewhere cannot hang the caller for ever; such a
            // listener still gets no event after its current one, because the loop checks the flag.
            try {
                thread.join(CLOSE_JOIN_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        Throwable cause = null;
        try {
            loop();
        } catch (Throwable t) {
            cause = t;
        } finally {
            closed = true;
            try {
                onEnd.accept(this);
            } finally {
                listener.onClose(cause);
            }
        }
    }

    private void loop() throws InterruptedException {
        Progress progress = new Progress(lastPosition);
        boolean caughtUp = false;
        while (!closed) {
            ensureStoreOpen();
            List<RecordedEvent> page = source.readForward(progress.scanned + 1, PAGE);
            if (page.isEmpty()) {
                if (!caughtUp) {
                    caughtUp = true;
                    listener.onCaughtUp();
                }
                // Wait for new events, but wake in time for a notice that falls due meanwhile.
                long waitNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(IDLE_WAIT_MS), progress.nanosUntilDue());
                if (waitNanos > 0) {
                    watch.awaitBeyond(progress.scanned, waitNanos, TimeUnit.NANOSECONDS);
                }
                notifyIfDue(progress);
                continue;
            }
            for (RecordedEvent event : page) {
                if (closed) {
                    return;
                }
                // Checked per event, not per page: a closed store delivers nothing more, even
                // from a page it read before closing.
                ensureStoreOpen();
                if (request.matches(event)) {
                    listener.onEvent(new SubscriptionEvent(event, progress.delivered));
                    progress.delivered(event.position());
                    lastPosition = event.position();
                } else {
                    progress.skipped(event.position());
                }
            }
            notifyIfDue(progress);
        }
    }

    /** Gives the listener a checkpoint notice if one is due and the subscription is still running. */
    private void notifyIfDue(Progress progress) {
        if (closed || !progress.noticeDue()) {
            return;
        }
        ensureStoreOpen();
        listener.onCheckpoint(progress.scanned);
        progress.noticed();
        lastPosition = progress.scanned;
    }

    /**
     * Where the loop stands: every event up to {@code scanned} was delivered or skipped;
     * {@code delivered} is the last event delivered (the start point before any), which the next
     * one names as previous; {@code skipped} events were skipped since the listener last heard of
     * the subscription's position (an event or a notice) at {@code reportedAtNanos}.
     */
    private final class Progress {
        private final long intervalNanos = request.checkpointInterval().toNanos();
        long scanned;
        long delivered;
        int skipped;
        long reportedAtNanos = System.nanoTime();

        Progress(long start) {
            scanned = start;
            delivered = start;
        }

        void delivered(long position) {
            scanned = position;
            delivered = position;
            noticed();
        }

        /** The listener now knows the position scanned, by an event or a notice. */
        void noticed() {
            skipped = 0;
            reportedAtNanos = System.nanoTime();
        }

        void skipped(long position) {
            scanned = position;
            skipped++;
        }

        boolean noticeDue() {
            return skipped > 0 && (skipped >= request.checkpointEvents() || nanosUntilDue() <= 0);
        }

        /** How long until a time-based notice is due; effectively never when nothing was skipped. */
        long nanosUntilDue() {
            return skipped == 0 ? Long.MAX_VALUE : reportedAtNanos + intervalNanos - System.nanoTime();
        }
    }

    private void ensureStoreOpen() {
        if (watch.isClosed()) {
            throw new StoreClosedException("the store was closed");
        }
    }
}
