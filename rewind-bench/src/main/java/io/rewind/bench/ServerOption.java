package io.rewind.bench;

import picocli.CommandLine.Option;

/** The {@code --server} option of the commands that load a running server. Filled by picocli. */
final class ServerOption {

    @Option(names = "--server", paramLabel = "ENDPOINT", required = true,
            description = "The server's command endpoint, e.g. tcp://127.0.0.1:9002.")
    String endpoint;
}
