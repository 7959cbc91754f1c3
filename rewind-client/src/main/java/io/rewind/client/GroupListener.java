package io.rewind.client;

/**
 * Receives the deliveries of a remote consumer ({@link RemoteGroups#consume}), one at a time, on
 * the consumer's own thread. Settle each with {@link GroupMessage#ack()} or
 * {@link GroupMessage#nack}; one left unsettled is redelivered after the group's ack timeout. A
 * listener that throws gets the delivery nacked with RETRY and the exception's message.
 */
@FunctionalInterface
public interface GroupListener {

    void onDelivery(GroupMessage message);

    /** The consumer stopped for good ({@link GroupConsumer#close()} or the client closed). */
    default void onStopped(String reason) {
    }
}
