package io.rewind.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput per window of events while a run fills a store up to a fixed number of events, so
 * that one run shows whether appends slow down as the store grows. Window {@code k} (from 1)
 * holds events {@code (k-1)·W + 1 .. k·W} in the order their appends completed; its rate is
 * {@code W} over the time between the completions that crossed its two edges (the first window
 * starts when the run does). Only whole windows are reported. Beside each rate it keeps the CPU
 * time the whole process spent in the window (all threads: writers, the store's writer and its
 * index flushes and merges), which other load on the machine disturbs far less than the rate, and
 * the CPU time of the threads whose names start with a given prefix (the log's index flusher,
 * which also merges), which isolates the index work.
 * Thread-safe: load threads call
 * {@link #add}; the main thread reads the rates after joining them.
 */
final class Windows {

    private final long target;
    private final long window;
    private final AtomicLong completed = new AtomicLong();
    private final long[] edgeNanos;
    private final long[] edgeCpuNanos;
    private final String threadPrefix;
    private final long[] edgeThreadCpuNanos;
    private volatile long reachedNanos;

    /**
     * @param target the events the run appends (it stops once this many completed)
     * @param window the events per window, at most {@code target}
     * @param threadPrefix the name prefix of the threads whose CPU time is reported on its own, or null
     */
    Windows(long target, long window, long startNanos, String threadPrefix) {
        if (window < 1 || window > target) {
            throw new IllegalArgumentException("the window must be between 1 and " + target + " events, was "
                    + window);
        }
        this.target = target;
        this.window = window;
        this.edgeNanos = new long[(int) Math.min(Integer.MAX_VALUE - 1, target / window) + 1];
        this.edgeNanos[0] = startNanos;
        this.edgeCpuNanos = new long[edgeNanos.length];
        this.edgeCpuNanos[0] = processCpuNanos();
        this.threadPrefix = threadPrefix;
        this.edgeThreadCpuNanos = new long[edgeNanos.length];
        this.edgeThreadCpuNanos[0] = threadCpuNanos(threadPrefix);
    }

    /** Whether the target is reached: load threads start no further append. */
    boolean reached() {
        return completed.get() >= target;
    }

    /** Counts {@code events} whose append completed at {@code nanos}. */
    void add(long events, long nanos) {
        long after = completed.addAndGet(events);
        long before = after - events;
        if (before < target && after >= target) {
            reachedNanos = nanos;
        }
        for (long edge = before / window + 1; edge <= after / window && edge < edgeNanos.length; edge++) {
            edgeNanos[(int) edge] = nanos;
            edgeCpuNanos[(int) edge] = processCpuNanos();
            edgeThreadCpuNanos[(int) edge] = threadCpuNanos(threadPrefix);
        }
    }

    /** The events completed so far (the last appends may take it a little past the target). */
    long completed() {
        return completed.get();
    }

    /** The seconds from the start to the completion that reached the target (after {@link #reached()}). */
    double secondsToTarget() {
        return (reachedNanos - edgeNanos[0]) / 1e9;
    }

    /** The number of whole windows. */
    int count() {
        return edgeNanos.length - 1;
    }

    /** The rate of window {@code k}, from 1 to {@link #count()}, in events/s. */
    double eventsPerSecond(int k) {
        return window / Math.max(1e-9, (edgeNanos[k] - edgeNanos[k - 1]) / 1e9);
    }

    /** The CPU time the process spent in window {@code k}, in microseconds per event; NaN if the JVM does not tell. */
    double cpuMicrosPerEvent(int k) {
        if (edgeCpuNanos[k] < 0 || edgeCpuNanos[k - 1] < 0) {
            return Double.NaN;
        }
        return (edgeCpuNanos[k] - edgeCpuNanos[k - 1]) / 1e3 / window;
    }

    /**
     * The CPU time the threads named by the prefix spent in window {@code k}, in milliseconds;
     * NaN if there are none or the JVM does not tell.
     */
    double threadCpuMillis(int k) {
        if (edgeThreadCpuNanos[k] < 0 || edgeThreadCpuNanos[k - 1] < 0) {
            return Double.NaN;
        }
        return (edgeThreadCpuNanos[k] - edgeThreadCpuNanos[k - 1]) / 1e6;
    }

    /**
     * The CPU time of the live threads whose names start with {@code prefix} (0 while there is
     * none: the log starts its index thread at the first flush), or -1 if no prefix is given or
     * the JVM does not measure thread CPU time.
     */
    static long threadCpuNanos(String prefix) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (prefix == null || !threads.isThreadCpuTimeSupported()) {
            return -1;
        }
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(prefix)) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    /** The process's CPU time so far, or -1 if the JVM does not tell. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * Adds the windows to the report: their size and count, the first and last rates and their
     * ratio, every rate in order (rounded, space-separated), the same for the CPU time per event, and
     * the named threads' CPU time per window and in all (when there are such threads).
     */
    void report(Report report) {
        int windows = count();
        StringJoiner rates = new StringJoiner(" ");
        StringJoiner cpu = new StringJoiner(" ");
        StringJoiner threadCpu = new StringJoiner(" ");
        double threadCpuTotal = 0;
        for (int k = 1; k <= windows; k++) {
            rates.add(String.format(Locale.ROOT, "%.0f", eventsPerSecond(k)));
            cpu.add(String.format(Locale.ROOT, "%.2f", cpuMicrosPerEvent(k)));
            threadCpu.add(String.format(Locale.ROOT, "%.0f", threadCpuMillis(k)));
            threadCpuTotal += threadCpuMillis(k);
        }
        double first = eventsPerSecond(1);
        double last = eventsPerSecond(windows);
        report.count("window_events", window).count("windows", windows)
                .figure("first_window_events_per_s", first).figure("last_window_events_per_s", last)
                .figure("last_to_first", last / first).text("window_events_per_s", rates.toString())
                .figure("first_window_cpu_us_per_event", cpuMicrosPerEvent(1))
                .figure("last_window_cpu_us_per_event", cpuMicrosPerEvent(windows))
                .text("window_cpu_us_per_event", cpu.toString());
        if (Double.isFinite(threadCpuTotal)) {
            report.figure("index_cpu_s", threadCpuTotal / 1e3).text("window_index_cpu_ms", threadCpu.toString());
        }
    }
}
