package io.rewind.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** One run of the stand-alone bench command line, with what it printed. */
record BenchRun(int exitCode, String out, String err) {

    private static final Pattern OBJECT = Pattern.compile("\\{[^{}\\n]*\\}\\R?");

    static BenchRun of(String... args) {
        CommandLine commandLine = BenchMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new BenchRun(exitCode, out.toString(), err.toString());
    }

    /** Asserts the run succeeded and printed exactly one JSON object (one line) on standard output. */
    BenchRun succeededWithJson() {
        assertThat(exitCode).as("exit code; stderr: %s", err).isZero();
        assertThat(out).matches(OBJECT);
        return this;
    }

    /** The number under {@code key} in the JSON output; fails if it is missing. */
    double number(String key) {
        Matcher matcher = Pattern.compile("\"" + Pattern.quote(key) + "\":(-?[0-9.]+)").matcher(out);
        assertThat(matcher.find()).as("key %s in %s", key, out).isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    /** Asserts every key holds a positive number. */
    BenchRun hasPositive(String... keys) {
        for (String key : keys) {
            assertThat(number(key)).as(key).isPositive();
        }
        return this;
    }

    /** Asserts none of the keys is in the JSON output. */
    BenchRun lacks(String... keys) {
        for (String key : keys) {
            assertThat(out).doesNotContain("\"" + key + "\":");
        }
        return this;
    }
}
