package io.rewind.api;

/**
 * Told when a store's durable head moves ({@link EventStore#watchHead}): a way for a caller with its
 * own event loop to learn of new events without a thread or a subscription of its own in between.
 *
 * <p>Both methods are called on a thread of the store (its writer, or the thread that learns of
 * another writer's commits); they must return at once and never block, e.g. only record the head
 * and wake the caller's own thread, which then reads the new events.
 */
@FunctionalInterface
public interface HeadListener {

    /**
     * The durable head is now at least {@code head}: every event up to it can be read. A call may
     * repeat a head already told, or come when the head did not move; no move of the head after
     * {@link EventStore#watchHead} returned is left untold.
     */
    void headMoved(long head);

    /**
     * The store closed ({@link StoreClosedException}) or stopped telling heads for another reason
     * ({@code cause}); no call follows. By default nothing is done.
     */
    default void stopped(EventStoreException cause) {
    }

    /**
     * Watches {@code store}'s head through a subscription from its end, whose events only tell their
     * positions: for a store that learns of new events by subscribing (a remote client) rather than
     * from a writer of its own. The listener is called on the subscription's thread and hears
     * {@link #stopped} when the subscription ends for good.
     */
    static Registration bySubscription(EventStore store, HeadListener listener) {
        Arguments.requireNonNull(listener, "head listener");
        Subscription subscription = store.subscribe(SubscriptionRequest.fromEnd(), new SubscriptionListener() {
            @Override
            public void onEvent(SubscriptionEvent event) {
                listener.headMoved(event.event().position());
            }

            @Override
            public void onClose(Throwable cause) {
                if (cause != null) {
                    listener.stopped(cause instanceof EventStoreException e ? e
                            : new EventStoreException(ErrorCode.INTERNAL, "the head watch failed: " + cause));
                }
            }
        });
        return subscription::close;
    }

    /** What {@link EventStore#watchHead} returns: closing it stops the calls. */
    interface Registration extends AutoCloseable {

        /**
         * Stops calling the listener; a call already under way may still finish. Idempotent.
         */
        @Override
        void close();
    }
}
