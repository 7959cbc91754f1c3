package io.rewind.bench;

/**
 * The requests one connection has in flight, at most a window of them, with the time each was
 * sent. Replies are matched to requests either by request id (Rewind's own commands carry one, and
 * their replies may come in any order) or, for the legacy dialects whose replies carry none,
 * oldest first. Not thread-safe: one load thread.
 *
 * <p>Invariant: a slot is either free (on the free stack) or holds one request in flight; a
 * request id is {@code sequence × 65536 + slot}, so the slot of a reply is its id's low bits. In
 * oldest-first mode the ring {@code sendOrder} lists the busy slots in the order they were sent.
 */
final class InFlight {

    static final int MAX_WINDOW = 65_536;
    private static final int SLOT_BITS = 16;

    private final boolean byId;
    private final long[] sentAt;
    private final long[] requestIds;
    private final int[] freeSlots;
    private final int[] sendOrder;
    private int free;
    private int oldest;
    private long sequence;

    private InFlight(int window, boolean byId) {
        if (window < 1 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("window must be between 1 and " + MAX_WINDOW + ", was " + window);
        }
        this.byId = byId;
        sentAt = new long[window];
        requestIds = new long[window];
        freeSlots = new int[window];
        sendOrder = new int[window];
        for (int i = 0; i < window; i++) {
            freeSlots[i] = window - 1 - i;
            requestIds[i] = -1;
        }
        free = window;
    }

    /** Requests matched to replies by their id, in any order. */
    static InFlight byRequestId(int window) {
        return new InFlight(window, true);
    }

    /** Requests matched to replies in the order they were sent. */
    static InFlight oldestFirst(int window) {
        return new InFlight(window, false);
    }

    boolean hasRoom() {
        return free > 0;
    }

    boolean isEmpty() {
        return free == sentAt.length;
    }

    /** Takes a slot for a request sent at {@code nanos}; returns the request id to send. */
    long start(long nanos) {
        if (free == 0) {
            throw new IllegalStateException("the window is full");
        }
        int slot = freeSlots[--free];
        long id = (sequence++ << SLOT_BITS) | slot;
        sentAt[slot] = nanos;
        requestIds[slot] = id;
        if (!byId) {
            int busy = sentAt.length - free - 1;
            sendOrder[(oldest + busy) % sendOrder.length] = slot;
        }
        return id;
    }

    /** Ends the request with this id; returns when it was sent, or -1 if it is not in flight. */
    long finish(long requestId) {
        if (!byId) {
            throw new IllegalStateException("requests are matched oldest first here");
        }
        int slot = (int) (requestId & (MAX_WINDOW - 1));
        if (requestId < 0 || slot >= requestIds.length || requestIds[slot] != requestId) {
            return -1;
        }
        return release(slot);
    }

    /** Ends the oldest request in flight; returns when it was sent, or -1 if none is. */
    long finishOldest() {
        if (byId) {
            throw new IllegalStateException("requests are matched by id here");
        }
        if (isEmpty()) {
            return -1;
        }
        int slot = sendOrder[oldest];
        oldest = (oldest + 1) % sendOrder.length;
        return release(slot);
    }

    private long release(int slot) {
        requestIds[slot] = -1;
        freeSlots[free++] = slot;
        return sentAt[slot];
    }
}
