package io.rewind.groups;

/**
 * Where a {@link GroupService} sends one consumer's deliveries: the in-process face of a consumer
 * (a server connection will implement it to put deliveries on the wire). Called on the service's
 * thread, one call at a time; must not block. It may call back into the service (ack, nack) from
 * inside {@link #deliver}.
 */
public interface DeliverySink {

    /** A delivery to settle with {@link GroupService#ack} or {@link GroupService#nack}. Throwing makes the consumer leave. */
    void deliver(Delivery delivery);

    /** The consumer is out of the group (the group was deleted, the service closed, or {@link #deliver} threw). */
    default void closed(String reason) {
    }
}
