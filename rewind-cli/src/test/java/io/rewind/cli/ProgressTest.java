package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private final StringWriter err = new StringWriter();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private Progress progress(boolean enabled) {
        return new Progress(new PrintWriter(err), enabled, now::get);
    }

    @Test
    void showsNothingWhenNotOnATerminal() {
        Progress progress = progress(false);
        now.addAndGet(Progress.REDRAW_INTERVAL_NANOS * 10);
        progress.update(() -> "read 10 events");
        progress.done();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void drawsAtOnceThenRedrawsInPlaceAtMostOncePerIntervalAndErasesWhenDone() {
        Progress progress = progress(true);
        progress.update(() -> "read 1,000 events");
        now.addAndGet(Progress.REDRAW_INTERVAL_NANOS / 2);
        progress.update(() -> "skipped: within the interval");
        now.addAndGet(Progress.REDRAW_INTERVAL_NANOS);
        progress.update(() -> "read 2k");
        progress.done();

        String shortOverLong = "read 2k" + " ".repeat("read 1,000 events".length() - "read 2k".length());
        assertThat(err.toString()).isEqualTo("\rread 1,000 events" + "\r" + shortOverLong
                + "\r" + " ".repeat(7) + "\r");
    }

    @Test
    void doneWithoutADrawPrintsNothing() {
        Progress progress = progress(true);
        progress.done();
        assertThat(err.toString()).isEmpty();
    }
}
