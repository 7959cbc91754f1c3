package io.rewind.api;

/** A request the store cannot accept as written (bad name, bad argument, empty append). */
public class InvalidRequestException extends EventStoreException {
    private static final long serialVersionUID = 1L;

    public InvalidRequestException(String message) {
        super(ErrorCode.BAD_REQUEST, message);
    }

    protected InvalidRequestException(ErrorCode code, String message) {
        super(code, message);
    }
}
