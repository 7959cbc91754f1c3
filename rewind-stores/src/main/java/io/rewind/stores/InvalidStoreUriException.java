package io.rewind.stores;

/** A store URI, or a setting given with it, that Rewind cannot use; the message names what is wrong. */
public final class InvalidStoreUriException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidStoreUriException(String message) {
        super(message);
    }

    public InvalidStoreUriException(String message, Throwable cause) {
        super(message, cause);
    }
}
