package io.rewind.api;

/** An event's data and metadata together are larger than the store accepts. */
public class EventTooLargeException extends InvalidRequestException {
    private static final long serialVersionUID = 1L;

    public EventTooLargeException(long size, long limit) {
        super(ErrorCode.TOO_LARGE, "event is " + size + " bytes (data + metadata), the limit is " + limit);
    }

    public EventTooLargeException(String message) {
        super(ErrorCode.TOO_LARGE, message);
    }
}
