package io.rewind.testkit;

import static io.rewind.testkit.TestEvents.event;
import static io.rewind.testkit.TestEvents.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionRequest;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Subscriptions: from the start, after a position, or from now, over the whole store or a
 * stream-name prefix; history then live; every event names the position of the one delivered
 * before it; {@code onCaughtUp} once; a listener may call the store; closing stops delivery; a
 * listener that throws ends it.
 */
public interface SubscriptionContract extends ContractFixture {

    @Test
    default void fromTheBeginningDeliversHistoryThenLiveEventsInGlobalOrder() {
        store().append("alpha", ExpectedVersion.any(), events("history-alpha", 2));
        store().append("beta", ExpectedVersion.any(), event("history-beta"));
        RecordingListener listener = new RecordingListener();

        try (Subscription subscription = store().subscribe(SubscriptionRequest.fromBeginning(), listener)) {
            assertThat(listener.awaitCaughtUp()).as("events delivered before onCaughtUp").isEqualTo(3);
            store().append("beta", ExpectedVersion.any(), event("live-beta"));
            store().append("alpha", ExpectedVersion.any(), events("live-alpha", 2));

            listener.awaitCount(6);
            assertThat(listener.recordedEvents()).containsExactlyElementsOf(readWholeStore());
            assertThat(listener.caughtUpCalls()).isEqualTo(1);
            listener.assertUnbrokenChainFrom(-1);
            Await.until(() -> subscription.lastPosition() == 5, "lastPosition() reaches 5");
            assertThat(subscription.isClosed()).isFalse();
        }
    }

    @Test
    default void fromTheBeginningOfAnEmptyStoreCatchesUpAtOnceThenDeliversLiveEvents() {
        RecordingListener listener = new RecordingListener();

        try (Subscription subscription = store().subscribe(SubscriptionRequest.fromBeginning(), listener)) {
            assertThat(listener.awaitCaughtUp()).isZero();
            assertThat(subscription.lastPosition()).isEqualTo(-1);
            store().append("first", ExpectedVersion.noStream(), event("first"));

            assertThat(listener.awaitCount(1)).singleElement()
                    .satisfies(delivered -> assertThat(delivered.previousPosition()).isEqualTo(-1));
            listener.assertUnbrokenChainFrom(-1);
        }
    }

    @Test
    default void afterAPositionDeliversOnlyLaterEventsFirstNamingThatPosition() {
        store().append("history", ExpectedVersion.any(), events("history", 5));
        RecordingListener listener = new RecordingListener();

        try (Subscription subscription = store().subscribe(SubscriptionRequest.after(2), listener)) {
            assertThat(listener.awaitCaughtUp()).isEqualTo(2);
            Await.until(() -> subscription.lastPosition() == 4, "lastPosition() reaches 4");
            store().append("live", ExpectedVersion.any(), event("live"));

            listener.awaitCount(3);
            assertThat(listener.positions()).containsExactly(3L, 4L, 5L);
            assertThat(listener.events().get(0).previousPosition()).isEqualTo(2);
            listener.assertUnbrokenChainFrom(2);
        }
    }

    @Test
    default void afterTheHeadDeliversOnlyNewEvents() {
        store().append("history", ExpectedVersion.any(), events("history", 3));
        RecordingListener listener = new RecordingListener();

        try (Subscription subscription = store().subscribe(SubscriptionRequest.after(2), listener)) {
            assertThat(listener.awaitCaughtUp()).isZero();
            store().append("live", ExpectedVersion.any(), event("live"));

            assertThat(listener.awaitCount(1)).extracting(delivered -> delivered.event().position())
                    .containsExactly(3L);
            listener.assertUnbrokenChainFrom(2);
            Await.until(() -> subscription.lastPosition() == 3, "lastPosition() reaches 3");
        }
    }

    @Test
    default void fromTheEndDeliversOnlyEventsAppendedAfterSubscribing() {
        store().append("history", ExpectedVersion.any(), events("history", 3));
        RecordingListener listener = new RecordingListener();

        try (Subscription subscription = store().subscribe(SubscriptionRequest.fromEnd(), listener)) {
            // The start point is fixed when subscribe returns: the head then.
            assertThat(subscription.lastPosition()).isEqualTo(2);
            store().append("live", ExpectedVersion.any(), events("live", 2));

            listener.awaitCount(2);
            assertThat(listener.positions()).containsExactly(3L, 4L);
            listener.awaitCaughtUp();
            assertThat(listener.caughtUpCalls()).isEqualTo(1);
            listener.assertUnbrokenChainFrom(2);
        }
    }

    @Test
    default void aStreamPrefixDeliversOnlyMatchingStreamsChainingTheDeliveredPositions() {
        store().append(AppendRequest.builder()
                .append("order-1", ExpectedVersion.any(), event("order-1-a"))
                .append("invoice-1", ExpectedVersion.any(), events("invoice-1", 2))
                .append("order-2", ExpectedVersion.any(), event("order-2-a"))
                .append("orders", ExpectedVersion.any(), event("orders"))
                .build());
        RecordingListener listener = new RecordingListener();

        try (Subscription subscription = store().subscribe(
                // Thresholds no test reaches: no checkpoint notice comes between the events.
                SubscriptionRequest.fromBeginning().withStreamPrefix("order-").withCheckpoints(
                        SubscriptionRequest.MAX_CHECKPOINT_EVENTS, SubscriptionRequest.MAX_CHECKPOINT_INTERVAL),
                listener)) {
            assertThat(listener.awaitCaughtUp()).isEqualTo(2);
            store().append("invoice-2", ExpectedVersion.any(), event("invoice-2"));
            store().append("order-1", ExpectedVersion.any(), event("order-1-b"));

            listener.awaitCount(3);
            assertThat(listener.positions()).containsExactly(0L, 3L, 6L);
            assertThat(listener.recordedEvents()).extracting(RecordedEvent::stream)
                    .containsExactly("order-1", "order-2", "order-1");
            assertThat(listener.events()).extracting(delivered -> delivered.previousPosition())
                    .containsExactly(-1L, 0L, 3L);
            listener.assertUnbrokenChainFrom(-1);
            // The last position is that of the last event delivered, not of the last one read.
            Await.until(() -> subscription.lastPosition() == 6, "lastPosition() reaches 6");
        }
    }

    @Test
    default void aStreamPrefixCombinesWithAStartPosition() {
        store().append("match-1", ExpectedVersion.any(), event("match-1"));
        store().append("other", ExpectedVersion.any(), event("other"));
        store().append("match-2", ExpectedVersion.any(), event("match-2"));
        RecordingListener listener = new RecordingListener();

        try (Subscription subscription = store().subscribe(
                SubscriptionRequest.after(0).withStreamPrefix("match-"), listener)) {
            listener.awaitCaughtUp();
            store().append("match-3", ExpectedVersion.any(), event("match-3"));

            listener.awaitCount(2);
            assertThat(listener.positions()).containsExactly(2L, 3L);
            listener.assertUnbrokenChainFrom(0);
            Await.until(() -> subscription.lastPosition() == 3, "lastPosition() reaches 3");
        }
    }

    @Test
    default void severalSubscriptionsEachReceiveEveryEvent() {
        store().append("history", ExpectedVersion.any(), events("history", 4));
        List<RecordingListener> listeners = List.of(new RecordingListener(), new RecordingListener(),
                new RecordingListener());
        List<Subscription> subscriptions = listeners.stream()
                .map(listener -> store().subscribe(SubscriptionRequest.fromBeginning(), listener)).toList();
        try {
            store().append("live", ExpectedVersion.any(), events("live", 4));

            for (RecordingListener listener : listeners) {
                listener.awaitCount(8);
                assertThat(listener.recordedEvents()).containsExactlyElementsOf(readWholeStore());
                listener.assertUnbrokenChainFrom(-1);
            }
        } finally {
            subscriptions.forEach(Subscription::close);
        }
    }

    @Test
    default void aListenerMayUseTheStoreItIsSubscribedTo() {
        // A process manager: it reads and appends from inside onEvent, on the store's thread.
        RecordingListener listener = new RecordingListener((delivered, received) -> {
            RecordedEvent event = delivered.event();
            if (event.stream().startsWith("command-")) {
                assertThat(store().readEvent(event.id())).contains(event);
                store().append("reaction-" + event.version(), ExpectedVersion.noStream(),
                        TestEvents.event("reaction to " + TestEvents.text(event)));
            }
        });

        try (Subscription subscription = store().subscribe(
                SubscriptionRequest.fromBeginning().withStreamPrefix("command-"), listener)) {
            store().append("command-1", ExpectedVersion.any(), events("command", 3));

            Await.until(() -> store().headPosition() == 5, "three reactions are appended");
            assertThat(listener.awaitCount(3)).hasSize(3);
            assertThat(store().listStreams("reaction-", null, 10).streams()).hasSize(3);
            listener.assertUnbrokenChainFrom(-1);
            assertThat(subscription.isClosed()).isFalse();
        }
    }

    @Test
    default void closeStopsDeliveryAndEndsWithoutACause() {
        RecordingListener listener = new RecordingListener();
        Subscription subscription = store().subscribe(SubscriptionRequest.fromBeginning(), listener);
        store().append("before", ExpectedVersion.any(), events("before", 3));
        listener.awaitCount(3);

        subscription.close();

        assertThat(subscription.isClosed()).isTrue();
        assertThat(listener.awaitClosed()).isEmpty();
        store().append("after", ExpectedVersion.any(), events("after", 3));
        assertNothingMoreDelivered(listener, 6);
        assertThat(listener.count()).isEqualTo(3);
        subscription.close();
        assertThat(subscription.isClosed()).isTrue();
        listener.assertUnbrokenChainFrom(-1);
    }

    @Test
    default void aListenerMayCloseItsOwnSubscription() {
        AtomicReference<Subscription> own = new AtomicReference<>();
        RecordingListener listener = new RecordingListener((event, received) -> {
            if (received == 3) {
                Await.until(() -> own.get() != null, "subscribe() returned");
                own.get().close();
            }
        });
        own.set(store().subscribe(SubscriptionRequest.fromBeginning(), listener));

        store().append("events", ExpectedVersion.any(), events("events", 10));

        assertThat(listener.awaitClosed()).isEmpty();
        assertThat(own.get().isClosed()).isTrue();
        assertNothingMoreDelivered(listener, 10);
        assertThat(listener.positions()).containsExactly(0L, 1L, 2L);
        listener.assertUnbrokenChainFrom(-1);
    }

    @Test
    default void aListenerThatThrowsEndsTheSubscriptionWithItsException() {
        IllegalStateException failure = new IllegalStateException("listener failed on purpose");
        RecordingListener listener = new RecordingListener((event, received) -> {
            if (received == 2) {
                throw failure;
            }
        });
        Subscription subscription = store().subscribe(SubscriptionRequest.fromBeginning(), listener);

        store().append("events", ExpectedVersion.any(), events("events", 5));

        assertThat(listener.awaitClosed()).containsSame(failure);
        Await.until(subscription::isClosed, "the failed subscription reports itself closed");
        assertNothingMoreDelivered(listener, 5);
        assertThat(listener.positions()).containsExactly(0L, 1L);
        listener.assertUnbrokenChainFrom(-1);
        subscription.close();
    }

    /**
     * Asserts that {@code listener} receives nothing more while a second subscription, from the
     * beginning, receives all {@code total} events: proof enough that the store had its chance.
     */
    private void assertNothingMoreDelivered(RecordingListener listener, int total) {
        int before = listener.count();
        RecordingListener witness = new RecordingListener();
        Subscription subscription = store().subscribe(SubscriptionRequest.fromBeginning(), witness);
        try {
            witness.awaitCount(total);
        } finally {
            subscription.close();
        }
        assertThat(listener.count()).as("events delivered after the subscription ended").isEqualTo(before);
    }
}
