package io.rewind.core;

import io.rewind.api.RecordedEvent;
import java.util.List;

/** What {@link CatchUpSubscription} reads from: the store's durable global log. */
public interface EventSource {

    /**
     * Durable events with position at or after {@code fromPosition}, in global order, at most
     * {@code limit}. Must never return an event while an event with a smaller position could still
     * become visible later (a store with out-of-order commits holds such events back).
     */
    List<RecordedEvent> readForward(long fromPosition, int limit);
}
