package io.rewind.cli;

import io.rewind.api.EventStore;
import io.rewind.client.ClientConfig;
import io.rewind.client.RewindClient;
import io.rewind.security.CurveCertificate;
import io.rewind.security.CurveKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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

    @Option(names = "--server", paramLabel = "ENDPOINT", split = ",", defaultValue = ServeCommand.DEFAULT_COMMAND_ENDPOINT,
            description = "The server's command endpoint (default: ${DEFAULT-VALUE}); a cluster's nodes as"
                    + " ENDPOINT,ENDPOINT,...: the client moves to another when one is lost, and group"
                    + " commands go to the leader.")
    List<String> servers;

    @Option(names = "--json", description = "Print one JSON object per line, for scripts.")
    boolean json;

    @Option(names = "--server-key", paramLabel = "FILE",
            description = "The server's CURVE public certificate: connect with CURVE (needs --key).")
    Path serverKey;

    @Option(names = "--key", paramLabel = "FILE",
            description = "This client's CURVE secret certificate (rewind keys generate; mode 600).")
    Path key;

    /** Prints to the command's stdout, as {@code --json} says. */
    Printer printer() {
        return new Printer(command.commandLine().getOut(), json);
    }

    /** The command's stdout. */
    PrintWriter out() {
        return command.commandLine().getOut();
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
        ClientConfig.Builder config;
        try {
            config = servers.size() == 1 ? ClientConfig.builder().endpoint(servers.get(0))
                    : ClientConfig.builder().endpoints(servers);
        } catch (IllegalArgumentException e) {
            throw new CliException("--server: " + e.getMessage(), e);
        }
        curve().ifPresent(keys -> config.curve(keys[0], keys[1]));
        try {
            return RewindClient.connect(config.build());
        } catch (IllegalArgumentException e) {
            throw new CliException("--server: " + e.getMessage(), e);
        }
    }

    /**
     * The server's public key and this client's pair, read from {@code --server-key} and {@code --key}.
     *
     * @throws CliException if only one is given, or a file is unreadable, malformed or readable by others
     */
    Optional<CurveKeys[]> curve() {
        if (serverKey == null && key == null) {
            return Optional.empty();
        }
        if (serverKey == null || key == null) {
            throw usageError("--server-key and --key go together");
        }
        try {
            CurveKeys server = CurveCertificate.read(serverKey).keys();
            CurveKeys own = CurveCertificate.readSecret(key, "--key").keys();
            return Optional.of(new CurveKeys[] {CurveKeys.ofPublic(server.publicKey()), own});
        } catch (IOException e) {
            throw new CliException(e.getMessage(), e);
        }
    }
}
