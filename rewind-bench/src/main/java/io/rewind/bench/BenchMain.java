package io.rewind.bench;

import io.rewind.api.EventStoreException;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Runs {@link BenchCommand} on its own, before (or without) the {@code rewind} command line:
 * {@code java -jar rewind-bench/target/rewind-bench.jar append --store log:/tmp/b …}. Adds one
 * subcommand the {@code rewind} command line has its own form of: {@code server}, a minimal
 * server to benchmark against ({@link ServerCommand}). Exit codes: 0 success, 1 the run failed,
 * 2 a usage error.
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code. */
    static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The bench command line with the stand-alone {@code server} subcommand and one-line error reports. */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new BenchCommand());
        commandLine.addSubcommand("server", new ServerCommand());
        commandLine.setExecutionExceptionHandler((exception, command, parseResult) -> {
            PrintWriter err = command.getErr();
            if (exception instanceof BenchException || exception instanceof EventStoreException) {
                err.println("bench: " + exception.getMessage());
            } else {
                err.println("bench: unexpected error: " + exception);
                LoggerFactory.getLogger(BenchMain.class).error("unexpected error", exception);
            }
            err.flush();
            return 1;
        });
        commandLine.setParameterExceptionHandler((exception, args) -> {
            PrintWriter err = exception.getCommandLine().getErr();
            err.println("bench: " + exception.getMessage());
            err.println("Try '" + exception.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            err.flush();
            return 2;
        });
        return commandLine;
    }
}
