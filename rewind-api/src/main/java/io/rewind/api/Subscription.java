package io.rewind.api;

/** A running subscription. Thread-safe. */
public interface Subscription extends AutoCloseable {

    /**
     * Stops the subscription. After it returns the listener receives no further event (unless it
     * is called from inside the listener, where the current call simply completes). Idempotent.
     */
    @Override
    void close();

    /** Whether the subscription has ended, by {@link #close()} or by a failure. */
    boolean isClosed();

    /**
     * The position of the last event delivered or checkpoint notice given, or the start point
     * before any: resuming after it misses nothing this subscription delivers.
     */
    long lastPosition();
}
