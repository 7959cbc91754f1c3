package io.rewind.bench;

import io.rewind.api.AppendRequest;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.log.Durability;
import io.rewind.log.LogConfig;
import io.rewind.log.LogRecordSize;
import io.rewind.stores.StoreUri;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code bench append}: embedded appends from N writer threads, each appending B events of S
 * bytes per call to its own stream and waiting for the acknowledgement before the next call (or,
 * with {@code --in-flight W}, keeping W {@code appendAsync} calls in flight).
 * Reports events/s, MB/s (payload), append latency, the mean events per fsync (segment forces
 * counted through the store's file layer), and, when the log fsyncs every batch, the disk's
 * ceiling at that same mean batch size measured right after in the same run, with the ratio.
 *
 * <p>With {@code --events N} the run appends N events instead of running for a duration, and
 * reports the rate of each window of {@code --window} events as the store grows (see
 * {@link Windows}); the figures then cover the whole run, with no warm-up.
 */
@Command(name = "append", mixinStandardHelpOptions = true,
        description = "Embedded appends: events/s, MB/s, latency, mean events per fsync, ratio to the disk's ceiling.")
final class AppendCommand implements Callable<Integer> {

    static final String EVENT_TYPE = "bench";

    /** The name prefix of the log store's index flusher thread, whose CPU time a fill run reports on its own. */
    static final String INDEX_THREAD_PREFIX = "rewind-log-index-";

    /** The most windows one run reports. */
    static final long MAX_WINDOWS = 10_000;

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions run;

    @Option(names = "--store", paramLabel = "URI", required = true,
            description = "log:DIR, memory:, sqlite:FILE or postgresql://user:password@host:port/database.")
    String store;

    @Option(names = "--writers", paramLabel = "N", defaultValue = "1",
            description = "Writer threads, each appending to its own stream (default: ${DEFAULT-VALUE}).")
    int writers;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1",
            description = "Events per append call (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--in-flight", paramLabel = "W", defaultValue = "1",
            description = "Appends each writer keeps in flight: 1 waits for each (append), more pipeline them"
                    + " (appendAsync) (default: ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100",
            description = "Payload bytes per event (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--fsync", paramLabel = "MODE", defaultValue = "always",
            description = "always, never or interval:MS (default: ${DEFAULT-VALUE}).")
    String fsync;

    @Option(names = "--no-ceiling", description = "Skip the ceiling measurement that follows an fsync=always run.")
    boolean noCeiling;

    @Option(names = "--events", paramLabel = "N",
            description = "Append N events, then stop (instead of --warmup and --duration), reporting events/s per"
                    + " window of --window events as the store grows.")
    Long events;

    @Option(names = "--window", paramLabel = "W", defaultValue = "1000000",
            description = "With --events: events per window, at most 10,000 windows (default: ${DEFAULT-VALUE},"
                    + " or N if smaller).")
    long window;

    @Override
    public Integer call() throws Exception {
        StoreUri uri = Options.store(spec, store);
        Durability durability = Options.fsync(spec, fsync);
        Options.atLeast(spec, "--writers", writers, 1);
        Options.between(spec, "--batch", batch, 1, io.rewind.api.Limits.MAX_EVENTS_PER_APPEND);
        Options.between(spec, "--in-flight", inFlight, 1, InFlight.MAX_WINDOW);
        Options.atLeast(spec, "--size", size, 0);
        checkEventsOptions();
        ForceCounter files = new ForceCounter();
        Report report = new Report("append").text("store", uri.toString())
                .text("fsync", uri.directory().isPresent() ? fsync
                        : uri.kind() == StoreUri.Kind.SQL ? "the database's commit" : "none (memory)")
                .count("writers", writers).count("in_flight", inFlight).count("batch", batch).count("size", size);
        Progress progress = Progress.onTerminal("append", spec.commandLine().getErr());
        double eventsPerSecond;
        long closeStarted;
        long cpuStarted = Windows.processCpuNanos();
        try (EventStore eventStore = uri.open(durability, LogConfig.DEFAULT_MAX_EVENT_BYTES, files)) {
            eventsPerSecond = events == null ? measure(eventStore, files, report, progress)
                    : fill(eventStore, uri.directory().isPresent(), files, report, progress);
            closeStarted = System.nanoTime();
        }
        if (events != null) {
            // For the log, closing waits for the index flushes and merges still queued: work the
            // appends caused that the windows do not show if the index falls behind.
            report.figure("close_ms", (System.nanoTime() - closeStarted) / 1e6);
            if (cpuStarted >= 0) {
                report.figure("cpu_s", (Windows.processCpuNanos() - cpuStarted) / 1e9);
            }
        }
        if (ceilingApplies(uri, durability)) {
            double meanBatch = ((Number) report.get("mean_events_per_fsync")).doubleValue();
            Path directory = uri.directory().orElseThrow().toAbsolutePath().getParent();
            int recordBytes = LogRecordSize.of(streamName(writers - 1).getBytes(StandardCharsets.UTF_8).length,
                    EVENT_TYPE.length(), 0, size);
            Ceiling.Result ceiling = Ceiling.run(directory, Ceiling.batchFor(meanBatch), recordBytes,
                    Phases.begin(Math.min(run.warmup, 1), run.duration),
                    Progress.onTerminal("ceiling", spec.commandLine().getErr()));
            Ceiling.report(report, ceiling, eventsPerSecond);
        }
        report.print(run.json, spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }

    /** {@code --events} replaces the timeline; {@code --window} needs it. */
    private void checkEventsOptions() {
        ParseResult parsed = spec.commandLine().getParseResult();
        if (events == null) {
            if (parsed.hasMatchedOption("--window")) {
                throw new ParameterException(spec.commandLine(), "--window needs --events");
            }
            return;
        }
        for (String timed : new String[] {"--duration", "--warmup"}) {
            if (parsed.hasMatchedOption(timed)) {
                throw new ParameterException(spec.commandLine(), timed + " does not apply with --events (the run"
                        + " ends when the events are appended)");
            }
        }
        Options.atLeast(spec, "--events", events, 1);
        if (!parsed.hasMatchedOption("--window")) {
            window = Math.min(window, events);
        }
        Options.between(spec, "--window", window, Math.max(1, events / MAX_WINDOWS), events);
    }

    private boolean ceilingApplies(StoreUri uri, Durability durability) {
        return !noCeiling && uri.directory().isPresent() && durability.mode() == Durability.Mode.ALWAYS;
    }

    /** Runs the writers through the timeline, fills the report and returns events/s. */
    private double measure(EventStore eventStore, ForceCounter files, Report report, Progress progress)
            throws InterruptedException {
        Phases phases = run.begin();
        LongAdder events = new LongAdder();
        Latency latency = new Latency();
        LoadThreads threads = new LoadThreads();
        for (int w = 0; w < writers; w++) {
            AppendRequest request = request(w);
            if (inFlight == 1) {
                threads.start("bench-writer-" + w, () -> write(eventStore, request, phases, events, latency, threads));
            } else {
                threads.start("bench-writer-" + w,
                        () -> writePipelined(eventStore, request, inFlight, phases, events, latency, threads));
            }
        }
        long eventsBefore = phases.awaitMeasureStart(progress, events::sum);
        long forcesBefore = files.segmentForces();
        long eventsAfter = phases.awaitEnd(progress, events::sum);
        long forcesAfter = files.segmentForces();
        threads.join("an append");
        progress.done();
        long measured = eventsAfter - eventsBefore;
        double perSecond = measured / phases.seconds();
        report.count("events", measured).figure("events_per_s", perSecond)
                .figure("mb_per_s", perSecond * size / 1e6);
        Latency.addPercentiles(report, latency.total());
        long forces = forcesAfter - forcesBefore;
        if (forces > 0) {
            report.count("fsyncs", forces).figure("mean_events_per_fsync", measured / (double) forces);
        }
        return perSecond;
    }

    /** Appends {@code --events} events, fills the report (with the windows) and returns events/s over the run. */
    private double fill(EventStore eventStore, boolean logStore, ForceCounter files, Report report, Progress progress)
            throws InterruptedException {
        Latency latency = new Latency();
        LoadThreads threads = new LoadThreads();
        long forcesBefore = files.segmentForces();
        long started = System.nanoTime();
        Windows windows = new Windows(events, window, started, logStore ? INDEX_THREAD_PREFIX : null);
        for (int w = 0; w < writers; w++) {
            AppendRequest request = request(w);
            threads.start("bench-writer-" + w, () -> {
                while (!threads.failed() && !windows.reached()) {
                    long begun = System.nanoTime();
                    eventStore.append(request);
                    long finished = System.nanoTime();
                    windows.add(request.eventCount(), finished);
                    latency.record(finished - begun);
                }
            });
        }
        while (!windows.reached() && !threads.failed()) {
            TimeUnit.MILLISECONDS.sleep(200);
            progress.tick("filling", windows.completed());
        }
        threads.join("an append");
        long forces = files.segmentForces() - forcesBefore;
        progress.done();
        long appended = windows.completed();
        double perSecond = events / windows.secondsToTarget();
        report.count("events", appended).figure("events_per_s", perSecond).figure("mb_per_s", perSecond * size / 1e6);
        Latency.addPercentiles(report, latency.total());
        if (forces > 0) {
            report.count("fsyncs", forces).figure("mean_events_per_fsync", appended / (double) forces);
        }
        windows.report(report);
        return perSecond;
    }

    /** Writer {@code w}'s append: immutable, and its events carry no id, so every append of it stores fresh events. */
    private AppendRequest request(int w) {
        byte[] payload = new byte[size];
        new Random(42).nextBytes(payload);
        return AppendRequest.to(streamName(w), ExpectedVersion.any(),
                Collections.nCopies(batch, EventData.of(EVENT_TYPE, payload)));
    }

    private static void write(EventStore eventStore, AppendRequest request, Phases phases, LongAdder events,
            Latency latency, LoadThreads threads) {
        int count = request.eventCount();
        while (!threads.failed()) {
            long started = System.nanoTime();
            if (phases.over(started)) {
                return;
            }
            eventStore.append(request);
            long finished = System.nanoTime();
            events.add(count);
            if (phases.measuring(started)) {
                latency.record(finished - started);
            }
        }
    }

    /** One writer keeping {@code window} appends in flight through {@code appendAsync}. */
    private static void writePipelined(EventStore eventStore, AppendRequest request, int window, Phases phases,
            LongAdder events, Latency latency, LoadThreads threads) {
        int count = request.eventCount();
        Semaphore room = new Semaphore(window);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        while (!threads.failed() && failure.get() == null) {
            room.acquireUninterruptibly();
            long started = System.nanoTime();
            if (phases.over(started)) {
                room.release();
                break;
            }
            eventStore.appendAsync(request).whenComplete((result, failed) -> {
                if (failed != null) {
                    failure.compareAndSet(null, failed);
                } else {
                    events.add(count);
                    if (phases.measuring(started)) {
                        latency.record(System.nanoTime() - started);
                    }
                }
                room.release();
            });
        }
        room.acquireUninterruptibly(window); // the last appends in flight
        Throwable failed = failure.get();
        if (failed != null) {
            throw new BenchException("an append failed: " + failed.getMessage(), failed);
        }
    }

    /** The stream of writer {@code w}. */
    static String streamName(int writer) {
        return "bench-" + writer;
    }
}
