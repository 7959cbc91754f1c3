package io.rewind.groups;

import io.rewind.api.ErrorCode;

/** An ack or nack of a delivery that another consumer holds. */
public final class ForeignDeliveryException extends GroupException {
    private static final long serialVersionUID = 1L;

    public ForeignDeliveryException(String message) {
        super(ErrorCode.BAD_REQUEST, message);
    }
}
