package io.rewind.cli;

import io.rewind.api.EventStoreException;
import java.io.BufferedWriter;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;

/**
 * The {@code rewind} command. Exit codes: 0 success, 1 a runtime error (reported as one line),
 * 2 a usage error.
 */
@Command(name = "rewind", mixinStandardHelpOptions = true, version = "rewind 0.1.0-SNAPSHOT",
        description = "Rewind: an event store for CQRS and event-sourced systems.",
        subcommands = {
            ServeCommand.class,
            VerifyCommand.class,
            RepairCommand.class,
            PublishCommand.class,
            ReadCommand.class,
            TailCommand.class,
            StreamsCommand.class,
            GroupsCommand.class,
            ConsumeCommand.class,
            InfoCommand.class,
            TokensCommand.class,
            ClusterCommand.class,
            KeysCommand.class,
            io.rewind.bench.BenchCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Rewind implements Runnable {

    @picocli.CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code; used by {@link #main} and by tests. */
    static int execute(String... args) {
        CommandLine commandLine = commandLine(System.in);
        // UTF-8 whatever the platform's default: JSON lines must be UTF-8, and event text is.
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)));
        commandLine.setOut(out);
        commandLine.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        try {
            return commandLine.execute(args);
        } finally {
            out.flush();
        }
    }

    /** The command line with its error handlers, {@code publish} reading {@link System#in}. */
    static CommandLine commandLine() {
        return commandLine(System.in);
    }

    /**
     * The command line with its error handlers.
     *
     * @param stdin what {@code publish} reads events from when given no DATA arguments
     */
    static CommandLine commandLine(InputStream stdin) {
        CommandLine commandLine = new CommandLine(new Rewind(), new Factory(stdin));
        commandLine.setExecutionExceptionHandler((exception, command, parseResult) -> {
            PrintWriter err = command.getErr();
            if (exception instanceof CliException || exception instanceof EventStoreException
                    || exception instanceof io.rewind.bench.BenchException) {
                err.println("rewind: " + exception.getMessage());
            } else {
                err.println("rewind: unexpected error: " + exception);
                org.slf4j.LoggerFactory.getLogger(Rewind.class).error("unexpected error", exception);
            }
            err.flush();
            return 1;
        });
        commandLine.setParameterExceptionHandler((ParameterException exception, String[] args) -> {
            PrintWriter err = exception.getCommandLine().getErr();
            err.println("rewind: " + exception.getMessage());
            err.println("Try '" + exception.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            err.flush();
            return 2;
        });
        return commandLine;
    }

    /** Creates the commands; gives {@code publish} its stdin. */
    private static final class Factory implements CommandLine.IFactory {
        private final InputStream stdin;

        Factory(InputStream stdin) {
            this.stdin = stdin;
        }

        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type == PublishCommand.class) {
                return type.cast(new PublishCommand(stdin));
            }
            return CommandLine.defaultFactory().create(type);
        }
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command (try 'rewind --help')");
    }
}
