package io.rewind.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: the load generator. Every subcommand prints a one-line summary, or with
 * {@code --json} one JSON object on standard output (docs/BENCHMARKS.md lists the keys), and shows
 * a progress line on standard error when run on a terminal. Register it as a subcommand of another
 * picocli command ({@code rewind bench …}) or run it through {@link BenchMain}.
 *
 * <p>Subcommands throw {@link BenchException} for a run that fails (one line of text for the
 * user) and picocli's {@link ParameterException} for a bad option.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure Rewind: embedded appends, the disk's ceiling, the server over ZeroMQ, consumer groups,"
                + " replay, reopen.",
        subcommands = {AppendCommand.class, SqliteInsertCommand.class, CeilingCommand.class, PublishCommand.class,
            HttpAppendCommand.class, SubscribeCommand.class, GroupsCommand.class, EchoCommand.class, EchoRelay.class,
            ReadCommand.class, ReopenCommand.class, CommandLine.HelpCommand.class})
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand (try 'bench --help')");
    }
}
