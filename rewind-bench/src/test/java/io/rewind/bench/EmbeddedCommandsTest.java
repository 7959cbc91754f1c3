package io.rewind.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded commands end to end, on short runs: they finish, and their JSON carries the keys. */
class EmbeddedCommandsTest {

    @TempDir
    Path directory;

    @Test
    void appendWithFsyncReportsThroughputLatencyFsyncsAndTheCeilingRatio() {
        BenchRun run = BenchRun.of("append", "--store", "log:" + directory.resolve("log"), "--writers", "2",
                "--batch", "3", "--duration", "2", "--warmup", "0", "--json").succeededWithJson();

        run.hasPositive("events_per_s", "mb_per_s", "p50_us", "p99_us", "p999_us", "mean_events_per_fsync",
                "ceiling_events_per_s", "ratio_to_ceiling");
        assertThat(run.number("events") % 3).as("whole appends of 3 events").isZero();
        assertThat(run.number("ceiling_batch")).isEqualTo(Ceiling.batchFor(run.number("mean_events_per_fsync")));
        assertThat(run.err()).startsWith("append: store=log:");
    }

    @Test
    void appendWithoutFsyncHasNoFsyncFiguresAndNoCeiling() {
        BenchRun run = BenchRun.of("append", "--store", "log:" + directory.resolve("log"), "--fsync", "never",
                "--duration", "2", "--warmup", "0", "--json").succeededWithJson();

        run.hasPositive("events_per_s", "p50_us").lacks("mean_events_per_fsync", "ceiling_events_per_s",
                "ratio_to_ceiling");
    }

    @Test
    void appendToSqliteReportsThroughputWithoutFsyncFigures() {
        BenchRun run = BenchRun.of("append", "--store", "sqlite:" + directory.resolve("events.db"), "--writers", "2",
                "--duration", "2", "--warmup", "0", "--json").succeededWithJson();

        run.hasPositive("events_per_s", "p50_us").lacks("mean_events_per_fsync", "ratio_to_ceiling");
        assertThat(run.out()).contains("\"fsync\":\"the database's commit\"");
    }

    @Test
    void sqliteInsertReportsTheRateOfPlainSingleRowTransactions() {
        BenchRun run = BenchRun.of("sqlite-insert", "--file", directory.resolve("plain.db").toString(), "--writers", "2",
                "--duration", "2", "--warmup", "0", "--json").succeededWithJson();

        run.hasPositive("events_per_s", "p50_us");
    }

    @Test
    void ceilingReportsItsRateAsTheCeiling() {
        BenchRun run = BenchRun.of("ceiling", "--dir", directory.toString(), "--batch", "4", "--duration", "2",
                "--warmup", "0", "--json").succeededWithJson();

        run.hasPositive("events_per_s", "mb_per_s", "ceiling_events_per_s", "p50_us");
        assertThat(run.number("mean_events_per_fsync")).isEqualTo(4);
        assertThat(run.number("ceiling_events_per_s")).isEqualTo(run.number("events_per_s"));
        assertThat(run.number("record_bytes")).isEqualTo(CeilingCommand.recordBytes(100));
    }

    @Test
    void readReplaysEveryEventOfTheStore() {
        BenchRun run = BenchRun.of("read", "--store", "log:" + directory.resolve("log"), "--fill", "2500",
                "--page", "1000", "--passes", "2", "--json").succeededWithJson();

        assertThat(run.number("events")).isEqualTo(2500);
        run.hasPositive("events_per_s", "mb_per_s");
    }

    @Test
    void reopenBuildsOnceThenTimesReopensAndReportsHeap() {
        String store = "log:" + directory.resolve("log");
        BenchRun first = BenchRun.of("reopen", "--store", store, "--events", "3000", "--streams", "50",
                "--repeat", "2", "--json").succeededWithJson();
        BenchRun second = BenchRun.of("reopen", "--store", store, "--events", "3000", "--streams", "50",
                "--repeat", "1", "--json").succeededWithJson();

        first.hasPositive("build_ms", "heap_used_mb");
        assertThat(first.number("reopen_ms")).isNotNegative();
        assertThat(first.number("heap_mb")).isNotNegative();
        second.lacks("build_ms");
        try (LogEventStore built = LogEventStore.open(LogConfig.builder(directory.resolve("log")).build())) {
            assertThat(built.listStreams("", null, 100).streams()).as("every stream got events").hasSize(50);
        }
        assertThat(BenchRun.of("reopen", "--store", store, "--events", "10").exitCode())
                .as("a store of another size is refused").isEqualTo(1);
    }

    @Test
    void badOptionsAreUsageErrorsNamingTheOption() {
        BenchRun run = BenchRun.of("append", "--store", "mysql://user:secret@db/events");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--store: 'mysql://user:***@db/events'").doesNotContain("secret");

        assertThat(BenchRun.of("append", "--store", "memory:", "--writers", "0").err())
                .contains("--writers must be at least 1");
        assertThat(BenchRun.of("publish", "--server", "tcp://127.0.0.1:1", "--dialect", "gorewind", "--batch", "2")
                .err()).contains("--batch above 1 needs --dialect native");
        assertThat(BenchRun.of("read").exitCode()).isEqualTo(2);
    }
}
