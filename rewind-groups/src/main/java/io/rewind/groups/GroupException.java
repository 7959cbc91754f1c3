package io.rewind.groups;

import io.rewind.api.ErrorCode;
import io.rewind.api.EventStoreException;

/**
 * A group request that cannot be served as asked. The group's state is unchanged when one is
 * thrown, and the group keeps serving every other consumer.
 */
public class GroupException extends EventStoreException {
    private static final long serialVersionUID = 1L;

    public GroupException(ErrorCode code, String message) {
        super(code, message);
    }
}
