package io.rewind.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where this process's output goes, to decide whether a progress line helps. Stateless and thread-safe. */
final class Terminal {

    private static final Path STDIN = Path.of("/proc/self/fd/0");
    private static final Path STDOUT = Path.of("/proc/self/fd/1");
    private static final Path STDERR = Path.of("/proc/self/fd/2");

    private Terminal() {
    }

    /**
     * True when a person watches stderr while stdout goes to a file: {@code rewind read --all >
     * dump.txt}, {@code rewind publish --stream s < events.txt > ids.txt}. Not when stdout is the
     * terminal too (the output itself shows the progress), nor when it is piped into another
     * program, nor when stderr is redirected or captured (scripts). Linux tells through /proc what
     * each file descriptor is; elsewhere this answers false.
     */
    static boolean showsProgress() {
        Optional<String> out = target(STDOUT);
        Optional<String> err = target(STDERR);
        return err.isPresent() && isTerminal(err.get())
                && out.isPresent() && !isTerminal(out.get()) && !isPipeOrSocket(out.get());
    }

    /** True when stdin is a terminal (Linux; false where that cannot be told). */
    static boolean stdinIsTerminal() {
        return target(STDIN).map(Terminal::isTerminal).orElse(false);
    }

    /** True when stderr is a terminal (Linux; false where that cannot be told). */
    static boolean stderrIsTerminal() {
        return target(STDERR).map(Terminal::isTerminal).orElse(false);
    }

    private static Optional<String> target(Path descriptor) {
        try {
            return Optional.of(Files.readSymbolicLink(descriptor).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    static boolean isTerminal(String target) {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    }

    static boolean isPipeOrSocket(String target) {
        return target.startsWith("pipe:") || target.startsWith("socket:");
    }
}
