package io.rewind.bench;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The timeline of one run: a warm-up (JIT, page cache, connections), then the measured period.
 * Load threads check {@link #measuring} before recording a latency and {@link #over} to stop; the
 * main thread waits through both periods and reads counters at their edges, so every rate is
 * "events completed inside the measured period / its length". Immutable and thread-safe.
 */
final class Phases {

    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long measureFrom;
    private final long end;
    private final long durationNanos;

    private Phases(long measureFrom, long durationNanos) {
        this.measureFrom = measureFrom;
        this.end = measureFrom + durationNanos;
        this.durationNanos = durationNanos;
    }

    /** A timeline starting now. */
    static Phases begin(double warmupSeconds, double durationSeconds) {
        if (durationSeconds <= 0) {
            throw new IllegalArgumentException("--duration must be positive, was " + durationSeconds);
        }
        if (warmupSeconds < 0) {
            throw new IllegalArgumentException("--warmup must not be negative, was " + warmupSeconds);
        }
        long warmupNanos = (long) (warmupSeconds * 1e9);
        return new Phases(System.nanoTime() + warmupNanos, (long) (durationSeconds * 1e9));
    }

    /** Whether an operation that started at {@code startNanos} counts towards the figures. */
    boolean measuring(long startNanos) {
        return startNanos - measureFrom >= 0 && startNanos - end < 0;
    }

    /** Whether the run is over at {@code nanos}: load threads stop starting new operations. */
    boolean over(long nanos) {
        return nanos - end >= 0;
    }

    /** The length of the measured period in seconds. */
    double seconds() {
        return durationNanos / 1e9;
    }

    /**
     * Waits until the measured period starts and returns {@code counter} then; the progress line
     * is refreshed about once a second meanwhile.
     */
    long awaitMeasureStart(Progress progress, LongSupplier counter) throws InterruptedException {
        return awaitUntil(measureFrom, progress, counter, "warm-up");
    }

    /** Waits until the measured period ends and returns {@code counter} then. */
    long awaitEnd(Progress progress, LongSupplier counter) throws InterruptedException {
        return awaitUntil(end, progress, counter, "measuring");
    }

    private static long awaitUntil(long deadline, Progress progress, LongSupplier counter, String phase)
            throws InterruptedException {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return counter.getAsLong();
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TICK_NANOS));
            progress.tick(phase, counter.getAsLong());
        }
    }
}
