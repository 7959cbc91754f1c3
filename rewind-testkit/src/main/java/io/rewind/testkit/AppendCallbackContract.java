package io.rewind.testkit;

import static io.rewind.testkit.TestEvents.event;
import static io.rewind.testkit.TestEvents.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.RecordedEvent;
import io.rewind.api.WrongExpectedVersionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link EventStore#appendAsync(AppendRequest, io.rewind.api.AppendCallback)}: the callback is
 * called exactly once, with the result of a stored append or the failure of a refused one, and
 * callback appends started one after another by one thread are stored in that order.
 */
public interface AppendCallbackContract extends ContractFixture {

    /** What one callback received. Thread-safe. */
    final class Outcome {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicReference<AppendResult> result = new AtomicReference<>();
        final AtomicReference<EventStoreException> failure = new AtomicReference<>();

        void record(AppendResult appended, EventStoreException failed) {
            calls.incrementAndGet();
            result.set(appended);
            failure.set(failed);
        }
    }

    @Test
    default void theCallbackGetsTheResultOfAStoredAppend() {
        Outcome outcome = new Outcome();

        store().appendAsync(AppendRequest.to("called-back", ExpectedVersion.noStream(), events("cb", 3)),
                outcome::record);

        Await.until(() -> outcome.calls.get() > 0, "the callback is called");
        assertThat(outcome.failure.get()).isNull();
        AppendResult result = outcome.result.get();
        assertThat(result.events()).hasSize(3);
        List<RecordedEvent> stored = store().readStream("called-back", 0, Direction.FORWARD, 10);
        assertThat(stored).extracting(RecordedEvent::position)
                .containsExactly(result.firstPosition(), result.firstPosition() + 1, result.lastPosition());
        assertThat(outcome.calls.get()).as("calls of one callback").isEqualTo(1);
    }

    @Test
    default void theCallbackGetsTheFailureOfARefusedAppendAndNothingIsStored() {
        store().append("called-back", ExpectedVersion.any(), event("first"));
        long head = store().headPosition();
        Outcome outcome = new Outcome();

        store().appendAsync(AppendRequest.to("called-back", ExpectedVersion.noStream(), event("refused")),
                outcome::record);

        Await.until(() -> outcome.calls.get() > 0, "the callback is called");
        assertThat(outcome.result.get()).isNull();
        assertThat(outcome.failure.get()).isInstanceOf(WrongExpectedVersionException.class);
        assertThat(store().headPosition()).isEqualTo(head);
        assertThat(outcome.calls.get()).isEqualTo(1);
    }

    @Test
    default void pipelinedCallbackAppendsFromOneThreadKeepTheirOrder() {
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Outcome outcome = new Outcome();
            outcomes.add(outcome);
            store().appendAsync(AppendRequest.to("ordered", ExpectedVersion.any(), event("e" + i)), outcome::record);
        }

        Await.until(() -> outcomes.stream().allMatch(o -> o.calls.get() > 0), "every callback is called");
        assertThat(outcomes).allMatch(o -> o.failure.get() == null);
        List<RecordedEvent> stored = store().readStream("ordered", 0, Direction.FORWARD, 100);
        for (int i = 0; i < 50; i++) {
            assertThat(stored.get(i).version()).isEqualTo(i);
            assertThat(outcomes.get(i).result.get().firstPosition()).as("append %d", i)
                    .isEqualTo(stored.get(i).position());
        }
    }

    @Test
    default void aNullCallbackIsRefused() {
        assertThatThrownBy(() -> store().appendAsync(AppendRequest.to("s", ExpectedVersion.any(), event("x")), null))
                .isInstanceOf(InvalidRequestException.class).hasMessage("append callback must not be null");
        assertThat(store().headPosition()).isEqualTo(-1);
    }
}
