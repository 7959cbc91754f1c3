package io.rewind.testkit;

import static io.rewind.testkit.StoreAssertions.assertDenseAndOrdered;
import static io.rewind.testkit.StoreAssertions.assertFails;
import static io.rewind.testkit.TestEvents.event;
import static io.rewind.testkit.TestEvents.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.IdempotencyConflictException;
import io.rewind.api.RecordedEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Durable idempotency: appending again events whose ids are stored (a retry after a lost reply)
 * returns the original result and stores nothing, checked against the whole store; the same id
 * with other content, elsewhere, in another order or mixed with new events is a conflict.
 */
public interface IdempotencyContract extends ContractFixture {

    @Test
    default void aRetriedAppendReturnsTheOriginalResultAndStoresNothing() {
        EventData placed = event("placed");
        AppendResult original = store().append("order-1", ExpectedVersion.noStream(), placed);

        AppendResult retry = store().append("order-1", ExpectedVersion.noStream(), placed);

        assertThat(retry).isEqualTo(original);
        assertThat(store().headPosition()).isZero();
        assertThat(store().readStream("order-1", 0, Direction.FORWARD, 10)).hasSize(1);
    }

    @Test
    default void aRetriedMultiStreamAppendReturnsTheOriginalResult() {
        store().append("unrelated", ExpectedVersion.any(), event("unrelated"));
        AppendRequest request = AppendRequest.builder()
                .append("account-1", ExpectedVersion.noStream(), events("debit", 2))
                .append("account-2", ExpectedVersion.noStream(), event("credit"))
                .check("locks", ExpectedVersion.noStream())
                .build();
        AppendResult original = store().append(request);

        AppendResult retry = store().append(request);

        assertThat(retry).isEqualTo(original);
        assertThat(retry.events()).extracting(AppendResult.Written::position).containsExactly(1L, 2L, 3L);
        assertThat(store().headPosition()).isEqualTo(3);
    }

    @Test
    default void aRetryIsRecognisedAfterThousandsOfLaterEvents() {
        List<EventData> first = events("first", 3);
        AppendResult original = store().append("early", ExpectedVersion.noStream(), first);
        // 5,000 later events in 50 appends: far more than any cache of recent ids would hold.
        for (int batch = 0; batch < 50; batch++) {
            store().append("later-" + (batch % 7), ExpectedVersion.any(), events("later-" + batch, 100));
        }

        AppendResult retry = store().append("early", ExpectedVersion.noStream(), first);

        assertThat(retry).isEqualTo(original);
        assertThat(store().headPosition()).isEqualTo(5002);
        assertThat(store().readStream("early", 0, Direction.FORWARD, 10)).hasSize(3);
    }

    @Test
    default void aRetryWhoseExpectedVersionNoLongerHoldsStillReturnsTheOriginalResult() {
        EventData placed = event("placed");
        AppendResult original = store().append("order-1", ExpectedVersion.noStream(), placed);
        store().append("order-1", ExpectedVersion.exactly(0), events("shipped", 2));

        AppendResult retry = store().append("order-1", ExpectedVersion.noStream(), placed);
        AppendResult retryWithOtherCondition = store().append("order-1", ExpectedVersion.exactly(7), placed);

        assertThat(retry).isEqualTo(original);
        assertThat(retryWithOtherCondition).isEqualTo(original);
        assertThat(store().headPosition()).isEqualTo(2);
    }

    @Test
    default void anAsyncRetryCompletesWithTheOriginalResult() {
        List<EventData> batch = events("async", 2);
        AppendResult original = Await.result(store().appendAsync(
                AppendRequest.to("async", ExpectedVersion.noStream(), batch)));

        AppendResult retry = Await.result(store().appendAsync(
                AppendRequest.to("async", ExpectedVersion.noStream(), batch)));

        assertThat(retry).isEqualTo(original);
        assertThat(store().headPosition()).isEqualTo(1);
    }

    @Test
    default void theSameIdWithOtherDataIsAConflict() {
        EventData original = event("original");
        store().append("order-1", ExpectedVersion.any(), original);

        assertConflict(new EventData(original.id(), original.type(), TestEvents.utf8("changed"), original.metadata()),
                "order-1");
    }

    @Test
    default void theSameIdWithAnotherTypeIsAConflict() {
        EventData original = event("original");
        store().append("order-1", ExpectedVersion.any(), original);

        assertConflict(new EventData(original.id(), "OtherType", original.data(), original.metadata()), "order-1");
    }

    @Test
    default void theSameIdWithOtherMetadataIsAConflict() {
        EventData original = event("original");
        store().append("order-1", ExpectedVersion.any(), original);

        assertConflict(original.withMetadata(TestEvents.utf8("other metadata")), "order-1");
    }

    @Test
    default void theSameEventAppendedToAnotherStreamIsAConflict() {
        EventData original = event("original");
        store().append("order-1", ExpectedVersion.any(), original);

        assertConflict(original, "order-2");
        assertThat(store().streamInfo("order-2")).isEmpty();
    }

    @Test
    default void anAppendMixingStoredAndNewEventsIsAConflictAndWritesNothing() {
        List<EventData> stored = events("stored", 2);
        store().append("order-1", ExpectedVersion.noStream(), stored);
        EventData fresh = event("fresh");

        IdempotencyConflictException storedThenNew = assertFails(
                () -> store().append("order-1", ExpectedVersion.any(), stored.get(0), stored.get(1), fresh),
                IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT);
        IdempotencyConflictException newThenStored = assertFails(
                () -> store().append("order-1", ExpectedVersion.any(), fresh, stored.get(1)),
                IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT);
        IdempotencyConflictException acrossStreams = assertFails(() -> store().append(AppendRequest.builder()
                        .append("order-1", ExpectedVersion.any(), stored.get(0))
                        .append("order-2", ExpectedVersion.any(), fresh)
                        .build()),
                IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT);
        IdempotencyConflictException withoutId = assertFails(
                () -> store().append("order-1", ExpectedVersion.any(), stored.get(0), TestEvents.withoutId("anonymous")),
                IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT);

        assertThat(List.of(storedThenNew.eventId(), newThenStored.eventId(), acrossStreams.eventId(),
                withoutId.eventId())).allSatisfy(id -> assertThat(id).isIn(stored.get(0).id(), stored.get(1).id()));
        assertRefusedAppendLeftNoTrace(1, fresh);
    }

    @Test
    default void storedEventsAppendedInAnotherOrderAreAConflict() {
        List<EventData> stored = events("stored", 2);
        store().append("order-1", ExpectedVersion.noStream(), stored);

        IdempotencyConflictException swapped = assertFails(
                () -> store().append("order-1", ExpectedVersion.any(), stored.get(1), stored.get(0)),
                IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT);

        assertThat(swapped.eventId()).isIn(stored.get(0).id(), stored.get(1).id());
        assertRefusedAppendLeftNoTrace(1);
    }

    @Test
    default void eventsWithoutAnIdAreNeverTakenForARetry() {
        EventData anonymous = TestEvents.withoutId("same");

        AppendResult first = store().append("anonymous", ExpectedVersion.any(), anonymous);
        AppendResult second = store().append("anonymous", ExpectedVersion.any(), anonymous);

        assertThat(second).isNotEqualTo(first);
        List<RecordedEvent> stored = store().readStream("anonymous", 0, Direction.FORWARD, 10);
        assertThat(stored).hasSize(2);
        assertThat(stored.get(0).id()).isNotEqualTo(stored.get(1).id());
        assertDenseAndOrdered(readWholeStore());
    }

    /** Asserts that appending {@code conflicting} to {@code stream} is a conflict naming its id, writing nothing. */
    private void assertConflict(EventData conflicting, String stream) {
        long head = store().headPosition();

        IdempotencyConflictException conflict = assertFails(
                () -> store().append(stream, ExpectedVersion.any(), conflicting),
                IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT);

        assertThat(conflict.eventId()).isEqualTo(conflicting.id());
        assertThat(conflict.getMessage()).contains(conflicting.id().toString());
        assertRefusedAppendLeftNoTrace(head);
        assertThat(store().readEvent(conflicting.id())).hasValueSatisfying(
                stored -> assertThat(conflicting.sameContentAs(stored) && stored.stream().equals(stream)).isFalse());
    }
}
