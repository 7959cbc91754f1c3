package io.rewind.client;

import static io.rewind.testkit.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.rewind.api.AccessDeniedException;
import io.rewind.api.CorruptionException;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.IdempotencyConflictException;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StoreFailedException;
import io.rewind.api.StoreOverloadedException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.UnauthenticatedException;
import io.rewind.api.WrongExpectedVersionException;
import io.rewind.testkit.TestEvents;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every error code comes back as the exception class the embedded store throws, with its message
 * and fields. (The contract suite covers the request errors; this adds the store failures a healthy
 * test store never raises, and the fields of the two exceptions that carry some.)
 */
class ErrorMappingTest {

    private FailingStore store;
    private InProcessServer server;
    private EventStore client;

    @BeforeEach
    void start() {
        store = new FailingStore();
        server = InProcessServer.start(store, settings -> settings);
        client = server.connect();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void storeFailuresArriveAsTheSameExceptionClassesWithTheSameMessages() {
        List<EventStoreException> failures = List.of(
                new CorruptionException("segment 00000000000000000000.log: bad checksum at offset 4096"),
                new StoreFailedException("fsync failed; the store refuses appends", new IOException("disk gone")),
                new StoreUnavailableException("the store is locked by another process"),
                new StoreOverloadedException("the log is overloaded: nothing was stored, retry later"),
                new StoreClosedException("the store was closed"),
                new AccessDeniedException("principal 'orders' may not read stream 'fail-ACCESS_DENIED'"),
                new UnauthenticatedException("principal 'gone' is not known (its key or token may have been removed)"),
                new EventStoreException(ErrorCode.NOT_FOUND, "nothing here"));
        for (EventStoreException original : failures) {
            String stream = "fail-" + original.code();
            store.failReadsOf(stream, original);

            Throwable remote = catchThrowable(() -> client.readStream(stream, 0, Direction.FORWARD, 10));

            assertThat(remote).as("the remote form of " + original).isExactlyInstanceOf(original.getClass())
                    .hasMessage(original.getMessage());
            assertThat(((EventStoreException) remote).code()).isEqualTo(original.code());
        }
    }

    @Test
    void aBugInTheServerIsAnInternalError() {
        store.failReadsOf("buggy", new IllegalStateException("a bug"));

        Throwable remote = catchThrowable(() -> client.readStream("buggy", 0, Direction.FORWARD, 10));

        assertThat(remote).isExactlyInstanceOf(EventStoreException.class).hasMessageContaining("a bug");
        assertThat(((EventStoreException) remote).code()).isEqualTo(ErrorCode.INTERNAL);
    }

    @Test
    void aWrongExpectedVersionNamesTheStreamTheExpectedAndTheActualVersion() {
        client.append("order-7", ExpectedVersion.noStream(), TestEvents.events("order", 3));

        Throwable remote = catchThrowable(() -> client.append("order-7", ExpectedVersion.exactly(1), event("late")));

        assertThat(remote).isExactlyInstanceOf(WrongExpectedVersionException.class)
                .hasMessage("wrong expected version for stream 'order-7': expected 1, actual 2");
        WrongExpectedVersionException wrong = (WrongExpectedVersionException) remote;
        assertThat(wrong.stream()).isEqualTo("order-7");
        assertThat(wrong.expected()).isEqualTo(ExpectedVersion.exactly(1));
        assertThat(wrong.actualVersion()).isEqualTo(2);
    }

    @Test
    void anIdempotencyConflictNamesTheEventId() {
        UUID id = UUID.randomUUID();
        client.append("a", ExpectedVersion.any(), EventData.of(id, "t", TestEvents.utf8("first")));

        Throwable remote = catchThrowable(() -> client.append("a", ExpectedVersion.any(),
                EventData.of(id, "t", TestEvents.utf8("other content"))));

        assertThat(remote).isExactlyInstanceOf(IdempotencyConflictException.class)
                .hasMessageStartingWith("event id " + id + " is already stored: ");
        assertThat(((IdempotencyConflictException) remote).eventId()).isEqualTo(id);
    }
}
