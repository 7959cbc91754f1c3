package io.rewind.groups;

import io.rewind.api.ErrorCode;

/** A replay names a position that is not in the group's parked list. */
public final class UnknownParkedEventException extends GroupException {
    private static final long serialVersionUID = 1L;

    public UnknownParkedEventException(String message) {
        super(ErrorCode.NOT_FOUND, message);
    }
}
