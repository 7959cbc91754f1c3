package io.rewind.cli;

import io.rewind.api.EventStore;
import io.rewind.client.ClientConfig;
import io.rewind.client.RewindClient;
import picocli.CommandLine.Option;

/**
 * The options every client tool shares: which server, and whether to print JSON lines. A picocli
 * mixin; not thread-safe (filled in once by the parser).
 */
final class ClientOptions {

    @Option(names = "--server", paramLabel = "ENDPOINT", defaultValue = ServeCommand.DEFAULT_COMMAND_ENDPOINT,
            description = "The server's command endpoint (default: ${DEFAULT-VALUE}).")
    String server;

    @Option(names = "--json", description = "Print one JSON object per line, for scripts.")
    boolean json;

    /**
     * Connects to the server: a remote {@link EventStore}, closed by the caller.
     *
     * @throws io.rewind.api.StoreUnavailableException if the server does not answer in time
     * @throws CliException if {@code --server} is not a ZeroMQ endpoint
     */
    EventStore connect() {
        try {
            return RewindClient.connect(ClientConfig.builder().endpoint(server).build());
        } catch (IllegalArgumentException e) {
            throw new CliException("--server: " + e.getMessage(), e);
        }
    }
}
