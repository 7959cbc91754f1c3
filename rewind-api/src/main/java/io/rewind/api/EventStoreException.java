package io.rewind.api;

/**
 * The base of every error an {@link EventStore} raises; {@link #code()} tells which kind it is.
 */
public class EventStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public EventStoreException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public EventStoreException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
