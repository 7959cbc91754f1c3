package io.rewind.sql;

import io.rewind.api.AppendRequest;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.Limits;
import io.rewind.api.RecordedEvent;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * A hand-run measurement, not a test (it asserts nothing): durable appends per second of 100-byte
 * events, one event per append, with 1 and with 16 writer threads; then events per second reading the
 * whole log forward in pages of 1,000; then look-ups by id per second from 4 reader threads.
 *
 * <p>Usage: {@code SqlThroughput <store-uri> <seconds-per-phase> [stores]}, where the URI is one
 * {@link SqlStores} opens; run it on an empty store. With {@code stores} above 1, that many stores
 * are opened over the same database, as that many servers would be, and the writers are spread
 * over them: each store commits its own group, and the groups take turns at the head row.
 * {@link #report} runs the same phases on any stores, so that the embedded log can be measured the
 * same way (docs/SQL.md shows how).
 */
public final class SqlThroughput {

    private static final int EVENT_BYTES = 100;
    private static final int READ_PAGE = 1_000;
    private static final int LOOKUP_THREADS = 4;
    private static final int SAMPLED_IDS = 100_000;

    private SqlThroughput() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: SqlThroughput <store-uri> <seconds-per-phase> [stores]");
            System.exit(2);
        }
        int storeCount = args.length == 3 ? Integer.parseInt(args[2]) : 1;
        List<EventStore> stores = new ArrayList<>();
        try {
            for (int i = 0; i < storeCount; i++) {
                stores.add(SqlStores.open(args[0], 16 * 1024 * 1024));
            }
            report(stores, Long.parseLong(args[1]), System.out);
        } finally {
            stores.forEach(EventStore::close);
        }
    }

    /**
     * Runs every phase and prints one line per phase to {@code out}: appends spread over
     * {@code stores}, reads on the first.
     */
    public static void report(List<EventStore> stores, long seconds, PrintStream out) throws InterruptedException {
        EventStore store = stores.get(0);
        for (int writers : new int[] {1, 16}) {
            long start = System.nanoTime();
            long appends = append(stores, writers, seconds);
            out.printf("appends, %2d writers over %d store(s): %8.0f appends/s (%d appends of one %d-byte event)%n",
                    writers, Math.min(writers, stores.size()), appends / elapsedSeconds(start), appends, EVENT_BYTES);
        }
        List<UUID> ids = new ArrayList<>();
        long start = System.nanoTime();
        long events = readForward(store, seconds, ids);
        out.printf("readAll forward:     %8.0f events/s (pages of %d, %d events)%n", events / elapsedSeconds(start),
                READ_PAGE, events);
        start = System.nanoTime();
        long lookups = lookUp(store, ids, seconds);
        out.printf("readEvent by id, %d readers: %8.0f look-ups/s%n", LOOKUP_THREADS, lookups / elapsedSeconds(start),
                lookups);
    }

    private static long append(List<EventStore> stores, int writers, long seconds) throws InterruptedException {
        AtomicLong appends = new AtomicLong();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        byte[] payload = new byte[EVENT_BYTES];
        runThreads(writers, writer -> {
            String stream = "writer-" + writers + "-" + writer;
            EventStore store = stores.get(writer % stores.size());
            while (System.nanoTime() < deadline) {
                store.append(AppendRequest.to(stream, ExpectedVersion.any(), EventData.of("bench", payload)));
                appends.incrementAndGet();
            }
        });
        return appends.get();
    }

    /** Reads the whole log forward, again and again until the time is up; samples ids on the first pass. */
    private static long readForward(EventStore store, long seconds, List<UUID> ids) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long events = 0;
        boolean firstPass = true;
        while (System.nanoTime() < deadline) {
            long from = 0;
            while (true) {
                List<RecordedEvent> page = store.readAll(from, Direction.FORWARD, Math.min(READ_PAGE, Limits.MAX_READ_LIMIT));
                if (page.isEmpty()) {
                    break;
                }
                events += page.size();
                if (firstPass && ids.size() < SAMPLED_IDS) {
                    page.forEach(event -> ids.add(event.id()));
                }
                from = page.get(page.size() - 1).position() + 1;
            }
            firstPass = false;
        }
        return events;
    }

    private static long lookUp(EventStore store, List<UUID> ids, long seconds) throws InterruptedException {
        AtomicLong lookups = new AtomicLong();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        runThreads(LOOKUP_THREADS, reader -> {
            while (System.nanoTime() < deadline) {
                UUID id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                if (store.readEvent(id).isEmpty()) {
                    throw new IllegalStateException("event " + id + " was read before and is gone");
                }
                lookups.incrementAndGet();
            }
        });
        return lookups.get();
    }

    /** Runs {@code task} on {@code count} threads, passing each its index, and waits for all. */
    private static void runThreads(int count, IntConsumer task) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int index = i;
            Thread thread = new Thread(() -> task.accept(index));
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private static double elapsedSeconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
