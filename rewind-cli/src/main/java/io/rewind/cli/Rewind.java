package io.rewind.cli;

import io.rewind.api.EventStoreException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;

/**
 * The {@code rewind} command. Exit codes: 0 success, 1 a runtime error (reported as one line),
 * 2 a usage error.
 */
@Command(name = "rewind", mixinStandardHelpOptions = true, version = "rewind 0.1.0-SNAPSHOT",
        description = "Rewind: an event store for CQRS and event-sourced systems.",
        subcommands = {ServeCommand.class, VerifyCommand.class, CommandLine.HelpCommand.class})
public final class Rewind implements Runnable {

    @picocli.CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code; used by {@link #main} and by tests. */
    static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Rewind());
        commandLine.setExecutionExceptionHandler((exception, command, parseResult) -> {
            PrintWriter err = command.getErr();
            if (exception instanceof CliException || exception instanceof EventStoreException) {
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

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command (try 'rewind --help')");
    }
}
