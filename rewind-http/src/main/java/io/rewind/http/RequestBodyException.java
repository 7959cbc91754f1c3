package io.rewind.http;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The request body could not be read (the client went away, or it was longer than allowed). */
final class RequestBodyException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    RequestBodyException(IOException cause) {
        super(cause.getMessage(), cause);
    }
}
