package io.rewind.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code append --events N --window W}: a run that fills a store and reports the rate of each window. */
class AppendWindowsTest {

    @TempDir
    Path directory;

    @Test
    void windowRatesAreTheirEventsOverTheTimeBetweenTheirEdges() {
        Windows windows = new Windows(3_000, 1_000, 0, null);
        windows.add(600, 100_000_000L);   // 0.1 s
        windows.add(600, 500_000_000L);   // crosses 1,000 at 0.5 s
        windows.add(1_000, 1_500_000_000L); // crosses 2,000 at 1.5 s
        assertThat(windows.reached()).isFalse();
        windows.add(900, 1_750_000_000L); // crosses 3,000 at 1.75 s: the target
        assertThat(windows.reached()).isTrue();
        assertThat(windows.count()).isEqualTo(3);
        assertThat(windows.eventsPerSecond(1)).isEqualTo(2_000.0);
        assertThat(windows.eventsPerSecond(2)).isEqualTo(1_000.0);
        assertThat(windows.eventsPerSecond(3)).isEqualTo(4_000.0);
        assertThat(windows.completed()).isEqualTo(3_100);
        assertThat(windows.secondsToTarget()).isEqualTo(1.75);

        Report report = new Report("append");
        windows.report(report);
        assertThat(report.get("window_events_per_s")).isEqualTo("2000 1000 4000");
        assertThat(report.get("last_to_first")).isEqualTo(2.0);
        assertThat(report.has("index_cpu_s")).as("no thread prefix given").isFalse();
        assertThatThrownBy(() -> new Windows(10, 11, 0, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 1 and 10");
    }

    @Test
    void aFillRunAppendsTheEventsAndReportsEveryWindow() {
        Path log = directory.resolve("log");
        BenchRun run = BenchRun.of("append", "--store", "log:" + log, "--fsync", "never", "--writers", "2",
                "--batch", "10", "--events", "3000", "--window", "1000", "--json").succeededWithJson();

        run.hasPositive("events_per_s", "first_window_events_per_s", "last_window_events_per_s", "last_to_first",
                "first_window_cpu_us_per_event", "last_window_cpu_us_per_event", "close_ms", "cpu_s");
        assertThat(run.number("index_cpu_s")).as("the log's index thread").isNotNegative();
        assertThat(run.out()).containsPattern("\"window_index_cpu_ms\":\"[0-9]+ [0-9]+ [0-9]+\"");
        assertThat(run.out()).containsPattern("\"window_cpu_us_per_event\":\"[0-9.]+ [0-9.]+ [0-9.]+\"");
        assertThat(run.number("windows")).isEqualTo(3);
        assertThat(run.number("window_events")).isEqualTo(1000);
        Matcher rates = Pattern.compile("\"window_events_per_s\":\"([0-9]+) ([0-9]+) ([0-9]+)\"").matcher(run.out());
        assertThat(rates.find()).as("three window rates in %s", run.out()).isTrue();
        long events = (long) run.number("events");
        // Each writer stops once the target is reached, so at most one more append each.
        assertThat(events).isBetween(3_000L, 3_000L + 2 * 10);
        try (LogEventStore store = LogEventStore.open(LogConfig.builder(log).build())) {
            assertThat(store.headPosition() + 1).isEqualTo(events);
        }
    }

    @Test
    void eventsAndWindowOptionsAreCheckedTogether() {
        assertThat(BenchRun.of("append", "--store", "memory:", "--window", "10").err())
                .contains("--window needs --events");
        assertThat(BenchRun.of("append", "--store", "memory:", "--events", "10", "--duration", "1").err())
                .contains("--duration does not apply with --events");
        assertThat(BenchRun.of("append", "--store", "memory:", "--events", "10", "--window", "11").err())
                .contains("--window must be between 1 and 10, was 11");
        assertThat(BenchRun.of("append", "--store", "memory:", "--events", "0").exitCode()).isEqualTo(2);
    }
}
