package io.rewind.core;

import io.rewind.api.AppendRequest;
import io.rewind.api.EventData;
import io.rewind.api.StoreOverloadedException;

/**
 * The bound on what a store's writer has queued: events and bytes (data + metadata) of appends
 * accepted but not yet taken by the writer. {@link #admit} takes room for an append or throws
 * {@link StoreOverloadedException} at once, so that {@code appendAsync} never waits for a full
 * queue; the writer gives the room back with {@link #release} when it takes the append off its queue.
 *
 * <p>An append larger than the whole bound is still admitted when nothing else is queued, so that
 * no valid request is refused for ever. Thread-safe.
 */
public final class AppendAdmission {

    private final String storeName;
    private final long maxEvents;
    private final long maxBytes;
    private long queuedEvents;
    private long queuedBytes;

    /**
     * @param storeName what the overload message calls the store
     * @param maxEvents the most events queued at once (at least 1)
     * @param maxBytes  the most bytes of data and metadata queued at once (at least 1)
     */
    public AppendAdmission(String storeName, long maxEvents, long maxBytes) {
        if (maxEvents < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("admission bounds must be at least 1, were " + maxEvents
                    + " events and " + maxBytes + " bytes");
        }
        this.storeName = storeName;
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
    }

    /** The room one append takes: its events and its bytes of data and metadata. */
    public record Ticket(int events, long bytes) {
    }

    /**
     * Takes room for {@code request}.
     *
     * @throws StoreOverloadedException if the room is not there; nothing was taken then
     */
    public Ticket admit(AppendRequest request) {
        Ticket ticket = new Ticket(request.eventCount(), payloadBytes(request));
        synchronized (this) {
            boolean empty = queuedEvents == 0 && queuedBytes == 0;
            if (!empty && (queuedEvents + ticket.events() > maxEvents || queuedBytes + ticket.bytes() > maxBytes)) {
                throw new StoreOverloadedException(storeName + " is overloaded: " + queuedEvents + " events ("
                        + queuedBytes + " bytes) are queued for its writer, the bound is " + maxEvents + " events ("
                        + maxBytes + " bytes); nothing was stored, retry later");
            }
            queuedEvents += ticket.events();
            queuedBytes += ticket.bytes();
        }
        return ticket;
    }

    /** Gives back the room of an admitted append (the writer took it, or it failed before it was queued). */
    public synchronized void release(Ticket ticket) {
        queuedEvents -= ticket.events();
        queuedBytes -= ticket.bytes();
    }

    /** Events queued now. */
    public synchronized long queuedEvents() {
        return queuedEvents;
    }

    /** Bytes of data and metadata queued now. */
    public synchronized long queuedBytes() {
        return queuedBytes;
    }

    /** What is queued now, with the bounds. */
    public synchronized io.rewind.api.WriterQueue snapshot() {
        return new io.rewind.api.WriterQueue(queuedEvents, queuedBytes, maxEvents, maxBytes);
    }

    /** The bytes of data and metadata of every event of {@code request}. */
    public static long payloadBytes(AppendRequest request) {
        long bytes = 0;
        for (AppendRequest.StreamAppend append : request.appends()) {
            for (EventData event : append.events()) {
                bytes += event.dataSize() + event.metadataSize();
            }
        }
        return bytes;
    }
}
