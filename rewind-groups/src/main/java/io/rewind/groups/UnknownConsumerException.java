package io.rewind.groups;

import io.rewind.api.ErrorCode;

/** A request names a consumer that is not in the group (never joined, or left). */
public final class UnknownConsumerException extends GroupException {
    private static final long serialVersionUID = 1L;

    public UnknownConsumerException(String message) {
        super(ErrorCode.NOT_FOUND, message);
    }
}
