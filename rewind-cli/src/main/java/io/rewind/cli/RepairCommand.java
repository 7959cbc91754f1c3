package io.rewind.cli;

import io.rewind.log.LogRepair;
import io.rewind.log.io.FileIO;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rewind repair --cut-at [SEGMENT:]OFFSET DIR}: for an operator who accepts losing data
 * that opening refuses to cut (damage to acknowledged records). Cuts the log at a record boundary
 * that ends a whole append, keeping a copy of everything cut beside it, and records the cut point
 * as the new durable end. Without {@code --cut-at} it does nothing (a usage error). Exit status:
 * 0 cut, 1 refused (not a record boundary, beyond the end, no such directory, in use), 2 usage.
 */
@Command(name = "repair", mixinStandardHelpOptions = true,
        description = {"Cut a damaged log at a record boundary, removing every event from there on.",
            "For an operator who accepts the loss: opening refuses to cut acknowledged data, this does it on",
            "request. Everything cut is kept in files named <file>.cut-<millis> in the log directory;",
            "later segments and index files from the cut on are renamed so (the index is rebuilt on open).",
            "The offset is one 'rewind verify' or a refused open names."},
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:the log was cut", "1:the cut was refused and nothing changed", "2:usage error"})
final class RepairCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--cut-at", required = true, paramLabel = "[SEGMENT:]OFFSET",
            description = {"Where to cut: a byte offset in the last segment, or SEGMENT:OFFSET for a segment",
                "file named by its file name (e.g. 00000000000000000092.log:889). It must be the end of",
                "a whole append (or the first record of the segment), with only valid records before it."})
    String cutAt;

    @Parameters(index = "0", paramLabel = "DIR", description = "The log directory, or log:DIR.")
    String directory;

    @Override
    public Integer call() {
        Path dir = Path.of(directory.startsWith("log:") ? directory.substring("log:".length()) : directory);
        if (!Files.isDirectory(dir)) {
            throw new CliException("repair: " + dir + " is not a directory");
        }
        int colon = cutAt.lastIndexOf(':');
        String segment = colon < 0 ? null : cutAt.substring(0, colon);
        long offset = parseOffset(colon < 0 ? cutAt : cutAt.substring(colon + 1));
        if (segment != null && (segment.isEmpty() || segment.contains("/"))) {
            throw new CliException("repair: '" + segment + "' is not a segment file name (use its name, like"
                    + " 00000000000000000000.log, as 'rewind verify' prints it)");
        }
        LogRepair.Cut cut;
        try {
            cut = LogRepair.cutAt(dir, FileIO.real(), segment, offset);
        } catch (IllegalArgumentException e) {
            throw new CliException("repair: refused, nothing changed: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s: cut %s at offset %d: %d byte(s) removed; the next event gets position %d%n", dir,
                cut.segment().getFileName(), cut.offset(), cut.bytesCut(), cut.nextPosition());
        for (Path kept : cut.kept()) {
            out.println("  kept: " + kept);
        }
        out.flush();
        return 0;
    }

    private static long parseOffset(String text) {
        try {
            long offset = Long.parseLong(text);
            if (offset >= 0) {
                return offset;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CliException("repair: '" + text + "' is not a byte offset (a number >= 0)");
    }
}
