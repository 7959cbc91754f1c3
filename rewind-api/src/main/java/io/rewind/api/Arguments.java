package io.rewind.api;

/**
 * The checks of arguments every store makes the same way, so that a null is refused with the same
 * {@link InvalidRequestException} and the same message by the embedded stores, the SQL stores and
 * the remote client (the contract tests pin the messages). Stateless and thread-safe.
 */
public final class Arguments {

    private Arguments() {
    }

    /**
     * Returns {@code value}, or throws {@code InvalidRequestException("<what> must not be null")}.
     *
     * @param what the argument in words, e.g. "append request", "subscription listener"
     */
    public static <T> T requireNonNull(T value, String what) {
        if (value == null) {
            throw new InvalidRequestException(what + " must not be null");
        }
        return value;
    }
}
