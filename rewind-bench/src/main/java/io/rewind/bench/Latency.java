package io.rewind.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies recorded from many threads into an HdrHistogram {@link Recorder} (wait-free for the
 * recording threads), read as percentiles in microseconds. Thread-safe: {@link #record} from any
 * thread; {@link #interval} and {@link #total} from one reading thread.
 */
public final class Latency {

    /** Three significant digits, values up to an hour in nanoseconds. */
    private static final int SIGNIFICANT_DIGITS = 3;

    private final Recorder recorder = new Recorder(SIGNIFICANT_DIGITS);
    private final Histogram total = new Histogram(SIGNIFICANT_DIGITS);

    /** Records one latency in nanoseconds (a negative value, from a clock glitch, counts as 0). */
    public void record(long nanos) {
        recorder.recordValue(Math.max(0, nanos));
    }

    /** The values recorded since the last call, also added to the total. Reading thread only. */
    public Histogram interval() {
        Histogram interval = recorder.getIntervalHistogram();
        total.add(interval);
        return interval;
    }

    /** Every value recorded so far. Reading thread only. */
    public Histogram total() {
        interval();
        return total;
    }

    /** Adds p50, p99 and p99.9 of {@code histogram}, in microseconds, to the report (when it has values). */
    public static void addPercentiles(Report report, Histogram histogram) {
        if (histogram.getTotalCount() == 0) {
            return;
        }
        report.figure("p50_us", micros(histogram.getValueAtPercentile(50)));
        report.figure("p99_us", micros(histogram.getValueAtPercentile(99)));
        report.figure("p999_us", micros(histogram.getValueAtPercentile(99.9)));
        report.figure("max_us", micros(histogram.getMaxValue()));
    }

    private static double micros(long nanos) {
        return Math.round(nanos / 100.0) / 10.0;
    }
}
