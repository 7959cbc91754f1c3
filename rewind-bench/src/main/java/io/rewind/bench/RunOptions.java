package io.rewind.bench;

import picocli.CommandLine.Option;

/** The options every load command shares: how long it runs and how it prints. Filled by picocli. */
final class RunOptions {

    @Option(names = "--duration", paramLabel = "S", defaultValue = "10",
            description = "Seconds measured, after the warm-up (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "2",
            description = "Seconds of load before measuring starts (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--json", description = "Print one JSON object with the figures on standard output"
            + " (the summary line goes to standard error).")
    boolean json;

    Phases begin() {
        return Phases.begin(warmup, duration);
    }
}
