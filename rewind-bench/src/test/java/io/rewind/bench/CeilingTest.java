package io.rewind.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CeilingTest {

    @TempDir
    Path directory;

    @Test
    void theCeilingBatchIsTheRoundedMeanAndAtLeastOne() {
        assertThat(Ceiling.batchFor(7.49)).isEqualTo(7);
        assertThat(Ceiling.batchFor(7.5)).isEqualTo(8);
        assertThat(Ceiling.batchFor(0.3)).isEqualTo(1);
        assertThat(Ceiling.batchFor(Double.NaN)).isEqualTo(1);
    }

    @Test
    void theRatioIsAchievedOverCeilingAndAbsentWithoutACeiling() {
        Report report = new Report("append");
        Ceiling.report(report, new Ceiling.Result(5_000, 50, 2.0, 100, 171, new Latency()), 1_500);

        assertThat(report.get("ceiling_events_per_s")).isEqualTo(2_500.0);
        assertThat(report.get("ratio_to_ceiling")).isEqualTo(0.6);
        assertThat(report.get("ceiling_batch")).isEqualTo(100L);
        assertThat(Ceiling.ratio(10, 0)).isNaN();
    }

    @Test
    void aRunForcesOncePerBatchAndLeavesNoFileBehind() throws Exception {
        Progress quiet = new Progress(false, "ceiling", new PrintWriter(new StringWriter()));

        Ceiling.Result result = Ceiling.run(directory, 5, 171, Phases.begin(0, 0.3), quiet);

        assertThat(result.forces()).isPositive();
        assertThat(result.records()).isEqualTo(result.forces() * 5);
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files).isEmpty();
        }
    }
}
