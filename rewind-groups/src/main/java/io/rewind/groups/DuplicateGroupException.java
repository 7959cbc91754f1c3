package io.rewind.groups;

import io.rewind.api.ErrorCode;

/** A group is created with the name of one that exists. */
public final class DuplicateGroupException extends GroupException {
    private static final long serialVersionUID = 1L;

    public DuplicateGroupException(String message) {
        super(ErrorCode.BAD_REQUEST, message);
    }
}
