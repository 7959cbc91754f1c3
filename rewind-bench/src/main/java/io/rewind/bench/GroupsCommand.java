package io.rewind.bench;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.client.GroupConsumer;
import io.rewind.client.GroupMessage;
import io.rewind.client.RemoteGroups;
import io.rewind.client.RewindClient;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench groups}: consumer group throughput beside a plain subscription, in one run. Prefills
 * E events over S streams (appends of {@value #PREFILL_BATCH} events, stream after stream, so that
 * every stream has events throughout the global order), then reads them all twice, each time until
 * the last one is in: once by one plain SUBSCRIBE from the beginning (the baseline: a consumer that
 * keeps its own checkpoint), once by a consumer group (round-robin or pinned by stream) that C
 * consumers join, each on its own client connection as separate machines would, acking every
 * delivery. Both readers are Java clients ({@link RewindClient}). The group's clock starts when
 * every consumer has joined (their listeners wait until then) and stops at the ack of the last
 * event not yet acked; the plain one runs from SUBSCRIBE to the last event.
 *
 * <p>Checked in the run, from an index each event carries: every event acked at least once (the
 * pass waits for it, failing after a silence), redeliveries counted (0 without failures), and in
 * pinned mode that no stream is ever held by two consumers at once and that no consumer receives an
 * event of a stream before the previous one was acked. A broken guarantee or a failed ack makes the
 * run fail after printing its figures.
 */
@Command(name = "groups", mixinStandardHelpOptions = true,
        description = "Consumer group throughput (C consumers acking every event) beside a plain subscription.")
final class GroupsCommand implements Callable<Integer> {

    /** Events per prefill append; appends go to the streams in turn. */
    static final int PREFILL_BATCH = 10;
    /** Prefill appends in flight at once. */
    private static final int PREFILL_WINDOW = 64;
    /** A pass fails when no event was acked (or received) for this long. */
    private static final long SILENCE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** Index (long) and stream number (int) at the start of every payload. */
    private static final int HEADER_BYTES = Long.BYTES + Integer.BYTES;

    @Spec
    CommandSpec spec;

    @Option(names = "--server", paramLabel = "ENDPOINT",
            description = "A running server with consumer groups (rewind serve), e.g. tcp://127.0.0.1:9002.")
    String endpoint;

    @Option(names = "--serve", paramLabel = "URI",
            description = "Instead of --server: start a server with a group service in this process over this store"
                    + " (log:DIR, memory:, sqlite:FILE, postgresql://…) on 127.0.0.1.")
    String serve;

    @Option(names = "--fsync", paramLabel = "MODE", defaultValue = "always",
            description = "With --serve: always, never or interval:MS (default: ${DEFAULT-VALUE}).")
    String fsync;

    @Option(names = "--events", paramLabel = "E", defaultValue = "100000",
            description = "Events prefilled, then read by each reader (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--streams", paramLabel = "S", defaultValue = "1000",
            description = "Streams the events are spread over (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100",
            description = "Payload bytes per event, at least " + HEADER_BYTES + " (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--consumers", paramLabel = "C", defaultValue = "1",
            description = "Consumers of the group, one client connection each (default: ${DEFAULT-VALUE}).")
    int consumers;

    @Option(names = "--strategy", paramLabel = "STRATEGY", defaultValue = "round-robin",
            description = "round-robin or pinned (by stream) (default: ${DEFAULT-VALUE}).")
    String strategyName;

    @Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "10",
            description = "The group's max in flight per consumer, 1-10000 (default: ${DEFAULT-VALUE},"
                    + " the server's default).")
    int maxInFlight;

    @Option(names = "--ack-threads", paramLabel = "T", defaultValue = "0",
            description = "Threads per consumer that ack, so up to T acks are in flight; 0 acks on the listener's"
                    + " own thread, one at a time, as docs/GROUPS.md's example does (default: ${DEFAULT-VALUE}).")
    int ackThreads;

    @Option(names = "--async-ack", description = "Ack with GroupMessage.ackAsync() on the listener's thread, not"
            + " waiting for the answer, so up to the group's max in flight acks are under way per consumer; not"
            + " with --ack-threads.")
    boolean asyncAck;

    @Option(names = "--warmup-events", paramLabel = "N", defaultValue = "20000",
            description = "First, unmeasured: a plain subscription and a group of the same settings read this many"
                    + " events (JIT, connections); 0 for none (default: ${DEFAULT-VALUE}).")
    int warmupEvents;

    @Option(names = "--json", description = "Print one JSON object with the figures on standard output"
            + " (the summary line goes to standard error).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Options.between(spec, "--events", events, 1, 100_000_000);
        Options.between(spec, "--streams", streams, 1, 10_000_000);
        Options.between(spec, "--size", size, HEADER_BYTES, 1_000_000);
        Options.between(spec, "--consumers", consumers, 1, 1_000);
        Options.between(spec, "--max-in-flight", maxInFlight, 1, 10_000);
        Options.between(spec, "--ack-threads", ackThreads, 0, 1_000);
        Options.between(spec, "--warmup-events", warmupEvents, 0, events);
        if (asyncAck && ackThreads > 0) {
            throw new ParameterException(spec.commandLine(), "--async-ack and --ack-threads exclude each other");
        }
        String strategy = switch (strategyName) {
            case "round-robin" -> "ROUND_ROBIN";
            case "pinned" -> "PINNED_BY_STREAM";
            default -> throw new ParameterException(spec.commandLine(),
                    "--strategy: '" + strategyName + "' is not one of round-robin, pinned");
        };
        if ((endpoint == null) == (serve == null)) {
            throw new ParameterException(spec.commandLine(), "give exactly one of --server ENDPOINT and --serve URI");
        }
        Report report;
        Outcome outcome;
        try (InProcessServer local = serve == null ? null : InProcessServer.start(spec, serve, fsync, true)) {
            String target = local == null ? endpoint : local.endpoint();
            report = new Report("groups").text("server", local == null ? target : "in-process over " + serve)
                    .count("events", events).count("streams", streams).count("size", size)
                    .count("consumers", consumers).text("strategy", strategyName).count("max_in_flight", maxInFlight)
                    .count("ack_threads", ackThreads).text("async_ack", Boolean.toString(asyncAck))
                    .count("warmup_events", warmupEvents);
            List<EventStore> clients = new ArrayList<>();
            try {
                for (int c = 0; c <= consumers; c++) {
                    clients.add(RewindClient.connect(target));
                }
                outcome = measure(clients, strategy, report);
            } finally {
                for (EventStore client : clients) {
                    client.close();
                }
            }
        }
        report.print(json, spec.commandLine().getOut(), spec.commandLine().getErr());
        if (!outcome.problems().isEmpty()) {
            throw new BenchException(String.join("; ", outcome.problems()));
        }
        return 0;
    }

    /** What went wrong in a pass (empty: nothing). */
    private record Outcome(List<String> problems) {
    }

    private Outcome measure(List<EventStore> clients, String strategy, Report report) throws InterruptedException {
        String run = Long.toString(System.currentTimeMillis(), 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
        String prefix = "bench-groups-" + run + "-";
        EventStore admin = clients.get(0);
        Progress progress = Progress.onTerminal("groups", spec.commandLine().getErr());
        RemoteGroups groups = RemoteGroups.of(admin);
        groups.list(); // a server without groups says so now, before the prefill
        long prefillStart = System.nanoTime();
        long lastPosition = prefill(admin, prefix);
        double prefillSeconds = (System.nanoTime() - prefillStart) / 1e9;
        report.figure("prefill_events_per_s", events / prefillSeconds);
        List<EventStore> consumerClients = clients.subList(1, clients.size());
        if (warmupEvents > 0) {
            plainPass(admin, prefix, warmupEvents, progress, "warm-up (plain)");
            groupPass(groups, consumerClients, strategy, "bench-groups-" + run + "-warmup", prefix, warmupEvents,
                    progress, "warm-up (group)", -1);
        }
        PlainPass plain = plainPass(admin, prefix, events, progress, "plain");
        GroupPass group = groupPass(groups, consumerClients, strategy, "bench-groups-" + run, prefix, events,
                progress, "group", lastPosition);
        progress.done();

        double plainRate = events / plain.seconds();
        double groupRate = events / group.seconds;
        report.figure("plain_events_per_s", plainRate).figure("plain_s", plain.seconds())
                .count("plain_duplicates", plain.duplicates())
                .figure("events_per_s", groupRate).figure("group_s", group.seconds)
                .figure("ratio_to_plain", groupRate / plainRate)
                .count("acked", group.acked.get()).count("deliveries", group.deliveries.sum())
                .count("redeliveries", group.redeliveries.sum()).count("ack_failures", group.ackFailures.sum());
        if (group.pinned) {
            report.count("overlaps", group.overlaps.sum()).count("order_violations", group.orderViolations.sum());
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int c = 0; c < group.perConsumer.length(); c++) {
            min = Math.min(min, group.perConsumer.get(c));
            max = Math.max(max, group.perConsumer.get(c));
        }
        report.count("consumer_min_acked", min).count("consumer_max_acked", max)
                .count("checkpoint_behind", group.checkpointBehind);
        Histogram acks = group.ackLatency.total();
        if (acks.getTotalCount() > 0) {
            report.figure("ack_p50_us", micros(acks.getValueAtPercentile(50)))
                    .figure("ack_p99_us", micros(acks.getValueAtPercentile(99)))
                    .figure("ack_p999_us", micros(acks.getValueAtPercentile(99.9)));
        }

        List<String> problems = new ArrayList<>();
        if (group.ackFailures.sum() > 0) {
            problems.add(group.ackFailures.sum() + " acks failed, the first: " + group.firstFailure.get());
        }
        if (group.overlaps.sum() > 0) {
            problems.add("pinned mode handed a stream to a second consumer while the first held it "
                    + group.overlaps.sum() + " times");
        }
        if (group.orderViolations.sum() > 0) {
            problems.add("pinned mode delivered an event before the previous one of its stream was acked "
                    + group.orderViolations.sum() + " times");
        }
        if (group.checkpointBehind > 0) {
            problems.add("the group's checkpoint is " + group.checkpointBehind
                    + " positions behind the last event after every event was acked");
        }
        if (plain.duplicates() > 0) {
            problems.add("the plain subscription delivered " + plain.duplicates() + " events twice");
        }
        return new Outcome(problems);
    }

    /**
     * Appends the events, {@value #PREFILL_BATCH} per append to streams {@code prefix0},
     * {@code prefix1}, … in turn, {@value #PREFILL_WINDOW} appends in flight; every payload starts
     * with the event's index and its stream's number. Returns the last event's position.
     */
    private long prefill(EventStore client, String prefix) throws InterruptedException {
        Semaphore slots = new Semaphore(PREFILL_WINDOW);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong last = new AtomicLong(-1);
        int appends = (events + PREFILL_BATCH - 1) / PREFILL_BATCH;
        for (int k = 0; k < appends && failure.get() == null; k++) {
            int stream = k % streams;
            int first = k * PREFILL_BATCH;
            int count = Math.min(PREFILL_BATCH, events - first);
            List<EventData> batch = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                ByteBuffer payload = ByteBuffer.allocate(size);
                payload.putLong(first + i).putInt(stream);
                batch.add(EventData.of(AppendCommand.EVENT_TYPE, payload.array()));
            }
            if (!slots.tryAcquire(SILENCE_LIMIT_NANOS, TimeUnit.NANOSECONDS)) {
                throw new BenchException("prefill: no append acknowledged for " + seconds(SILENCE_LIMIT_NANOS) + " s");
            }
            CompletableFuture<AppendResult> future = client.appendAsync(AppendRequest.to(prefix + stream,
                    ExpectedVersion.any(), batch));
            future.whenComplete((result, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                } else {
                    last.accumulateAndGet(result.lastPosition(), Math::max);
                }
                slots.release();
            });
        }
        if (!slots.tryAcquire(PREFILL_WINDOW, SILENCE_LIMIT_NANOS, TimeUnit.NANOSECONDS)) {
            throw new BenchException("prefill: the last appends were not acknowledged within "
                    + seconds(SILENCE_LIMIT_NANOS) + " s");
        }
        if (failure.get() != null) {
            throw new BenchException("prefill failed: " + failure.get().getMessage(), failure.get());
        }
        return last.get();
    }

    /** What one plain subscription read. */
    private record PlainPass(double seconds, long duplicates) {
    }

    /** One SUBSCRIBE from the beginning, filtered to the run's streams, until {@code limit} distinct events came. */
    private PlainPass plainPass(EventStore client, String prefix, int limit, Progress progress, String phase)
            throws InterruptedException {
        BitSet seen = new BitSet(events);
        AtomicInteger distinct = new AtomicInteger();
        LongAdder duplicates = new LongAdder();
        AtomicLong end = new AtomicLong();
        AtomicReference<Throwable> closedBy = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        long start = System.nanoTime();
        Subscription subscription = client.subscribe(SubscriptionRequest.fromBeginning().withStreamPrefix(prefix),
                new SubscriptionListener() {
                    @Override
                    public void onEvent(SubscriptionEvent event) {
                        int index = (int) ByteBuffer.wrap(event.event().data()).getLong(0);
                        if (seen.get(index)) { // one listener thread: the BitSet needs no lock
                            duplicates.increment();
                            return;
                        }
                        seen.set(index);
                        if (distinct.incrementAndGet() == limit) {
                            end.set(System.nanoTime());
                            done.countDown();
                        }
                    }

                    @Override
                    public void onClose(Throwable cause) {
                        if (cause != null) {
                            closedBy.compareAndSet(null, cause);
                        }
                        done.countDown();
                    }
                });
        try {
            awaitPass(done, distinct::get, limit, progress, phase, closedBy);
        } finally {
            subscription.close();
        }
        if (distinct.get() < limit) {
            throw new BenchException("the plain subscription ended after " + distinct.get() + " of " + limit
                    + " events: " + closedBy.get());
        }
        return new PlainPass((end.get() - start) / 1e9, duplicates.sum());
    }

    /** The counters of one group pass; updated by every consumer's threads. */
    private final class GroupPass {
        final boolean pinned;
        final int limit;
        final AtomicIntegerArray deliveredCount = new AtomicIntegerArray(events);
        final AtomicIntegerArray ackedCount = new AtomicIntegerArray(events);
        /** Per stream: 1 + the consumer holding a delivery of it, 0 when none (pinned mode). */
        final AtomicIntegerArray holder = new AtomicIntegerArray(streams);
        /** Per stream: the version of its last event handed to ack (pinned mode), -1 before any. */
        final AtomicLongArray lastAckedVersion = new AtomicLongArray(streams);
        final AtomicLongArray perConsumer;
        final AtomicInteger acked = new AtomicInteger();
        final LongAdder deliveries = new LongAdder();
        final LongAdder redeliveries = new LongAdder();
        final LongAdder overlaps = new LongAdder();
        final LongAdder orderViolations = new LongAdder();
        final LongAdder ackFailures = new LongAdder();
        final AtomicReference<String> firstFailure = new AtomicReference<>();
        final Latency ackLatency = new Latency();
        final CountDownLatch go = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        volatile long end;
        double seconds;
        long checkpointBehind;

        GroupPass(boolean pinned, int limit, int consumers) {
            this.pinned = pinned;
            this.limit = limit;
            this.perConsumer = new AtomicLongArray(consumers);
            for (int s = 0; s < streams; s++) {
                lastAckedVersion.set(s, -1);
            }
        }

        /** On consumer {@code c}'s listener thread: waits for the start, checks, then acks here or on {@code ackers}. */
        void onDelivery(int c, GroupMessage message, ExecutorService ackers) {
            try {
                if (!go.await(SILENCE_LIMIT_NANOS, TimeUnit.NANOSECONDS)) {
                    fail("consumer " + c + " waited " + seconds(SILENCE_LIMIT_NANOS) + " s for the others to join");
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            RecordedEvent event = message.event();
            ByteBuffer payload = ByteBuffer.wrap(event.data());
            int index = (int) payload.getLong(0);
            int stream = payload.getInt(Long.BYTES);
            deliveries.increment();
            if (deliveredCount.getAndIncrement(index) > 0) {
                redeliveries.increment();
            }
            if (pinned) {
                if (!holder.compareAndSet(stream, 0, c + 1)) {
                    overlaps.increment();
                }
                if (event.version() > lastAckedVersion.get(stream) + 1) {
                    orderViolations.increment();
                }
            }
            if (asyncAck) {
                release(c, message, stream);
                long started = System.nanoTime();
                message.ackAsync().whenComplete((ignored, failure) -> {
                    if (failure != null) {
                        fail("the ack of " + message + " by consumer " + c + " failed: " + failure.getMessage());
                    } else {
                        acked(c, index, System.nanoTime() - started);
                    }
                });
                return;
            }
            Runnable settle = () -> ack(c, message, index, stream);
            if (ackers == null) {
                settle.run();
            } else {
                ackers.execute(settle);
            }
        }

        /** Released before the ack: the server hands the stream's next event out only once it has the ack. */
        private void release(int c, GroupMessage message, int stream) {
            if (pinned) {
                lastAckedVersion.accumulateAndGet(stream, message.event().version(), Math::max);
                holder.compareAndSet(stream, c + 1, 0);
            }
        }

        private void ack(int c, GroupMessage message, int index, int stream) {
            release(c, message, stream);
            long started = System.nanoTime();
            try {
                message.ack();
            } catch (EventStoreException e) {
                fail("the ack of " + message + " by consumer " + c + " failed: " + e.getMessage());
                return;
            }
            acked(c, index, System.nanoTime() - started);
        }

        private void acked(int c, int index, long latencyNanos) {
            ackLatency.record(latencyNanos);
            if (ackedCount.getAndIncrement(index) == 0) {
                perConsumer.incrementAndGet(c);
                if (acked.incrementAndGet() == limit) {
                    end = System.nanoTime();
                    done.countDown();
                }
            }
        }

        private void fail(String what) {
            ackFailures.increment();
            firstFailure.compareAndSet(null, what);
        }
    }

    /**
     * Creates a group over the run's streams from the beginning, joins the consumers (each on its
     * own client), starts the clock once all have joined and waits until {@code limit} distinct
     * events were acked; then the consumers leave and the group is deleted. With
     * {@code lastPosition} ≥ 0, also reads how far the group's checkpoint is behind it.
     */
    private GroupPass groupPass(RemoteGroups groups, List<EventStore> consumerClients, String strategy, String name,
            String prefix, int limit, Progress progress, String phase, long lastPosition)
            throws InterruptedException {
        groups.create(RemoteGroups.Spec.named(name).streamPrefix(prefix).withStrategy(strategy)
                .withMaxInFlight(maxInFlight));
        GroupPass pass = new GroupPass(strategy.equals("PINNED_BY_STREAM"), limit, consumerClients.size());
        List<GroupConsumer> joined = new ArrayList<>();
        List<ExecutorService> ackers = new ArrayList<>();
        try {
            for (int c = 0; c < consumerClients.size(); c++) {
                int consumer = c;
                ExecutorService executor = ackThreads == 0 ? null : Executors.newFixedThreadPool(ackThreads, task -> {
                    Thread thread = new Thread(task, "bench-acker-" + consumer);
                    thread.setDaemon(true);
                    return thread;
                });
                if (executor != null) {
                    ackers.add(executor);
                }
                joined.add(RemoteGroups.of(consumerClients.get(c)).consume(name, "c" + c,
                        message -> pass.onDelivery(consumer, message, executor)));
            }
            long start = System.nanoTime();
            pass.go.countDown();
            AtomicReference<Throwable> none = new AtomicReference<>();
            awaitPass(pass.done, pass.acked::get, limit, progress, phase, none);
            if (pass.acked.get() < limit) {
                throw new BenchException("the group acked " + pass.acked.get() + " of " + limit + " events"
                        + (pass.firstFailure.get() == null ? "" : "; " + pass.firstFailure.get()));
            }
            pass.seconds = (pass.end - start) / 1e9;
            if (lastPosition >= 0) {
                pass.checkpointBehind = Math.max(0, lastPosition - groups.describe(name).checkpoint());
            }
        } finally {
            pass.go.countDown();
            for (GroupConsumer consumer : joined) {
                consumer.close();
            }
            for (ExecutorService executor : ackers) {
                executor.shutdownNow();
            }
            groups.delete(name);
        }
        return pass;
    }

    /**
     * Waits until {@code done}, refreshing the progress line; fails after {@link #SILENCE_LIMIT_NANOS}
     * without progress.
     */
    private static void awaitPass(CountDownLatch done, java.util.function.IntSupplier count, int limit,
            Progress progress, String phase, AtomicReference<Throwable> cause) throws InterruptedException {
        int lastCount = -1;
        long lastProgress = System.nanoTime();
        while (!done.await(1, TimeUnit.SECONDS)) {
            int now = count.getAsInt();
            progress.tick(phase, now);
            if (now != lastCount) {
                lastCount = now;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > SILENCE_LIMIT_NANOS) {
                throw new BenchException(phase + ": " + now + " of " + limit + " events after no progress for "
                        + seconds(SILENCE_LIMIT_NANOS) + " s" + (cause.get() == null ? "" : ": " + cause.get()));
            }
        }
    }

    private static long seconds(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nanos);
    }

    private static double micros(long nanos) {
        return Double.parseDouble(String.format(Locale.ROOT, "%.1f", nanos / 1000.0));
    }
}
