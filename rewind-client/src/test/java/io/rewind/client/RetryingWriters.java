package io.rewind.client;

import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.StoreUnavailableException;
import io.rewind.testkit.Await;
import io.rewind.testkit.TestEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writer threads that append batches through a client until stopped, the way a careful
 * application does: every event carries its own id, and an append that fails because the server
 * is unavailable is retried with the same ids until it is acknowledged (a retry of an append that
 * was in fact stored returns the original result). So every event that reaches the store is
 * eventually acknowledged exactly once.
 */
final class RetryingWriters implements AutoCloseable {

    /** How long one append may keep failing before the writer gives up and fails the test. */
    private static final Duration RETRY_DEADLINE = Duration.ofSeconds(90);
    private static final long JOIN_MILLIS = 120_000;

    private final EventStore store;
    private final int eventsPerAppend;
    private final Set<UUID> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();

    private RetryingWriters(EventStore store, int eventsPerAppend) {
        this.store = store;
        this.eventsPerAppend = eventsPerAppend;
    }

    static RetryingWriters start(EventStore store, int writers, int eventsPerAppend) {
        RetryingWriters running = new RetryingWriters(store, eventsPerAppend);
        for (int writer = 0; writer < writers; writer++) {
            String stream = "writer-" + writer;
            Thread thread = new Thread(() -> running.write(stream), "test-" + stream);
            thread.setDaemon(true);
            running.threads.add(thread);
            thread.start();
        }
        return running;
    }

    private void write(String stream) {
        try {
            for (int batch = 0; !stopRequested.get(); batch++) {
                List<EventData> events = TestEvents.events(stream + "-" + batch, eventsPerAppend);
                appendUntilAcknowledged(stream, events);
                events.forEach(event -> acknowledged.add(event.id()));
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    private void appendUntilAcknowledged(String stream, List<EventData> events) {
        long deadline = System.nanoTime() + RETRY_DEADLINE.toNanos();
        while (true) {
            try {
                store.append(stream, ExpectedVersion.any(), events);
                return;
            } catch (StoreUnavailableException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("an append kept failing for " + RETRY_DEADLINE.toSeconds() + " s", e);
                }
            }
        }
    }

    /** How many events have been acknowledged so far. */
    int acknowledgedCount() {
        return acknowledged.size();
    }

    /** Waits until at least {@code count} events are acknowledged in all, failing fast if a writer failed. */
    void awaitAcknowledged(int count, Duration timeout) {
        Await.until(() -> {
            if (failure.get() != null) {
                throw new AssertionError("a writer failed", failure.get());
            }
            return acknowledged.size() >= count;
        }, timeout, () -> count + " acknowledged events (have " + acknowledged.size() + ")");
    }

    /** Stops the writers after their current append and returns the ids of every acknowledged event. */
    Set<UUID> stop() {
        stopRequested.set(true);
        for (Thread thread : threads) {
            try {
                thread.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while stopping the writers", e);
            }
            if (thread.isAlive()) {
                throw new AssertionError(thread.getName() + " did not stop within " + JOIN_MILLIS + " ms");
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("a writer failed", failure.get());
        }
        return Set.copyOf(acknowledged);
    }

    @Override
    public void close() {
        stopRequested.set(true);
    }
}
