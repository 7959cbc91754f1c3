package io.rewind.api;

/**
 * The request carries no credential the server accepts: none, a wrong one, or that of a principal
 * that has since been removed. Authenticate (a key pair, a token) and retry. Code
 * {@link ErrorCode#UNAUTHENTICATED}.
 */
public class UnauthenticatedException extends EventStoreException {
    private static final long serialVersionUID = 1L;

    public UnauthenticatedException(String message) {
        super(ErrorCode.UNAUTHENTICATED, message);
    }
}
