package io.rewind.api;

/**
 * The store met a write or fsync failure and stopped accepting appends (fail-stop): what it
 * acknowledged before is safe, but it cannot know what reached the disk afterwards. Reopen it.
 */
public class StoreFailedException extends EventStoreException {
    private static final long serialVersionUID = 1L;

    public StoreFailedException(String message, Throwable cause) {
        super(ErrorCode.STORE_FAILED, message, cause);
    }
}
