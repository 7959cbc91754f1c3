package io.rewind.groups;

import io.rewind.api.ErrorCode;

/** An event reaches the dispatcher out of the global order (at or below a position it has already seen). */
public final class OutOfOrderEventException extends GroupException {
    private static final long serialVersionUID = 1L;

    public OutOfOrderEventException(String message) {
        super(ErrorCode.BAD_REQUEST, message);
    }
}
