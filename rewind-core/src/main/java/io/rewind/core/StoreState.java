package io.rewind.core;

import io.rewind.api.RecordedEvent;
import java.util.Optional;
import java.util.UUID;

/**
 * The view of a store that {@link AppendPlanner} decides against. A store's writer passes a view
 * that includes the appends it has accepted but not yet made durable, so that appends decided in
 * one group commit see each other.
 */
public interface StoreState {

    /** The stream's current version, -1 when it has no events. */
    long currentVersion(String stream);

    /** The event stored (or accepted earlier in the same batch) with this id. */
    Optional<RecordedEvent> eventById(UUID id);
}
