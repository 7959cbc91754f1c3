package io.rewind.cli;

import io.rewind.log.LogVerifier;
import io.rewind.log.io.FileIO;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rewind verify DIR}: checks a closed log directory completely (every record's length and
 * checksum, dense positions, atomic appends, every index file and entry, the durable-end
 * checkpoint) without changing it. Exit status: 0 sound, 3 damage found (each problem printed
 * with file and offset), 1 the check could not run (missing directory, or a server has it open).
 * A torn tail after the durable end (never acknowledged; opening cuts it) is printed as a note and
 * is not damage.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check a log directory offline (records, checksums, indexes) without changing it.",
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:the log is sound", "1:the check could not run", "3:damage was found"})
final class VerifyCommand implements Callable<Integer> {

    static final int DAMAGED = 3;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
            description = "The log directory, or log:DIR (default: ./data).")
    String directory = "./data";

    @Override
    public Integer call() {
        Path dir = Path.of(directory.startsWith("log:") ? directory.substring("log:".length()) : directory);
        if (!Files.isDirectory(dir)) {
            throw new CliException("verify: " + dir + " is not a directory");
        }
        LogVerifier.Report report = LogVerifier.verify(dir, FileIO.real());
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s: %d segment(s), %d event(s), %d index file(s): %s%n", dir, report.segments(), report.events(),
                report.indexFiles(), report.isSound() ? "sound" : report.problems().size() + " problem(s)");
        for (String problem : report.problems()) {
            out.println("  " + problem);
        }
        for (String note : report.notes()) {
            out.println("  note: " + note);
        }
        out.flush();
        return report.isSound() ? 0 : DAMAGED;
    }
}
