package io.rewind.core;

import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** What {@link AppendPlanner} decided for an append: write new events, or answer a retry. */
public sealed interface AppendPlan {

    /** Every event of the append is stored already: answer with the original result. */
    record Retry(AppendResult result) implements AppendPlan {
        public Retry {
            Objects.requireNonNull(result, "result");
        }
    }

    /** Write these events, in this order; positions and timestamps are the store's to assign. */
    record Write(List<PlannedEvent> events) implements AppendPlan {
        public Write {
            events = List.copyOf(events);
        }
    }

    /** One event to write: its stream, its version there, its final id and its content. */
    record PlannedEvent(String stream, long version, UUID id, EventData data) {
        public PlannedEvent {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(data, "data");
        }
    }
}
