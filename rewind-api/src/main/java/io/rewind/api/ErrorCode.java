package io.rewind.api;

/**
 * The machine-readable kind of an {@link EventStoreException}; the wire protocol carries it so a
 * remote client raises the same exception type the embedded store would.
 */
public enum ErrorCode {
    /** An expected version did not hold. {@link WrongExpectedVersionException}. */
    WRONG_EXPECTED_VERSION,
    /** An event id is stored already with other content, or a retry only partly matches. */
    IDEMPOTENCY_CONFLICT,
    /** The request is malformed: a bad name, an empty append, a bad argument. */
    BAD_REQUEST,
    /** An event is larger than the store accepts. */
    TOO_LARGE,
    /** Something looked up does not exist. */
    NOT_FOUND,
    /** The store is closed. */
    CLOSED,
    /** The store stopped after a failed write or fsync and refuses further appends. */
    STORE_FAILED,
    /** The stored data is corrupt. */
    CORRUPTION,
    /** The store or server cannot answer now (busy, unreachable, timed out). */
    UNAVAILABLE,
    /** Anything else: a bug or an unexpected failure. */
    INTERNAL,
    /**
     * The store (or the server in front of it) has as much queued as it takes: nothing was stored,
     * and the same request may be retried later. {@link StoreOverloadedException}.
     */
    OVERLOADED,
    /**
     * The caller is known but its grants do not allow this request on this stream (or on the whole
     * store): nothing was stored and nothing of the stream is revealed. {@link AccessDeniedException}.
     */
    ACCESS_DENIED,
    /**
     * The request carries no credential the server accepts (none, a wrong one, or one of a principal
     * that was removed). {@link UnauthenticatedException}.
     */
    UNAUTHENTICATED
}
