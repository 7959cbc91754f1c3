package io.rewind.api;

/**
 * Receives a subscription's events. The store calls it from one thread per subscription, never
 * concurrently, in global order. A slow listener delays only its own subscription: writers never
 * wait for it, and it catches up from the store when it is ready.
 */
public interface SubscriptionListener {

    /**
     * One event. Throwing ends the subscription, and {@link #onClose} receives the exception.
     */
    void onEvent(SubscriptionEvent event);

    /** Called once, when the subscription first reaches the head of the store (after history). */
    default void onCaughtUp() {
    }

    /**
     * Called once when the subscription ends: {@code cause} is {@code null} when it was closed by
     * {@link Subscription#close()}, else the reason (the store closed or failed, the listener threw,
     * the connection was lost for good).
     */
    default void onClose(Throwable cause) {
    }
}
