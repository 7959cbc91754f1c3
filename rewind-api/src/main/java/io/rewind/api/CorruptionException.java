package io.rewind.api;

/** Stored data failed a check (length, checksum, format); the store refuses to use it. */
public class CorruptionException extends EventStoreException {
    private static final long serialVersionUID = 1L;

    public CorruptionException(String message) {
        super(ErrorCode.CORRUPTION, message);
    }

    public CorruptionException(String message, Throwable cause) {
        super(ErrorCode.CORRUPTION, message, cause);
    }
}
