package io.rewind.api;

/** The store cannot answer now: locked by another process, unreachable, overloaded, timed out. */
public class StoreUnavailableException extends EventStoreException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message) {
        super(ErrorCode.UNAVAILABLE, message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(ErrorCode.UNAVAILABLE, message, cause);
    }

    /** For a more specific kind of unavailability, with its own code. */
    protected StoreUnavailableException(ErrorCode code, String message) {
        super(code, message);
    }
}
