package io.rewind.api;

/**
 * The store cannot take this append now: as many events or bytes are queued for its writer as it
 * admits (or, for a remote store, as the server or the connection takes in flight). Nothing of the
 * request was stored, so it is safe to retry the same request later, ideally after some of the
 * appends already in flight have completed. Code {@link ErrorCode#OVERLOADED}.
 *
 * <p>A subclass of {@link StoreUnavailableException}, so code that treats "cannot answer now" as
 * retryable keeps doing so.
 */
public class StoreOverloadedException extends StoreUnavailableException {
    private static final long serialVersionUID = 1L;

    public StoreOverloadedException(String message) {
        super(ErrorCode.OVERLOADED, message);
    }
}
