package io.rewind.bench;

import io.rewind.api.AppendRequest;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.Limits;
import io.rewind.api.RecordedEvent;
import io.rewind.log.Durability;
import io.rewind.log.LogConfig;
import io.rewind.log.io.FileIO;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.stores.StoreUri;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.zeromq.ZContext;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench read}: replays the whole store in global order, page after page ({@code readAll}
 * embedded; pipelined {@code READ_ALL} requests over the wire), {@code --passes} times after
 * {@code --warmup-passes} unmeasured passes, and reports events/s and MB/s of payload.
 * {@code --fill N} first appends N events (so {@code memory:} or a fresh log has something to read).
 */
@Command(name = "read", mixinStandardHelpOptions = true,
        description = "Replay the whole store (embedded or over the wire): events/s.")
final class ReadCommand implements Callable<Integer> {

    /** How many fill appends may be in flight at once. */
    private static final int FILL_WINDOW = 64;

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** Where to read from: exactly one of the two. */
    static final class Source {
        @Option(names = "--store", paramLabel = "URI",
                description = "log:DIR, memory:, sqlite:FILE or postgresql://… (read embedded).")
        String store;

        @Option(names = "--server", paramLabel = "ENDPOINT", description = "A running server's command endpoint.")
        String server;
    }

    @Option(names = "--fill", paramLabel = "N", defaultValue = "0",
            description = "Append N events of --size bytes before reading (default: ${DEFAULT-VALUE}).")
    long fill;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100",
            description = "Payload bytes of the --fill events (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--page", paramLabel = "N", defaultValue = "10000",
            description = "Events per read (default: ${DEFAULT-VALUE}).")
    int page;

    @Option(names = "--window", paramLabel = "W", defaultValue = "4",
            description = "Reads in flight over the wire (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--passes", paramLabel = "P", defaultValue = "3",
            description = "Measured replays of the whole store (default: ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--warmup-passes", paramLabel = "P", defaultValue = "1",
            description = "Unmeasured replays first (default: ${DEFAULT-VALUE}).")
    int warmupPasses;

    @Option(names = "--json", description = "Print one JSON object with the figures on standard output.")
    boolean json;

    /** What one replay read. */
    private record Pass(long events, long payloadBytes) {
    }

    @Override
    public Integer call() throws Exception {
        Options.atLeast(spec, "--fill", fill, 0);
        Options.atLeast(spec, "--size", size, 0);
        Options.between(spec, "--page", page, 1, Limits.MAX_READ_LIMIT);
        Options.between(spec, "--window", window, 1, InFlight.MAX_WINDOW);
        Options.atLeast(spec, "--passes", passes, 1);
        Options.atLeast(spec, "--warmup-passes", warmupPasses, 0);
        Report report = new Report("read");
        if (source.store != null) {
            StoreUri uri = Options.store(spec, source.store);
            report.text("store", uri.toString());
            try (EventStore store = uri.open(Durability.NEVER, LogConfig.DEFAULT_MAX_EVENT_BYTES, FileIO.real())) {
                fill(store);
                measure(report, () -> replay(store));
            }
        } else {
            report.text("server", source.server);
            try (ZContext context = new ZContext(1); Dealer dealer = Dealer.connect(context, source.server)) {
                if (fill > 0) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                            "--fill works with --store only; fill a server with bench publish");
                }
                measure(report, () -> replay(dealer));
            }
        }
        report.print(json, spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }

    private interface Replay {
        Pass run();
    }

    private void measure(Report report, Replay replay) {
        for (int i = 0; i < warmupPasses; i++) {
            replay.run();
        }
        long events = 0;
        long bytes = 0;
        long started = System.nanoTime();
        for (int i = 0; i < passes; i++) {
            Pass pass = replay.run();
            events += pass.events();
            bytes += pass.payloadBytes();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        report.count("passes", passes).count("events", events / passes)
                .figure("events_per_s", events / seconds).figure("mb_per_s", bytes / seconds / 1e6);
    }

    /** Appends {@code --fill} events, pipelined, 100 per append over 1,000 streams. */
    private void fill(EventStore store) throws InterruptedException {
        byte[] payload = new byte[size];
        new Random(42).nextBytes(payload);
        Semaphore slots = new Semaphore(FILL_WINDOW);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long written = 0;
        for (int append = 0; written < fill && failure.get() == null; append++) {
            int count = (int) Math.min(100, fill - written);
            slots.acquire();
            CompletableFuture<?> future = store.appendAsync(AppendRequest.to("fill-" + append % 1000,
                    ExpectedVersion.any(), Collections.nCopies(count, EventData.of(AppendCommand.EVENT_TYPE, payload))));
            future.whenComplete((result, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                }
                slots.release();
            });
            written += count;
        }
        slots.acquire(FILL_WINDOW);
        if (failure.get() != null) {
            throw new BenchException("filling the store failed: " + failure.get().getMessage(), failure.get());
        }
    }

    private Pass replay(EventStore store) {
        long events = 0;
        long bytes = 0;
        long next = 0;
        while (true) {
            List<RecordedEvent> read = store.readAll(next, Direction.FORWARD, page);
            if (read.isEmpty()) {
                return new Pass(events, bytes);
            }
            for (RecordedEvent event : read) {
                bytes += event.dataSize();
            }
            events += read.size();
            next = read.get(read.size() - 1).position() + 1;
        }
    }

    /**
     * Replays over the wire up to the head at the start: up to {@code --window} READ_ALL requests
     * for consecutive ranges in flight (positions are dense, so ranges are known in advance); a
     * reply the server cut short to bound its size is followed by a request for the rest.
     */
    private Pass replay(Dealer dealer) {
        long head = head(dealer);
        InFlight inFlight = InFlight.byRequestId(window);
        long[] rangeEnd = new long[InFlight.MAX_WINDOW];
        ArrayDeque<long[]> ranges = new ArrayDeque<>();
        long events = 0;
        long bytes = 0;
        long next = 0;
        long lastHeard = System.nanoTime();
        while (next <= head || !ranges.isEmpty() || !inFlight.isEmpty()) {
            while (inFlight.hasRoom() && (!ranges.isEmpty() || next <= head)) {
                long[] range = ranges.isEmpty() ? new long[] {next, Math.min(head, next + page - 1)} : ranges.poll();
                next = Math.max(next, range[1] + 1);
                long id = inFlight.start(System.nanoTime());
                rangeEnd[(int) (id & (InFlight.MAX_WINDOW - 1))] = range[1];
                dealer.send(Dealer.command(new CommandRequest.ReadAll(id, range[0], Direction.FORWARD,
                        (int) (range[1] - range[0] + 1))));
            }
            List<byte[]> message = dealer.receive();
            if (message == null) {
                if (System.nanoTime() - lastHeard > Dealer.SILENCE_LIMIT_NANOS) {
                    throw new BenchException("the server sent no reply for "
                            + Dealer.SILENCE_LIMIT_NANOS / 1_000_000_000L + " s with reads in flight");
                }
                continue;
            }
            lastHeard = System.nanoTime();
            CommandReply reply = CommandReply.decode(message.subList(1, message.size()));
            if (reply instanceof CommandReply.Error error) {
                throw new BenchException("the server refused a read: " + error.code() + " " + error.reason());
            }
            if (reply instanceof CommandReply.Events page && inFlight.finish(page.requestId()) >= 0) {
                long end = rangeEnd[(int) (page.requestId() & (InFlight.MAX_WINDOW - 1))];
                for (RecordedEvent event : page.events()) {
                    bytes += event.dataSize();
                }
                events += page.events().size();
                long last = page.events().isEmpty() ? end : page.events().get(page.events().size() - 1).position();
                if (last < end) {
                    ranges.add(new long[] {last + 1, end});
                }
            }
        }
        return new Pass(events, bytes);
    }

    private static long head(Dealer dealer) {
        long id = 0x68656164L;
        dealer.send(Dealer.command(new CommandRequest.Head(id)));
        long deadline = System.nanoTime() + Dealer.SILENCE_LIMIT_NANOS;
        while (System.nanoTime() - deadline < 0) {
            List<byte[]> message = dealer.receive();
            if (message != null && CommandReply.decode(message.subList(1, message.size()))
                    instanceof CommandReply.Position position && position.requestId() == id) {
                return position.position();
            }
        }
        throw new BenchException("the server did not answer HEAD");
    }
}
