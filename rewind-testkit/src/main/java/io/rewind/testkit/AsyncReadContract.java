package io.rewind.testkit;

import static io.rewind.testkit.TestEvents.event;
import static io.rewind.testkit.TestEvents.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventPage;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.ReadOptions;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StreamListOptions;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The asynchronous reads return exactly what the synchronous ones return, and the positional
 * conveniences exactly what the options form returns without a byte budget.
 */
public interface AsyncReadContract extends ContractFixture {

    /** Options that cover starts at both ends, in the middle, limits and budgets. */
    private static List<ReadOptions> variety() {
        return List.of(ReadOptions.forward(), ReadOptions.backward(),
                ReadOptions.from(2, Direction.FORWARD).withMaxEvents(2),
                ReadOptions.from(3, Direction.BACKWARD).withMaxEvents(3),
                ReadOptions.from(1, Direction.FORWARD).withMaxBytes(0),
                ReadOptions.from(EventStore.END, Direction.BACKWARD).withMaxBytes(1),
                ReadOptions.from(100, Direction.FORWARD),
                ReadOptions.from(100, Direction.BACKWARD).withMaxEvents(2));
    }

    private void appendSome() {
        store().append("async-a", ExpectedVersion.noStream(), events("a", 5));
        store().append("async-b", ExpectedVersion.noStream(), events("b", 3));
        store().append("async-a", ExpectedVersion.exactly(4), event("a-5"));
    }

    @Test
    default void asyncStreamReadsReturnWhatSyncReadsReturn() {
        appendSome();

        for (ReadOptions options : variety()) {
            for (String stream : List.of("async-a", "async-b", "async-none")) {
                EventPage sync = store().readStream(stream, options);
                EventPage async = AsyncReads.result(store().readStreamAsync(stream, options));
                assertThat(async).as("readStreamAsync(%s, %s)", stream, options).isEqualTo(sync);
            }
        }
        assertThat(store().readStream("async-a", ReadOptions.forward()).events()).hasSize(6);
    }

    @Test
    default void asyncReadsOfTheWholeStoreReturnWhatSyncReadsReturn() {
        appendSome();

        for (ReadOptions options : variety()) {
            EventPage sync = store().readAll(options);
            EventPage async = AsyncReads.result(store().readAllAsync(options));
            assertThat(async).as("readAllAsync(%s)", options).isEqualTo(sync);
        }
        assertThat(store().readAll(ReadOptions.forward()).events()).hasSize(9);
    }

    @Test
    default void asyncReadsByIdReturnWhatSyncReadsReturn() {
        appendSome();
        UUID stored = store().readAll(ReadOptions.from(4, Direction.FORWARD)).events().get(0).id();

        assertThat(AsyncReads.result(store().readEventAsync(stored))).isEqualTo(store().readEvent(stored))
                .hasValueSatisfying(event -> assertThat(event.position()).isEqualTo(4));
        UUID missing = UUID.randomUUID();
        assertThat(AsyncReads.result(store().readEventAsync(missing))).isEqualTo(store().readEvent(missing)).isEmpty();
    }

    @Test
    default void asyncListingsReturnWhatSyncListingsReturn() {
        appendSome();

        for (StreamListOptions options : List.of(StreamListOptions.all(), StreamListOptions.withPrefix("async-b"),
                StreamListOptions.all().withMaxStreams(1), StreamListOptions.all().after("async-a"),
                StreamListOptions.all().withMaxBytes(0), StreamListOptions.withPrefix("none"))) {
            assertThat(AsyncReads.result(store().listStreamsAsync(options))).as("listStreamsAsync(%s)", options)
                    .isEqualTo(store().listStreams(options));
        }
        assertThat(store().listStreams(StreamListOptions.all()).streams()).hasSize(2);
    }

    @Test
    default void asyncReadsOfAClosedStoreFailTheirFutureWithStoreClosed() {
        appendSome();
        EventStore store = store();

        store.close();

        AsyncReads.failure(() -> store.readStreamAsync("async-a", ReadOptions.forward()), StoreClosedException.class,
                ErrorCode.CLOSED);
        AsyncReads.failure(() -> store.readAllAsync(ReadOptions.forward()), StoreClosedException.class,
                ErrorCode.CLOSED);
        AsyncReads.failure(() -> store.readEventAsync(UUID.randomUUID()), StoreClosedException.class,
                ErrorCode.CLOSED);
        AsyncReads.failure(() -> store.listStreamsAsync(StreamListOptions.all()), StoreClosedException.class,
                ErrorCode.CLOSED);
        StoreAssertions.assertFails(() -> store.readStream("async-a", ReadOptions.forward()),
                StoreClosedException.class, ErrorCode.CLOSED);
        StoreAssertions.assertFails(() -> store.readAll(ReadOptions.forward()), StoreClosedException.class,
                ErrorCode.CLOSED);
        StoreAssertions.assertFails(() -> store.listStreams(StreamListOptions.all()), StoreClosedException.class,
                ErrorCode.CLOSED);
    }

    @Test
    default void positionalReadsAreTheOptionsFormWithoutAByteBudget() {
        appendSome();

        assertThat(store().readStream("async-a", 1, Direction.FORWARD, 3))
                .isEqualTo(store().readStream("async-a", ReadOptions.from(1, Direction.FORWARD).withMaxEvents(3)
                        .withMaxBytes(ReadOptions.NO_BYTE_LIMIT)).events())
                .hasSize(3);
        assertThat(store().readAll(EventStore.END, Direction.BACKWARD, 4))
                .isEqualTo(store().readAll(ReadOptions.backward().withMaxEvents(4)
                        .withMaxBytes(ReadOptions.NO_BYTE_LIMIT)).events())
                .hasSize(4);
        assertThat(store().listStreams("async", null, 1))
                .isEqualTo(store().listStreams(StreamListOptions.withPrefix("async").withMaxStreams(1)
                        .withMaxBytes(ReadOptions.NO_BYTE_LIMIT)));
    }
}
