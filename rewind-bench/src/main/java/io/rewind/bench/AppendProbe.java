package io.rewind.bench;

import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.log.Durability;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Durable appends to the embedded log from N writer threads, each appending B events of S bytes
 * per call to its own stream and waiting for the acknowledgement before the next call.
 *
 * <pre>java -cp ... io.rewind.bench.AppendProbe --dir /tmp/x --writers 16 --batch 1 --size 100 --seconds 10 --fsync always</pre>
 *
 * Prints events/s, MB/s and append latency percentiles over the measured period (after a warm-up).
 */
public final class AppendProbe {

    private AppendProbe() {
    }

    public static void main(String[] arguments) throws Exception {
        Args args = new Args(arguments);
        Path dir = Path.of(args.text("dir", "bench-data"));
        int writers = (int) args.number("writers", 1);
        int batch = (int) args.number("batch", 1);
        int size = (int) args.number("size", 100);
        long seconds = args.number("seconds", 10);
        long warmupSeconds = args.number("warmup", 2);
        String fsync = args.text("fsync", "always");
        Durability durability = switch (fsync) {
            case "always" -> Durability.ALWAYS;
            case "never" -> Durability.NEVER;
            default -> throw new IllegalArgumentException("--fsync always|never");
        };

        try (EventStore store = LogEventStore.open(LogConfig.builder(dir).durability(durability).build())) {
            Recorder latency = new Recorder(3);
            LongAdder events = new LongAdder();
            long start = System.nanoTime();
            long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
            long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String stream = "probe-" + w;
                Thread thread = new Thread(() -> write(store, stream, batch, size, measureFrom, end, latency, events),
                        "probe-writer-" + w);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            Histogram histogram = latency.getIntervalHistogram();
            double perSecond = events.sum() / (double) seconds;
            System.out.printf("append: writers=%d batch=%d size=%d fsync=%s -> %.0f events/s, %.1f MB/s,"
                            + " latency p50=%dus p99=%dus p99.9=%dus (%d appends measured)%n",
                    writers, batch, size, fsync, perSecond, perSecond * size / 1e6,
                    histogram.getValueAtPercentile(50) / 1000, histogram.getValueAtPercentile(99) / 1000,
                    histogram.getValueAtPercentile(99.9) / 1000, histogram.getTotalCount());
        }
    }

    private static void write(EventStore store, String stream, int batch, int size, long measureFrom, long end,
            Recorder latency, LongAdder events) {
        byte[] data = new byte[size];
        List<EventData> batchEvents = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            batchEvents.add(EventData.of("Probe", data));
        }
        while (true) {
            long before = System.nanoTime();
            if (before >= end) {
                return;
            }
            store.append(stream, ExpectedVersion.any(), batchEvents);
            long after = System.nanoTime();
            if (before >= measureFrom && after <= end) {
                latency.recordValue(after - before);
                events.add(batch);
            }
        }
    }
}
