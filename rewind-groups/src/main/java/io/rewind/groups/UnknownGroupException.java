package io.rewind.groups;

import io.rewind.api.ErrorCode;

/** A request names a group that does not exist. */
public final class UnknownGroupException extends GroupException {
    private static final long serialVersionUID = 1L;

    public UnknownGroupException(String message) {
        super(ErrorCode.NOT_FOUND, message);
    }
}
