package io.rewind.bench;

import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.log.Durability;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a log of N events of 100 bytes over S streams (skipped when the directory already holds
 * it), closes it, and times a reopen, printing the heap in use after it.
 *
 * <pre>java -cp ... io.rewind.bench.ReopenProbe --dir /tmp/big --events 10000000 --streams 100000</pre>
 */
public final class ReopenProbe {

    private static final int EVENTS_PER_APPEND = 100;

    private ReopenProbe() {
    }

    public static void main(String[] arguments) throws Exception {
        Args args = new Args(arguments);
        Path dir = Path.of(args.text("dir", "reopen-data"));
        long events = args.number("events", 1_000_000);
        int streams = (int) args.number("streams", 100_000);
        if (!Files.exists(dir.resolve("LOCK"))) {
            build(dir, events, streams);
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        long start = System.nanoTime();
        try (EventStore store = LogEventStore.open(LogConfig.builder(dir).build())) {
            long reopenMs = (System.nanoTime() - start) / 1_000_000;
            System.gc();
            long heapMb = (memory.getHeapMemoryUsage().getUsed() - heapBefore) / (1024 * 1024);
            System.out.printf("reopen: %d events over %d streams -> head %d, reopened in %d ms, heap after reopen +%d MB%n",
                    events, streams, store.headPosition(), reopenMs, heapMb);
        }
    }

    private static void build(Path dir, long events, int streams) {
        long started = System.nanoTime();
        byte[] data = new byte[100];
        try (EventStore store = LogEventStore.open(LogConfig.builder(dir).durability(Durability.NEVER).build())) {
            long written = 0;
            int stream = 0;
            while (written < events) {
                int count = (int) Math.min(EVENTS_PER_APPEND, events - written);
                List<EventData> batch = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    batch.add(EventData.of("Built", data));
                }
                store.append("stream-" + stream, ExpectedVersion.any(), batch);
                stream = (stream + 1) % streams;
                written += count;
            }
        }
        System.out.printf("built %d events in %d ms%n", events, (System.nanoTime() - started) / 1_000_000);
    }
}
