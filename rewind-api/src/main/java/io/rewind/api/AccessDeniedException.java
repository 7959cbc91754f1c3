package io.rewind.api;

/**
 * The caller's grants do not allow the request: a principal without write on a stream appended to,
 * without read on a stream read or subscribed to, without read of {@code $all} reading the whole
 * store. Nothing was stored. The message names the principal, the operation and the stream the
 * caller itself named, never anything the caller may not see. Code {@link ErrorCode#ACCESS_DENIED}.
 */
public class AccessDeniedException extends EventStoreException {
    private static final long serialVersionUID = 1L;

    public AccessDeniedException(String message) {
        super(ErrorCode.ACCESS_DENIED, message);
    }
}
