package io.rewind.cli;

/**
 * An error the CLI reports as one line on stderr, with a non-zero exit code, and no stack trace:
 * bad settings, an endpoint already in use, a data directory that cannot be opened.
 */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
