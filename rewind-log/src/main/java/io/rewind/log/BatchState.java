package io.rewind.log;

import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import io.rewind.core.AppendPlan;
import io.rewind.core.StoreState;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The store as {@link io.rewind.core.AppendPlanner} must see it while the writer builds a
 * batch: what is durable and visible, plus the appends accepted earlier in the same batch, so that
 * two appends decided in one group commit see each other. Writer thread only; not thread-safe.
 */
final class BatchState implements StoreState {

    private record Accepted(AppendPlan.PlannedEvent event, long position, long timestampMicros) {
    }

    private final LogReader reader;
    private final Map<String, Long> versions = new HashMap<>();
    private final Map<UUID, Accepted> ids = new HashMap<>();

    BatchState(LogReader reader) {
        this.reader = reader;
    }

    /** Forgets the batch (after it was published or failed). */
    void clear() {
        versions.clear();
        ids.clear();
    }

    /** Records an event accepted into the batch. */
    void accept(AppendPlan.PlannedEvent event, long position, long timestampMicros) {
        versions.put(event.stream(), event.version());
        if (event.data().id() != null) {
            // Only client-chosen ids can come back in a later append of the same batch.
            ids.put(event.id(), new Accepted(event, position, timestampMicros));
        }
    }

    @Override
    public long currentVersion(String stream) {
        Long accepted = versions.get(stream);
        if (accepted != null) {
            return accepted;
        }
        StreamInfo head = reader.heads().get(stream);
        return head == null ? -1 : head.headVersion();
    }

    @Override
    public Optional<RecordedEvent> eventById(UUID id) {
        Accepted accepted = ids.get(id);
        if (accepted == null) {
            return reader.readById(id);
        }
        AppendPlan.PlannedEvent event = accepted.event();
        return Optional.of(new RecordedEvent(event.stream(), event.version(), accepted.position(), event.id(),
                event.data().type(), RecordCodec.toInstant(accepted.timestampMicros()), event.data().data(),
                event.data().metadata()));
    }
}
