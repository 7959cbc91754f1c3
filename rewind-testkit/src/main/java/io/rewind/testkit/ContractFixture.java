package io.rewind.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.Limits;
import io.rewind.api.RecordedEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * What every contract needs: the store under test, fresh and empty for each test. The contracts are
 * interfaces of {@code @Test} default methods, so that {@link EventStoreContract} can bundle them
 * all while each stays a file of its own; a test class may also implement a single one.
 *
 * <p>The contracts use only the public {@link EventStore} API, assume nothing about where the store
 * runs (in-process or behind a network hop), and wait on conditions with deadlines, never for a
 * fixed time.
 */
public interface ContractFixture {

    /** The default largest event (data + metadata) every store accepts: 16 MiB. */
    int DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024;

    /** The store under test: fresh and empty at the start of each test, closed after it. */
    EventStore store();

    /** The whole store in global order, read forward in pages of the largest size. */
    default List<RecordedEvent> readWholeStore() {
        List<RecordedEvent> all = new ArrayList<>();
        while (true) {
            long from = all.isEmpty() ? 0 : all.get(all.size() - 1).position() + 1;
            List<RecordedEvent> page = store().readAll(from, Direction.FORWARD, Limits.MAX_READ_LIMIT);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
        }
    }

    /**
     * Asserts that a refused append left no trace: the head is still {@code head}, the whole store
     * holds {@code head + 1} events, and none of {@code refused} can be found by id.
     */
    default void assertRefusedAppendLeftNoTrace(long head, EventData... refused) {
        assertThat(store().headPosition()).as("head position after a refused append").isEqualTo(head);
        assertThat(readWholeStore()).as("events in the store after a refused append").hasSize((int) head + 1);
        for (EventData event : refused) {
            assertThat(store().readEvent(event.id())).as("event " + event.id() + " of a refused append").isEmpty();
        }
    }
}
