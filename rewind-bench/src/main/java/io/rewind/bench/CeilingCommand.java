package io.rewind.bench;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench ceiling}: the raw limit of the disk for the log's work (see {@link Ceiling}):
 * framed records of the log's size for a {@code --size}-byte event, one {@code force(false)} per
 * {@code --batch} records.
 */
@Command(name = "ceiling", mixinStandardHelpOptions = true,
        description = "The disk's limit: framed records through a plain FileChannel, one force(false) per batch.")
final class CeilingCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions run;

    @Option(names = "--dir", paramLabel = "DIR", required = true,
            description = "Directory for the temporary file (on the disk to measure).")
    Path dir;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1",
            description = "Records per force (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100",
            description = "Event payload bytes; each record has the log's size for such an event"
                    + " (default: ${DEFAULT-VALUE}).")
    int size;

    @Override
    public Integer call() throws Exception {
        Options.atLeast(spec, "--batch", batch, 1);
        Options.atLeast(spec, "--size", size, 0);
        int recordBytes = recordBytes(size);
        Ceiling.Result result = Ceiling.run(dir, batch, recordBytes, run.begin(),
                Progress.onTerminal("ceiling", spec.commandLine().getErr()));
        Report report = new Report("ceiling").text("dir", dir.toString()).count("batch", batch).count("size", size)
                .count("record_bytes", recordBytes).count("events", result.records())
                .figure("events_per_s", result.recordsPerSecond())
                .figure("mb_per_s", result.recordsPerSecond() * size / 1e6)
                .figure("mean_events_per_fsync", result.forces() > 0 ? result.records() / (double) result.forces()
                        : Double.NaN)
                .figure("ceiling_events_per_s", result.recordsPerSecond());
        Latency.addPercentiles(report, result.forceLatency().total());
        report.print(run.json, spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }

    /** The log's record size for a {@code size}-byte event of the append benchmark (stream "bench-0"). */
    static int recordBytes(int size) {
        return io.rewind.log.LogRecordSize.of(AppendCommand.streamName(0).length(), AppendCommand.EVENT_TYPE.length(),
                0, size);
    }
}
