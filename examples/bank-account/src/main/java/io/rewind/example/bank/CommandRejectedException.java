package io.rewind.example.bank;

/** A command broke a business rule (an overdraft, an account that is not open); nothing was written. */
public final class CommandRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CommandRejectedException(String message) {
        super(message);
    }
}
