package io.rewind.protocol;

import io.rewind.api.InvalidRequestException;

/**
 * A message whose frames do not follow the protocol: wrong frame count, a number that does not
 * parse, a truncated binary field, text that is not UTF-8. Its code is
 * {@link io.rewind.api.ErrorCode#BAD_REQUEST}, so it maps onto the same error a store raises for a
 * bad argument.
 */
public class MalformedMessageException extends InvalidRequestException {
    private static final long serialVersionUID = 1L;

    public MalformedMessageException(String message) {
        super(message);
    }
}
