package io.rewind.bench;

/**
 * A benchmark could not run or finish (the store failed, the server did not answer, a request was
 * refused); the message says what happened, in words for the command line.
 */
public final class BenchException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BenchException(String message) {
        super(message);
    }

    public BenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
