package io.rewind.testkit;

import static io.rewind.testkit.StoreAssertions.assertDenseAndOrdered;
import static io.rewind.testkit.StoreAssertions.assertRecorded;
import static io.rewind.testkit.StoreAssertions.assertWrongExpectedVersion;
import static io.rewind.testkit.TestEvents.event;
import static io.rewind.testkit.TestEvents.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.AppendResult.Written;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.WrongExpectedVersionException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Appends: what is recorded, the results, atomic appends to several streams each with its own
 * expected version, checks on streams an append does not write, and the async form.
 */
public interface AppendContract extends ContractFixture {

    @Test
    default void anAppendRecordsEveryFieldOfTheEvent() {
        EventData proposed = new EventData(UUID.randomUUID(), "OrderPlaced", TestEvents.utf8("{\"total\":42}"),
                TestEvents.utf8("{\"user\":\"ann\"}"));
        Instant before = Instant.now();

        AppendResult result = store().append("order-1", ExpectedVersion.noStream(), proposed);

        Instant after = Instant.now();
        assertThat(result.events()).containsExactly(new Written("order-1", 0, 0, proposed.id()));
        List<RecordedEvent> stored = store().readStream("order-1", 0, Direction.FORWARD, 10);
        assertThat(stored).hasSize(1);
        RecordedEvent recorded = stored.get(0);
        assertRecorded(recorded, proposed, "order-1", 0, 0);
        assertThat(recorded.timestamp().getNano() % 1000).as("timestamp has microsecond precision").isZero();
        // The store's clock, which may be another process's on this machine: allow for its skew.
        assertThat(recorded.timestamp()).isBetween(before.minus(Duration.ofMinutes(1)),
                after.plus(Duration.ofMinutes(1)));
        assertThat(store().headPosition()).isZero();
    }

    @Test
    default void eventsWithoutAnIdGetDistinctIdsFromTheStore() {
        EventData first = TestEvents.withoutId("same content");
        EventData second = TestEvents.withoutId("same content");

        AppendResult result = store().append("anonymous", ExpectedVersion.any(), first, second);

        UUID firstId = result.events().get(0).id();
        UUID secondId = result.events().get(1).id();
        assertThat(firstId).isNotNull().isNotEqualTo(secondId);
        assertThat(secondId).isNotNull();
        assertThat(store().readEvent(firstId)).hasValueSatisfying(
                stored -> assertRecorded(stored, first, "anonymous", 0, 0));
        assertThat(store().readEvent(secondId)).hasValueSatisfying(
                stored -> assertRecorded(stored, second, "anonymous", 1, 1));
    }

    @Test
    default void versionsCountFromZeroPerStreamAndPositionsFollowTheGlobalOrder() {
        EventData a0 = event("a0");
        EventData b0 = event("b0");
        EventData a1 = event("a1");
        EventData a2 = event("a2");

        AppendResult first = store().append("stream-a", ExpectedVersion.any(), a0);
        AppendResult second = store().append("stream-b", ExpectedVersion.any(), b0);
        AppendResult third = store().append("stream-a", ExpectedVersion.any(), a1, a2);

        assertThat(first.events()).containsExactly(new Written("stream-a", 0, 0, a0.id()));
        assertThat(second.events()).containsExactly(new Written("stream-b", 0, 1, b0.id()));
        assertThat(third.events()).containsExactly(
                new Written("stream-a", 1, 2, a1.id()), new Written("stream-a", 2, 3, a2.id()));
        assertThat(third.firstPosition()).isEqualTo(2);
        assertThat(third.lastPosition()).isEqualTo(3);
        assertThat(third.lastVersion("stream-a")).isEqualTo(2);
        List<RecordedEvent> log = readWholeStore();
        assertDenseAndOrdered(log);
        assertThat(log).extracting(RecordedEvent::id).containsExactly(a0.id(), b0.id(), a1.id(), a2.id());
        assertThat(store().headPosition()).isEqualTo(3);
    }

    @Test
    default void aMultiStreamAppendStoresStreamAfterStreamInTheOrderTheyWereNamed() {
        store().append("seed", ExpectedVersion.noStream(), event("seed"));
        List<EventData> forB = events("b", 2);
        List<EventData> forA = events("a", 2);
        EventData laterForB = event("b-late");
        AppendRequest request = AppendRequest.builder()
                .append("stream-b", ExpectedVersion.noStream(), forB)
                .append("stream-a", ExpectedVersion.noStream(), forA)
                .append("stream-b", ExpectedVersion.noStream(), laterForB)
                .build();

        AppendResult result = store().append(request);

        assertThat(result.events()).containsExactly(
                new Written("stream-b", 0, 1, forB.get(0).id()),
                new Written("stream-b", 1, 2, forB.get(1).id()),
                new Written("stream-b", 2, 3, laterForB.id()),
                new Written("stream-a", 0, 4, forA.get(0).id()),
                new Written("stream-a", 1, 5, forA.get(1).id()));
        assertThat(result.lastVersion("stream-a")).isEqualTo(1);
        assertThat(result.lastVersion("stream-b")).isEqualTo(2);
        List<RecordedEvent> log = readWholeStore();
        assertDenseAndOrdered(log);
        assertRecorded(log.get(3), laterForB, "stream-b", 2, 3);
        assertRecorded(log.get(4), forA.get(0), "stream-a", 0, 4);
    }

    @Test
    default void everyStreamOfAnAppendHasItsOwnExpectedVersion() {
        store().append("account-1", ExpectedVersion.noStream(), events("deposit", 3));
        store().append("account-2", ExpectedVersion.noStream(), event("opened"));

        AppendResult transfer = store().append(AppendRequest.builder()
                .append("account-1", ExpectedVersion.exactly(2), event("debit"))
                .append("account-2", ExpectedVersion.exactly(0), event("credit"))
                .append("transfer-1", ExpectedVersion.noStream(), event("transferred"))
                .build());

        assertThat(transfer.events()).extracting(Written::stream, Written::version, Written::position)
                .containsExactly(
                        tuple("account-1", 3L, 4L),
                        tuple("account-2", 1L, 5L),
                        tuple("transfer-1", 0L, 6L));
    }

    @Test
    default void aMultiStreamAppendWritesNothingWhenOneExpectedVersionFails() {
        store().append("account-1", ExpectedVersion.noStream(), event("opened-1"));
        store().append("account-2", ExpectedVersion.noStream(), events("opened-2", 2));
        EventData debit = event("debit");
        EventData credit = event("credit");

        assertWrongExpectedVersion(() -> store().append(AppendRequest.builder()
                .append("account-1", ExpectedVersion.exactly(0), debit)
                .append("account-2", ExpectedVersion.exactly(0), credit)
                .append("audit", ExpectedVersion.any(), event("audit"))
                .build()), "account-2", ExpectedVersion.exactly(0), 1);

        assertRefusedAppendLeftNoTrace(2, debit, credit);
        assertThat(store().streamInfo("audit")).isEmpty();
    }

    @Test
    default void aCheckOnAStreamTheAppendDoesNotWriteLetsTheAppendThroughWhenItHolds() {
        store().append("customer-1", ExpectedVersion.noStream(), events("customer", 2));
        EventData placed = event("placed");

        AppendResult result = store().append(AppendRequest.builder()
                .append("order-1", ExpectedVersion.noStream(), placed)
                .check("customer-1", ExpectedVersion.exactly(1))
                .check("blocked-customers", ExpectedVersion.noStream())
                .build());

        assertThat(result.events()).containsExactly(new Written("order-1", 0, 2, placed.id()));
        assertThat(store().readStream("customer-1", 0, Direction.FORWARD, 10)).hasSize(2);
        assertThat(store().streamInfo("blocked-customers")).isEmpty();
        assertThat(store().headPosition()).isEqualTo(2);
    }

    @Test
    default void aCheckThatFailsNamesTheCheckedStreamAndWritesNothing() {
        store().append("customer-1", ExpectedVersion.noStream(), events("customer", 3));
        EventData placed = event("placed");

        assertWrongExpectedVersion(() -> store().append(AppendRequest.builder()
                .append("order-1", ExpectedVersion.noStream(), placed)
                .check("customer-1", ExpectedVersion.exactly(1))
                .build()), "customer-1", ExpectedVersion.exactly(1), 2);

        assertRefusedAppendLeftNoTrace(2, placed);
        assertThat(store().streamInfo("order-1")).isEmpty();
    }

    @Test
    default void aCheckThatAStreamExistsFailsOnAStreamWithNoEvents() {
        EventData placed = event("placed");

        assertWrongExpectedVersion(() -> store().append(AppendRequest.builder()
                .append("order-1", ExpectedVersion.any(), placed)
                .check("customer-unknown", ExpectedVersion.streamExists())
                .build()), "customer-unknown", ExpectedVersion.streamExists(), ExpectedVersion.NO_STREAM_VERSION);

        assertRefusedAppendLeftNoTrace(-1, placed);
    }

    @Test
    default void appendAsyncCompletesWithTheResultOnceTheEventsAreReadable() {
        EventData first = event("first");
        EventData second = event("second");

        CompletableFuture<AppendResult> future = store().appendAsync(
                AppendRequest.to("async", ExpectedVersion.noStream(), first, second));
        AppendResult result = Await.result(future);

        assertThat(result.events()).containsExactly(
                new Written("async", 0, 0, first.id()), new Written("async", 1, 1, second.id()));
        List<RecordedEvent> stored = store().readStream("async", 0, Direction.FORWARD, 10);
        assertThat(stored).hasSize(2);
        assertRecorded(stored.get(1), second, "async", 1, 1);
    }

    @Test
    default void appendAsyncFailsItsFutureWithWrongExpectedVersion() {
        store().append("async", ExpectedVersion.noStream(), event("first"));
        EventData late = event("late");

        CompletableFuture<AppendResult> future = store().appendAsync(
                AppendRequest.to("async", ExpectedVersion.noStream(), late));

        Throwable failure = Await.failure(future);
        assertWrongExpectedVersion(() -> {
            throw failure;
        }, "async", ExpectedVersion.noStream(), 0);
        assertWrongExpectedVersion(() -> EventStore.await(future), "async", ExpectedVersion.noStream(), 0);
        assertThat(((WrongExpectedVersionException) failure).code()).isEqualTo(ErrorCode.WRONG_EXPECTED_VERSION);
        assertRefusedAppendLeftNoTrace(0, late);
    }
}
