package io.rewind.groups;

import io.rewind.api.ErrorCode;

/** A consumer joins a group it is already in. */
public final class DuplicateConsumerException extends GroupException {
    private static final long serialVersionUID = 1L;

    public DuplicateConsumerException(String message) {
        super(ErrorCode.BAD_REQUEST, message);
    }
}
