package io.rewind.groups;

import io.rewind.api.ErrorCode;

/** An ack or nack names a delivery the group is not waiting for: never issued, already settled, or expired (timed out or its consumer left). The event of an expired delivery is delivered again, so the consumer can drop its work. */
public final class UnknownDeliveryException extends GroupException {
    private static final long serialVersionUID = 1L;

    public UnknownDeliveryException(String message) {
        super(ErrorCode.NOT_FOUND, message);
    }
}
