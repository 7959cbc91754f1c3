package io.rewind.api;

/** The store was closed; no further operation is possible. */
public class StoreClosedException extends EventStoreException {
    private static final long serialVersionUID = 1L;

    public StoreClosedException(String message) {
        super(ErrorCode.CLOSED, message);
    }
}
