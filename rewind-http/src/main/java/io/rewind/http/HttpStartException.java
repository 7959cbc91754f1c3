package io.rewind.http;

/** The HTTP server could not start (most often: its endpoint is taken or not an address of this machine). */
public final class HttpStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HttpStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
