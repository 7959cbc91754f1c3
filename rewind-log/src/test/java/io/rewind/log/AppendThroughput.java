package io.rewind.log;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hand-run measurement, not a test: durable (fsync=always) appends per second of 100-byte
 * events, for a number of concurrent writers each appending batches of a given size.
 * Usage: {@code AppendThroughput <writers> <eventsPerAppend> <seconds> [directory [always|never]]}.
 */
public final class AppendThroughput {

    private AppendThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int writers = Integer.parseInt(args[0]);
        int batch = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        Path directory = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("rewind-throughput");
        Durability durability = args.length > 4 && args[4].equals("never") ? Durability.NEVER : Durability.ALWAYS;
        try (LogEventStore store = LogEventStore.open(LogConfig.builder(directory).durability(durability).build())) {
            AtomicLong events = new AtomicLong();
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String stream = "writer-" + w;
                Thread thread = new Thread(() -> run(store, stream, batch, deadline, events));
                threads.add(thread);
                thread.start();
            }
            long start = System.nanoTime();
            for (Thread thread : threads) {
                thread.join();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf("%s writers=%d eventsPerAppend=%d: %d events in %.1f s = %.0f events/s, %.0f appends/s%n",
                    durability, writers, batch, events.get(), elapsed, events.get() / elapsed, events.get() / elapsed / batch);
        }
    }

    private static void run(EventStore store, String stream, int batch, long deadline, AtomicLong events) {
        byte[] payload = new byte[100];
        while (System.nanoTime() < deadline) {
            List<EventData> list = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                list.add(EventData.of("bench", payload));
            }
            CompletableFuture<AppendResult> future = store.appendAsync(AppendRequest.to(stream, ExpectedVersion.any(), list));
            EventStore.await(future);
            events.addAndGet(batch);
        }
    }
}
