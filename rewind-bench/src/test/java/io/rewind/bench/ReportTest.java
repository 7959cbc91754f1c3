package io.rewind.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ReportTest {

    @Test
    void jsonIsOneObjectWithKeysInOrderAndTextEscaped() {
        Report report = new Report("append").text("store", "log:/tmp/a \"b\"\\c").count("writers", 4)
                .figure("events_per_s", 1234.5678).figure("p50_us", 12.0);

        assertThat(report.toJson()).isEqualTo("{\"command\":\"append\",\"store\":\"log:/tmp/a \\\"b\\\"\\\\c\","
                + "\"writers\":4,\"events_per_s\":1234.568,\"p50_us\":12}");
    }

    @Test
    void figuresThatDoNotApplyAreLeftOut() {
        Report report = new Report("ceiling").figure("ratio_to_ceiling", Double.NaN)
                .figure("mean_events_per_fsync", Double.POSITIVE_INFINITY).figure("events_per_s", 5);

        assertThat(report.has("ratio_to_ceiling")).isFalse();
        assertThat(report.has("mean_events_per_fsync")).isFalse();
        assertThat(report.toJson()).isEqualTo("{\"command\":\"ceiling\",\"events_per_s\":5}");
    }

    @Test
    void withJsonTheObjectGoesToStandardOutputAndTheSummaryToStandardError() {
        Report report = new Report("read").count("events", 10).figure("events_per_s", 2_500_000.25);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        report.print(true, new PrintWriter(out), new PrintWriter(err));

        assertThat(out.toString()).isEqualTo(report.toJson() + System.lineSeparator());
        assertThat(err.toString()).isEqualTo("read: events=10 events_per_s=2500000" + System.lineSeparator());
    }

    @Test
    void withoutJsonOnlyTheSummaryIsPrinted() {
        Report report = new Report("read").figure("mb_per_s", 3.14159);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        report.print(false, new PrintWriter(out), new PrintWriter(err));

        assertThat(out.toString()).isEqualTo("read: mb_per_s=3.14" + System.lineSeparator());
        assertThat(err.toString()).isEmpty();
    }
}
