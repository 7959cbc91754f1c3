package io.rewind.cli;

import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A one-line progress report for long reads and imports, redrawn in place on stderr at most a few
 * times a second and erased when the work is done. It shows only while a person watches stderr and
 * stdout goes to a file ({@link Terminal#showsProgress()}), so it never mixes with the command's
 * output and never reaches a pipe or a script. Not thread-safe; the command's thread owns it.
 */
final class Progress {

    /** How often the line is redrawn at most. */
    static final long REDRAW_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final PrintWriter err;
    private final boolean enabled;
    private final LongSupplier clock;
    private long lastDrawNanos;
    private int drawnLength;

    Progress(PrintWriter err, boolean enabled, LongSupplier clock) {
        this.err = err;
        this.enabled = enabled;
        this.clock = clock;
        // The first report draws at once, so even a short job shows its progress line.
        this.lastDrawNanos = clock.getAsLong() - REDRAW_INTERVAL_NANOS;
    }

    /** A progress line on {@code err} that shows only when {@link Terminal#showsProgress()}. */
    static Progress onTerminal(PrintWriter err) {
        return new Progress(err, Terminal.showsProgress(), System::nanoTime);
    }

    /** Whether this progress line is drawn at all. */
    boolean isShown() {
        return enabled;
    }

    /**
     * Reports progress; the message is built and drawn only when the line is due for a redraw
     * (the first report, then one per {@link #REDRAW_INTERVAL_NANOS}), so calling this per event
     * is cheap.
     */
    void update(Supplier<String> message) {
        if (!enabled) {
            return;
        }
        long now = clock.getAsLong();
        if (now - lastDrawNanos < REDRAW_INTERVAL_NANOS) {
            return;
        }
        lastDrawNanos = now;
        String text = message.get();
        // Pad over the previous line's tail, which a shorter message would otherwise leave behind.
        err.print("\r" + text + " ".repeat(Math.max(0, drawnLength - text.length())));
        err.flush();
        drawnLength = text.length();
    }

    /** Erases the progress line, if one was drawn. */
    void done() {
        if (drawnLength > 0) {
            err.print("\r" + " ".repeat(drawnLength) + "\r");
            err.flush();
            drawnLength = 0;
        }
    }
}
