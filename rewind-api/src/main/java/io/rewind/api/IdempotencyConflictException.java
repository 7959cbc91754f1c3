package io.rewind.api;

import java.util.UUID;

/**
 * An event id in an append is already stored, but the append is not a retry of the one that
 * stored it: other content, another stream or order, or only some of its events stored.
 * Nothing was written.
 */
public class IdempotencyConflictException extends EventStoreException {
    private static final long serialVersionUID = 1L;

    private final UUID eventId;

    public IdempotencyConflictException(UUID eventId, String reason) {
        super(ErrorCode.IDEMPOTENCY_CONFLICT, "event id " + eventId + " is already stored: " + reason);
        this.eventId = eventId;
    }

    public UUID eventId() {
        return eventId;
    }
}
