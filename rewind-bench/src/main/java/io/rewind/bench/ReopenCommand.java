package io.rewind.bench;

import io.rewind.api.AppendRequest;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.log.Durability;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench reopen}: builds a log of N events spread over S streams (every stream gets some when
 * N ≥ S; fast: fsync never, batches, pipelined appends; skipped when the directory already holds
 * exactly N events), closes
 * it, then opens and closes it {@code --repeat} times, timing each open. Reports the median open
 * time ({@code reopen_ms}, with min and max) and the heap the open store holds ({@code heap_mb}:
 * heap in use while it is open minus after it is closed, each after a full GC, the largest of the
 * repeats; {@code heap_used_mb} is the whole heap in use while it is open).
 * The files are in the page cache by then; a cold-cache open is not measured.
 */
@Command(name = "reopen", mixinStandardHelpOptions = true,
        description = "Build a log of N events over many streams, close it and time its reopen; heap it needs.")
final class ReopenCommand implements Callable<Integer> {

    private static final int BUILD_WINDOW = 128;
    private static final double MIB = 1024.0 * 1024.0;
    private static final int SETTLE_TRIES = 20;
    private static final long SETTLE_PAUSE_MS = 100;
    private static final long SETTLED_BYTES = 64 * 1024;

    @Spec
    CommandSpec spec;

    @Option(names = "--store", paramLabel = "log:DIR", required = true, description = "The log to build and reopen.")
    String store;

    @Option(names = "--events", paramLabel = "N", required = true, description = "Events in the store.")
    long events;

    @Option(names = "--streams", paramLabel = "S", defaultValue = "100000",
            description = "Streams the events are spread over (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100",
            description = "Payload bytes per event (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "100",
            description = "Events per append while building, at most events/streams (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--repeat", paramLabel = "R", defaultValue = "3",
            description = "Timed reopens; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--json", description = "Print one JSON object with the figures on standard output.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Path directory = Options.store(spec, store).directory()
                .orElseThrow(() -> new ParameterException(spec.commandLine(), "--store must be log:DIR"));
        Options.atLeast(spec, "--events", events, 1);
        Options.atLeast(spec, "--streams", streams, 1);
        Options.atLeast(spec, "--size", size, 0);
        Options.between(spec, "--batch", batch, 1, io.rewind.api.Limits.MAX_EVENTS_PER_APPEND);
        Options.atLeast(spec, "--repeat", repeat, 1);
        Report report = new Report("reopen").text("store", store).count("events", events).count("streams", streams)
                .count("size", size);
        long buildMs = build(directory);
        if (buildMs >= 0) {
            report.count("build_ms", buildMs);
        }
        long[] reopenMs = new long[repeat];
        long heapBytes = 0;
        long heapUsedBytes = 0;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < repeat; i++) {
            long[] timeAndHeap = openOnce(directory, memory);
            long afterClose = settledHeap(memory);
            reopenMs[i] = timeAndHeap[0];
            heapBytes = Math.max(heapBytes, timeAndHeap[1] - afterClose);
            heapUsedBytes = Math.max(heapUsedBytes, timeAndHeap[1]);
        }
        Arrays.sort(reopenMs);
        report.count("reopen_ms", reopenMs[repeat / 2]).count("reopen_ms_min", reopenMs[0])
                .count("reopen_ms_max", reopenMs[repeat - 1]).figure("heap_mb", heapBytes / MIB)
                .figure("heap_used_mb", heapUsedBytes / MIB);
        report.print(json, spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }

    /**
     * Opens the store, times the open, and returns that time (ms) and the heap in use (after a
     * full GC) while it is open. The caller measures the heap again once the store is closed and
     * unreachable (this method's frame is gone), so the difference is what the open store holds.
     */
    private long[] openOnce(Path directory, MemoryMXBean memory) throws InterruptedException {
        long started = System.nanoTime();
        try (EventStore reopened = LogEventStore.open(LogConfig.builder(directory).build())) {
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            long used = settledHeap(memory);
            if (reopened.headPosition() + 1 != events) {
                throw new BenchException("the reopened store holds " + (reopened.headPosition() + 1)
                        + " events, expected " + events);
            }
            return new long[] {elapsedMs, used};
        }
    }

    /**
     * The heap in use once it stops shrinking under full GCs (at most about 2 s): a store's
     * background threads may still be ending right after {@code close()} returns, holding its
     * memory for a moment.
     */
    private static long settledHeap(MemoryMXBean memory) throws InterruptedException {
        System.gc();
        long used = memory.getHeapMemoryUsage().getUsed();
        for (int i = 0; i < SETTLE_TRIES; i++) {
            Thread.sleep(SETTLE_PAUSE_MS);
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (used - now < SETTLED_BYTES) {
                return Math.min(used, now);
            }
            used = now;
        }
        return used;
    }

    /** Builds the store unless it holds N events already; returns the build time, -1 when skipped. */
    private long build(Path directory) throws InterruptedException {
        long started = System.nanoTime();
        try (EventStore log = LogEventStore.open(LogConfig.builder(directory).durability(Durability.NEVER).build())) {
            long present = log.headPosition() + 1;
            if (present == events) {
                return -1;
            }
            if (present != 0) {
                throw new BenchException(directory + " holds " + present + " events, not " + events
                        + ": use a new directory");
            }
            append(log);
        }
        return (System.nanoTime() - started) / 1_000_000;
    }

    /** Appends the events, batch after batch, round-robin over the streams, with many appends in flight. */
    private void append(EventStore log) throws InterruptedException {
        byte[] payload = new byte[size];
        new Random(42).nextBytes(payload);
        Semaphore slots = new Semaphore(BUILD_WINDOW);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        LongAdder done = new LongAdder();
        Progress progress = Progress.onTerminal("reopen build", spec.commandLine().getErr());
        long nextTick = System.nanoTime() + 1_000_000_000L;
        // Fewer events per append when there are few per stream, so that every stream gets some.
        int perAppend = (int) Math.max(1, Math.min(batch, events / streams));
        long written = 0;
        for (long append = 0; written < events && failure.get() == null; append++) {
            int count = (int) Math.min(perAppend, events - written);
            AppendRequest request = AppendRequest.to("stream-" + append % streams, ExpectedVersion.any(),
                    Collections.nCopies(count, EventData.of(AppendCommand.EVENT_TYPE, payload)));
            slots.acquire();
            CompletableFuture<?> future = log.appendAsync(request);
            future.whenComplete((result, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                } else {
                    done.add(count);
                }
                slots.release();
            });
            written += count;
            if (System.nanoTime() - nextTick > 0) {
                progress.tick("building", done.sum());
                nextTick += 1_000_000_000L;
            }
        }
        slots.acquire(BUILD_WINDOW);
        progress.done();
        if (failure.get() != null) {
            throw new BenchException("building the store failed: " + failure.get().getMessage(), failure.get());
        }
    }
}
