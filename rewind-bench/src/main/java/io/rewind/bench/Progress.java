package io.rewind.bench;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The progress line: on a terminal only ({@code System.console() != null}), on standard error,
 * rewritten in place about once a second with the phase and the rate since the last tick; the
 * figures on standard output stay clean for scripts. Not thread-safe: the command's main thread
 * ticks it.
 */
final class Progress {

    private final boolean enabled;
    private final String label;
    private final PrintWriter err;
    private final long startNanos = System.nanoTime();
    private long lastCount;
    private long lastNanos = startNanos;
    private boolean printed;

    Progress(boolean enabled, String label, PrintWriter err) {
        this.enabled = enabled;
        this.label = label;
        this.err = err;
    }

    /** A progress line that shows only when the process runs on a terminal. */
    static Progress onTerminal(String label, PrintWriter err) {
        return new Progress(System.console() != null, label, err);
    }

    /** Shows {@code count} (events so far) and the rate since the previous tick. */
    void tick(String phase, long count) {
        long now = System.nanoTime();
        double rate = (count - lastCount) / Math.max(1e-9, (now - lastNanos) / 1e9);
        lastCount = count;
        lastNanos = now;
        if (!enabled) {
            return;
        }
        err.print(String.format(Locale.ROOT, "\r%s: %-9s %5.0f s  %,12d events  %,10.0f events/s   ", label, phase,
                (now - startNanos) / 1e9, count, rate));
        err.flush();
        printed = true;
    }

    /** Ends the progress line so that what follows starts on a line of its own. */
    void done() {
        if (printed) {
            err.println();
            err.flush();
            printed = false;
        }
    }
}
