package io.rewind.http;

/** A security setting of the HTTP server is unusable: a key, certificate or token file is missing, malformed or unsafe. */
public final class SecurityConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SecurityConfigException(String message) {
        super(message);
    }

    public SecurityConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
