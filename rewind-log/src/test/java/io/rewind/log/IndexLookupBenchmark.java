package io.rewind.log;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Index look-ups: the in-memory tail (id → position, (stream, version) → position) on its own,
 * and whole look-ups through the store API ({@code readEvent} by id, {@code readStream} of one
 * version) on a log whose index is mostly in persisted generation files (the store is built with
 * a small flush threshold, then reopened). Random keys that all exist.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IndexLookupBenchmark {

    private static final int STREAMS = 1_000;

    /** Events indexed. */
    @Param({"1000000"})
    public int events;

    private TailIndex tail;
    private long[] idMost;
    private long[] idLeast;
    private Path directory;
    private LogEventStore store;
    private UUID[] storedIds;
    private long versionsPerStream;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        tail = new TailIndex(0);
        idMost = new long[events];
        idLeast = new long[events];
        for (int i = 0; i < events; i++) {
            idMost[i] = random.nextLong();
            idLeast[i] = random.nextLong();
            tail.add(i * 160, idMost[i], idLeast[i], StreamHash.of("stream-" + i % STREAMS), i / STREAMS);
        }
        directory = Files.createTempDirectory("rewind-index-bench");
        storedIds = build(directory, events);
        versionsPerStream = events / STREAMS;
        store = LogEventStore.open(LogConfig.builder(directory).build());
    }

    private static UUID[] build(Path directory, int events) {
        LogConfig config = LogConfig.builder(directory).durability(Durability.NEVER)
                .indexFlushThreshold(Math.max(1, events / 10)).build();
        List<UUID> ids = new ArrayList<>(events);
        try (LogEventStore log = LogEventStore.open(config)) {
            byte[] payload = new byte[100];
            for (int written = 0; written < events; written += STREAMS) {
                AppendRequest.Builder request = AppendRequest.builder();
                for (int s = 0; s < STREAMS && written + s < events; s++) {
                    request.append("stream-" + s, ExpectedVersion.any(), EventData.of("bench", payload));
                }
                AppendResult result = log.append(request.build());
                result.events().forEach(written1 -> ids.add(written1.id()));
            }
        }
        return ids.toArray(new UUID[0]);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** A random index per call, from a per-thread generator. */
    @State(Scope.Thread)
    public static class Keys {
        private final SplittableRandom random = new SplittableRandom(7);

        int next(int bound) {
            return random.nextInt(bound);
        }
    }

    @Benchmark
    public long tailPositionOfId(Keys keys) {
        int i = keys.next(events);
        return tail.positionOfId(idMost[i], idLeast[i], Long.MAX_VALUE);
    }

    @Benchmark
    public long tailStreamVersion(Keys keys) {
        int i = keys.next(events);
        long[] found = {-1};
        tail.forEachStreamCandidate(StreamHash.of("stream-" + i % STREAMS), i / STREAMS, Long.MAX_VALUE,
                position -> found[0] = position);
        return found[0];
    }

    @Benchmark
    public Optional<RecordedEvent> storeReadEventById(Keys keys) {
        return store.readEvent(storedIds[keys.next(storedIds.length)]);
    }

    @Benchmark
    public List<RecordedEvent> storeReadStreamVersion(Keys keys) {
        return store.readStream("stream-" + keys.next(STREAMS), keys.next((int) versionsPerStream), Direction.FORWARD,
                1);
    }
}
