package io.rewind.log;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The id the log's writer gives an event that arrives without one: {@link EventIdGenerator} (AES in
 * counter mode, what the writer uses) beside {@link UUID#randomUUID()} (what it used before).
 * Lives in {@code io.rewind.log} because the generator is package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EventIdBenchmark {

    private final EventIdGenerator generator = new EventIdGenerator();

    @Benchmark
    public UUID aesCounterMode() {
        return generator.get();
    }

    @Benchmark
    public UUID randomUuid() {
        return UUID.randomUUID();
    }
}
