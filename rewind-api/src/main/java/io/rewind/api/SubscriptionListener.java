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

    /**
     * A filtered subscription has scanned every event up to {@code position} and delivered all it
     * matches: saving {@code position} and later subscribing {@link SubscriptionRequest#after(long)
     * after} it (with the same filter) misses nothing this subscription would deliver. Comes at
     * least as often as the request's checkpoint thresholds say while events are skipped
     * ({@link SubscriptionRequest}); never for an unfiltered subscription. The position is greater
     * than that of every event and notice before it and smaller than that of the next event, which
     * still names the previous event as its {@linkplain SubscriptionEvent#previousPosition() previous
     * position}. Called on the same thread as {@link #onEvent}, in order with the events; throwing
     * ends the subscription like {@code onEvent}.
     */
    default void onCheckpoint(long position) {
    }

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
