package io.rewind.cli;

import io.rewind.api.EventStore;
import io.rewind.client.ClientConfig;
import io.rewind.client.RewindClient;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every client tool shares: which server, whether to print JSON lines, and the tool's output
 * streams. A picocli mixin; not thread-safe (filled in once by the parser).
 */
final class ClientOptions {

    /** For the tools' {@code --prefix}. */
    static final String PREFIX_DESCRIPTION = "Only streams whose names start with P (default: every stream).";

    /** The command this is mixed into. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--server", paramLabel = "ENDPOINT", defaultValue = ServeCommand.DEFAULT_COMMAND_ENDPOINT,
            description = "The server's command endpoint (default: ${DEFAULT-VALUE}).")
    String server;

    @Option(names = "--json", description = "Print one JSON object per line, for scripts.")
    boolean json;

    /** Prints to the command's stdout, as {@code --json} says. */
    Printer printer() {
        return new Printer(command.commandLine().getOut(), json);
    }

    /** The command's stderr. */
    PrintWriter err() {
        return command.commandLine().getErr();
    }

    /** A usage error (exit status 2) of this command. */
    ParameterException usageError(String message) {
        return new ParameterException(command.commandLine(), message);
    }

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
