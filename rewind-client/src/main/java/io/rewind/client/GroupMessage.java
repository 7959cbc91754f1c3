package io.rewind.client;

import io.rewind.api.RecordedEvent;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One delivery of a consumer group to a remote consumer: the event, which attempt this is, whether
 * it is a replay of a parked event, and the means to settle it. Thread-safe.
 */
public final class GroupMessage {

    private final GroupConsumer consumer;
    private final long deliveryId;
    private final int attempt;
    private final boolean replay;
    private final RecordedEvent event;

    GroupMessage(GroupConsumer consumer, long deliveryId, int attempt, boolean replay, RecordedEvent event) {
        this.consumer = consumer;
        this.deliveryId = deliveryId;
        this.attempt = attempt;
        this.replay = replay;
        this.event = event;
    }

    public RecordedEvent event() {
        return event;
    }

    public long deliveryId() {
        return deliveryId;
    }

    public int attempt() {
        return attempt;
    }

    public boolean replay() {
        return replay;
    }

    /**
     * Acknowledges the delivery; waits for the server's answer.
     *
     * @throws io.rewind.api.EventStoreException as the server refused it, e.g. NOT_FOUND when the
     *                                           delivery expired or the consumer was removed
     */
    public void ack() {
        consumer.settle("ACK", deliveryId);
    }

    /** Fails the delivery: {@code RETRY} (after the group's backoff), {@code SKIP} or {@code PARK}. */
    public void nack(NackAction action, String reason) {
        Objects.requireNonNull(action, "action");
        consumer.settle("NACK", deliveryId, action.name(), reason == null ? "" : reason);
    }

    /**
     * Acknowledges the delivery without waiting: the listener can take the next delivery while the
     * ack is on its way, so up to the group's max in flight can be settled at once. The future
     * completes when the server took the ack, or fails with what it refused (as {@link #ack()}
     * throws), or with {@code StoreUnavailableException} when no answer came within the request
     * timeout. It completes on the client's I/O thread: do not block in a dependent action attached
     * without an executor. Acks of one consumer reach the server in the order they were sent.
     */
    public CompletableFuture<Void> ackAsync() {
        return consumer.settleAsync("ACK", deliveryId);
    }

    /** {@link #nack} without waiting, as {@link #ackAsync()}. */
    public CompletableFuture<Void> nackAsync(NackAction action, String reason) {
        Objects.requireNonNull(action, "action");
        return consumer.settleAsync("NACK", deliveryId, action.name(), reason == null ? "" : reason);
    }

    /** What a nack asks for. */
    public enum NackAction { RETRY, SKIP, PARK }

    @Override
    public String toString() {
        return "delivery " + deliveryId + " (attempt " + attempt + (replay ? ", replay" : "") + ") of " + event.stream()
                + "@" + event.version();
    }
}
