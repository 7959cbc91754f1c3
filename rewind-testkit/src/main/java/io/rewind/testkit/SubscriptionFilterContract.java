package io.rewind.testkit;

import static io.rewind.testkit.TestEvents.event;
import static io.rewind.testkit.TestEvents.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.AppendRequest;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.RecordedEvent;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Filtered subscriptions: to one exact stream, to a name prefix, to the whole store, each narrowed
 * by event types; filtered in history and live alike, in global order; checkpoint notices while
 * events are skipped, and resuming after a notice's position.
 *
 * <p>Checkpoint tests set the event threshold small and the time threshold to its maximum, so that
 * only the count decides when a notice comes (the time threshold has a test of its own).
 */
public interface SubscriptionFilterContract extends ContractFixture {

    /** A time threshold no test reaches: notices come only from the event count. */
    Duration NEVER = SubscriptionRequest.MAX_CHECKPOINT_INTERVAL;

    @Test
    default void anExactStreamSubscriptionDeliversThatStreamAloneUnlikeAPrefix() {
        store().append(AppendRequest.builder()
                .append("account-1", ExpectedVersion.any(), event("opened 1"))
                .append("account-10", ExpectedVersion.any(), event("opened 10"))
                .append("account-1-audit", ExpectedVersion.any(), event("audit 1"))
                .build());
        RecordingListener exact = new RecordingListener();
        RecordingListener prefix = new RecordingListener();

        try (Subscription one = store().subscribe(SubscriptionRequest.fromBeginning().toStream("account-1"), exact);
                Subscription many = store().subscribe(
                        SubscriptionRequest.fromBeginning().withStreamPrefix("account-1"), prefix)) {
            assertThat(exact.awaitCaughtUp()).isEqualTo(1);
            store().append("account-10", ExpectedVersion.any(), event("deposit 10"));
            store().append("account-1", ExpectedVersion.any(), event("deposit 1"));

            exact.awaitCount(2);
            assertThat(exact.positions()).containsExactly(0L, 4L);
            assertThat(exact.recordedEvents()).extracting(RecordedEvent::stream).containsOnly("account-1");
            exact.assertUnbrokenChainFrom(-1);
            prefix.awaitCount(5);
            assertThat(prefix.positions()).containsExactly(0L, 1L, 2L, 3L, 4L);
            prefix.assertUnbrokenChainFrom(-1);
            assertThat(one.isClosed()).as("the subscription still runs").isFalse();
            assertThat(many.isClosed()).as("the subscription still runs").isFalse();
        }
    }

    @Test
    default void aTypeFilterOverTheWholeStoreDeliversOnlyThatTypeInHistoryAndLive() {
        store().append(AppendRequest.builder()
                .append("account-1", ExpectedVersion.any(), event("opened", "a"), event("deposited", "b"))
                .append("account-2", ExpectedVersion.any(), event("deposited", "c"), event("closed", "d"))
                .build());
        RecordingListener listener = new RecordingListener();

        try (Subscription subscription = store().subscribe(
                SubscriptionRequest.fromBeginning().withTypes("deposited"), listener)) {
            assertThat(listener.awaitCaughtUp()).isEqualTo(2);
            store().append("account-3", ExpectedVersion.any(), event("opened", "e"), event("deposited", "f"));

            listener.awaitCount(3);
            assertThat(listener.positions()).containsExactly(1L, 2L, 5L);
            assertThat(listener.recordedEvents()).extracting(TestEvents::text).containsExactly("b", "c", "f");
            assertThat(listener.recordedEvents()).extracting(RecordedEvent::type).containsOnly("deposited");
            listener.assertUnbrokenChainFrom(-1);
            assertThat(subscription.isClosed()).as("the subscription still runs").isFalse();
        }
    }

    @Test
    default void severalTypesNarrowAStreamOrAPrefix() {
        store().append(AppendRequest.builder()
                .append("order-1", ExpectedVersion.any(), event("placed", "1p"), event("paid", "1$"),
                        event("shipped", "1s"))
                .append("order-2", ExpectedVersion.any(), event("placed", "2p"), event("cancelled", "2c"))
                .build());
        RecordingListener exact = new RecordingListener();
        RecordingListener prefix = new RecordingListener();

        try (Subscription one = store().subscribe(
                SubscriptionRequest.fromBeginning().toStream("order-1").withTypes("placed", "shipped"), exact);
                Subscription many = store().subscribe(
                        SubscriptionRequest.after(0).withStreamPrefix("order-").withTypes(List.of("placed",
                                "cancelled")), prefix)) {
            exact.awaitCaughtUp();
            prefix.awaitCaughtUp();
            store().append("order-1", ExpectedVersion.any(), event("cancelled", "1c"), event("placed", "1p again"));
            store().append("order-2", ExpectedVersion.any(), event("shipped", "2s"));

            exact.awaitCount(3);
            assertThat(exact.recordedEvents()).extracting(TestEvents::text).containsExactly("1p", "1s", "1p again");
            exact.assertUnbrokenChainFrom(-1);
            prefix.awaitCount(4);
            assertThat(prefix.recordedEvents()).extracting(TestEvents::text)
                    .containsExactly("2p", "2c", "1c", "1p again");
            prefix.assertUnbrokenChainFrom(0);
            assertThat(one.isClosed()).as("the subscription still runs").isFalse();
            assertThat(many.isClosed()).as("the subscription still runs").isFalse();
        }
    }

    @Test
    default void aSkippingSubscriptionGetsANoticeAfterTheThresholdOfSkippedEvents() {
        int threshold = 5;
        store().append("watched", ExpectedVersion.any(), event("first"));
        RecordingListener listener = new RecordingListener();

        try (Subscription subscription = store().subscribe(SubscriptionRequest.fromBeginning().toStream("watched")
                .withCheckpoints(threshold, NEVER), listener)) {
            listener.awaitCaughtUp();
            for (int i = 0; i < threshold; i++) {
                store().append("other", ExpectedVersion.any(), event("skipped " + i));
            }

            // The fifth skipped event, at position 5, is the last: the notice names it.
            assertThat(listener.awaitCheckpointAtLeast(threshold)).last().isEqualTo((long) threshold);
            Await.until(() -> subscription.lastPosition() == threshold, "lastPosition() reaches the notice");
            store().append("watched", ExpectedVersion.any(), event("second"));
            listener.awaitCount(2);
            assertThat(listener.events().get(1).previousPosition()).as("the second event names the first, not the notice")
                    .isZero();
            assertThat(listener.checkpoints()).allSatisfy(position -> assertThat(position).isBetween(1L, 5L));
            listener.assertUnbrokenChainFrom(-1);
        }
    }

    @Test
    default void aSubscriberThatMatchesNothingStillGetsNoticesThroughHistoryAndLive() {
        store().append("other", ExpectedVersion.any(), events("history", 40));
        RecordingListener listener = new RecordingListener();

        try (Subscription subscription = store().subscribe(SubscriptionRequest.fromBeginning().toStream("nobody")
                .withTypes("nothing").withCheckpoints(7, NEVER), listener)) {
            // Fewer than 7 skipped events may wait for the next notice: after 40 events, one at 33 or later.
            listener.awaitCheckpointAtLeast(33);
            listener.awaitCaughtUp();
            for (int i = 0; i < 10; i++) {
                store().append("other-" + i, ExpectedVersion.any(), events("live", 3));
            }

            List<Long> notices = listener.awaitCheckpointAtLeast(63);
            assertThat(listener.count()).isZero();
            listener.assertUnbrokenChainFrom(-1);
            long last = notices.get(notices.size() - 1);
            Await.until(() -> subscription.lastPosition() == last, "lastPosition() reaches the last notice");
        }
    }

    @Test
    default void aNoticeIsDueAfterTheIntervalEvenForOneSkippedEvent() {
        store().append("watched", ExpectedVersion.any(), event("first"));
        RecordingListener listener = new RecordingListener();

        try (Subscription subscription = store().subscribe(SubscriptionRequest.fromBeginning().toStream("watched")
                .withCheckpoints(SubscriptionRequest.MAX_CHECKPOINT_EVENTS, Duration.ofMillis(50)), listener)) {
            listener.awaitCount(1);
            store().append("other", ExpectedVersion.any(), event("the only skipped event"));

            assertThat(listener.awaitCheckpointAtLeast(1)).containsExactly(1L);
            listener.assertUnbrokenChainFrom(-1);
            assertThat(subscription.isClosed()).as("the subscription still runs").isFalse();
        }
    }

    @Test
    default void resumingAfterANoticeDeliversTheNextMatchingEventAndNothingBefore() {
        store().append("watched", ExpectedVersion.any(), events("early", 2));
        store().append("other", ExpectedVersion.any(), events("skipped", 4));
        RecordingListener first = new RecordingListener();
        SubscriptionRequest watched = SubscriptionRequest.fromBeginning().toStream("watched").withCheckpoints(3, NEVER);
        long saved;
        try (Subscription subscription = store().subscribe(watched, first)) {
            List<Long> notices = first.awaitCheckpointAtLeast(5);
            saved = notices.get(notices.size() - 1);
            assertThat(subscription.isClosed()).as("the subscription still runs").isFalse();
        }
        assertThat(first.positions()).containsExactly(0L, 1L);
        assertThat(saved).isEqualTo(5);
        store().append("other", ExpectedVersion.any(), event("skipped later"));
        store().append("watched", ExpectedVersion.any(), event("next"));
        RecordingListener resumed = new RecordingListener();

        try (Subscription subscription = store().subscribe(watched.resumeAfter(saved), resumed)) {
            resumed.awaitCount(1);
            store().append("watched", ExpectedVersion.any(), event("live"));

            resumed.awaitCount(2);
            assertThat(resumed.recordedEvents()).extracting(TestEvents::text).containsExactly("next", "live");
            assertThat(resumed.positions()).containsExactly(7L, 8L);
            resumed.assertUnbrokenChainFrom(saved);
            assertThat(subscription.isClosed()).as("the subscription still runs").isFalse();
        }
    }

    @Test
    default void anUnfilteredSubscriptionSkipsNothingAndGetsNoNotice() {
        RecordingListener listener = new RecordingListener();

        try (Subscription subscription = store().subscribe(SubscriptionRequest.fromBeginning()
                .withCheckpoints(1, Duration.ofMillis(1)), listener)) {
            store().append("one", ExpectedVersion.any(), events("one", 5));
            store().append("two", ExpectedVersion.any(), events("two", 5));

            listener.awaitCount(10);
            assertThat(listener.checkpoints()).isEmpty();
            listener.assertUnbrokenChainFrom(-1);
            assertThat(subscription.isClosed()).as("the subscription still runs").isFalse();
        }
    }

    @Test
    default void invalidFiltersAreRefusedNamingTheProblemAndTheStoreStillServes() {
        SubscriptionRequest start = SubscriptionRequest.fromBeginning();

        assertRefused(() -> start.toStream(""), "stream name must not be empty");
        assertRefused(() -> start.toStream(null), "stream name must not be empty");
        assertRefused(() -> start.toStream("x".repeat(256)), "256 bytes");
        assertRefused(() -> start.withStreamPrefix(null), "stream prefix must not be null");
        assertRefused(() -> start.withStreamPrefix("bad-\uD800"), "stream prefix", "not well-formed");
        assertRefused(() -> start.withTypes(), "at least one type");
        assertRefused(() -> start.withTypes((String[]) null), "event types must not be null");
        assertRefused(() -> start.withTypes("ok", null), "event type must not be null");
        assertRefused(() -> start.withTypes("t".repeat(256)), "event type is 256 bytes");
        assertRefused(() -> start.withCheckpoints(0, Duration.ofSeconds(1)), "checkpoint events");
        assertRefused(() -> start.withCheckpoints(1, Duration.ZERO), "checkpoint interval");
        assertRefused(() -> start.withCheckpoints(1, null), "checkpoint interval must not be null");
        assertRefused(() -> SubscriptionRequest.after(-2), "start position must be >= -1");

        store().append("s", ExpectedVersion.any(), event("still served"));
        RecordingListener listener = new RecordingListener();
        try (Subscription subscription = store().subscribe(start.toStream("s"), listener)) {
            assertThat(listener.awaitCount(1)).hasSize(1);
            assertThat(subscription.isClosed()).as("the subscription still runs").isFalse();
        }
    }

    private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String... parts) {
        assertThatThrownBy(call).isInstanceOf(InvalidRequestException.class).message().contains(parts);
    }
}
