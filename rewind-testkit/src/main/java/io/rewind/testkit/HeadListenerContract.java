package io.rewind.testkit;

import static io.rewind.testkit.TestEvents.event;
import static io.rewind.testkit.TestEvents.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.HeadListener;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link EventStore#watchHead}: a registered listener hears every move of the durable head (and the
 * events up to a head it hears can be read), stops hearing once its registration is closed, and
 * hears {@link HeadListener#stopped} when the store closes.
 */
public interface HeadListenerContract extends ContractFixture {

    /** Records what a head listener hears. Thread-safe. */
    final class RecordingHeadListener implements HeadListener {
        final AtomicLong highest = new AtomicLong(-2);
        final AtomicInteger calls = new AtomicInteger();
        final AtomicReference<EventStoreException> stoppedWith = new AtomicReference<>();

        @Override
        public void headMoved(long head) {
            calls.incrementAndGet();
            highest.accumulateAndGet(head, Math::max);
        }

        @Override
        public void stopped(EventStoreException cause) {
            stoppedWith.set(cause);
        }
    }

    @Test
    default void aListenerHearsTheHeadOfEachAppendAndItsEventsCanBeRead() {
        RecordingHeadListener listener = new RecordingHeadListener();
        HeadListener.Registration registration = store().watchHead(listener);
        try {
            for (int i = 0; i < 3; i++) {
                AppendResult result = store().append("watched-" + i, ExpectedVersion.any(), events("w" + i, 2));
                long last = result.lastPosition();
                Await.until(() -> listener.highest.get() >= last, "the listener hears head " + last);

                long heard = listener.highest.get();
                assertThat(heard).as("a head no event has reached yet").isLessThanOrEqualTo(store().headPosition());
                List<RecordedEvent> upToHeard = store().readAll(0, Direction.FORWARD, (int) heard + 1);
                assertThat(upToHeard).as("events up to the head heard").hasSize((int) heard + 1);
            }
        } finally {
            registration.close();
        }
    }

    @Test
    default void aClosedRegistrationHearsNoMoreWhileOthersStillDo() {
        RecordingHeadListener removed = new RecordingHeadListener();
        RecordingHeadListener kept = new RecordingHeadListener();
        HeadListener.Registration registration = store().watchHead(removed);
        HeadListener.Registration other = store().watchHead(kept);
        try {
            long first = store().append("watched", ExpectedVersion.any(), event("one")).lastPosition();
            Await.until(() -> removed.highest.get() >= first && kept.highest.get() >= first, "both hear the append");

            registration.close();
            registration.close(); // idempotent
            int callsAtClose = removed.calls.get();
            long second = store().append("watched", ExpectedVersion.any(), event("two")).lastPosition();
            Await.until(() -> kept.highest.get() >= second, "the kept listener hears the second append");
            long third = store().append("watched", ExpectedVersion.any(), event("three")).lastPosition();
            Await.until(() -> kept.highest.get() >= third, "the kept listener hears the third append");

            assertThat(removed.highest.get()).as("the highest head the removed listener heard").isLessThan(third);
            assertThat(removed.calls.get()).as("calls after the removed listener's registration closed")
                    .isLessThanOrEqualTo(callsAtClose + 1); // a call already under way may still finish
        } finally {
            other.close();
        }
    }

    @Test
    default void closingTheStoreStopsTheListenerWithStoreClosed() {
        RecordingHeadListener listener = new RecordingHeadListener();
        store().watchHead(listener);

        store().close();

        Await.until(() -> listener.stoppedWith.get() != null, "the listener hears that the store closed");
        assertThat(listener.stoppedWith.get()).isInstanceOf(StoreClosedException.class);
        assertThat(listener.stoppedWith.get().code()).isEqualTo(ErrorCode.CLOSED);
    }

    @Test
    default void watchingWithNoListenerOrOnAClosedStoreIsRefused() {
        assertThatThrownBy(() -> store().watchHead(null)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("head listener must not be null");
        EventStore store = store();
        store.close();
        assertThatThrownBy(() -> store.watchHead(new RecordingHeadListener()))
                .isInstanceOf(StoreClosedException.class);
    }
}
