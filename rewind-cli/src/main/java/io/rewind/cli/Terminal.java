package io.rewind.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a person watches this process's stderr. Stateless and thread-safe. */
final class Terminal {

    private static final Path STDERR_LINK = Path.of("/proc/self/fd/2");

    private Terminal() {
    }

    /**
     * True when stderr is a terminal. On Linux, /proc names what file descriptor 2 is (a
     * {@code /dev/pts/N} or {@code /dev/ttyN} device, or a pipe or file); elsewhere this falls back
     * to {@link System#console()}, which exists when stdin and stdout are a terminal. Progress goes
     * to stderr, so this is the question that matters: {@code rewind read --all > dump.txt} and
     * {@code rewind publish --stream s < events.txt} show progress, a script that captures stderr
     * or runs without a terminal never sees it.
     */
    static boolean stderrIsTerminal() {
        if (Files.isSymbolicLink(STDERR_LINK)) {
            try {
                String target = Files.readSymbolicLink(STDERR_LINK).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return false;
            }
        }
        return System.console() != null;
    }
}
