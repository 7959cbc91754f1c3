package io.rewind.testkit;

import static io.rewind.testkit.StoreAssertions.assertFails;
import static io.rewind.testkit.TestEvents.event;
import static io.rewind.testkit.TestEvents.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.rewind.api.AppendRequest;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.StoreClosedException;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionRequest;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * A closed store: every operation throws {@link StoreClosedException} (code {@code CLOSED}), close is
 * idempotent, and running subscriptions end with {@code onClose(StoreClosedException)}.
 */
public interface ClosedStoreContract extends ContractFixture {

    @Test
    default void everyOperationOnAClosedStoreThrowsStoreClosed() {
        store().append("before-close", ExpectedVersion.any(), event("before"));
        EventStore store = store();

        store.close();

        assertClosed(() -> store.append("after-close", ExpectedVersion.any(), event("after")));
        assertClosed(() -> store.append(AppendRequest.to("after-close", ExpectedVersion.any(), event("after"))));
        assertClosed(() -> EventStore.await(store.appendAsync(
                AppendRequest.to("after-close", ExpectedVersion.any(), event("after")))));
        assertClosed(() -> store.readStream("before-close", 0, Direction.FORWARD, 10));
        assertClosed(() -> store.readAll(0, Direction.FORWARD, 10));
        assertClosed(() -> store.readEvent(UUID.randomUUID()));
        assertClosed(() -> store.firstPositionAtOrAfter(Instant.EPOCH));
        assertClosed(store::headPosition);
        assertClosed(() -> store.streamInfo("before-close"));
        assertClosed(() -> store.listStreams("", null, 10));
        assertClosed(() -> store.subscribe(SubscriptionRequest.fromBeginning(), new RecordingListener()));
    }

    @Test
    default void closeIsIdempotent() {
        EventStore store = store();

        store.close();
        Throwable second = catchThrowable(store::close);

        assertThat(second).as("a second close").isNull();
        assertClosed(store::headPosition);
    }

    @Test
    default void closingTheStoreEndsLiveSubscriptionsWithStoreClosed() {
        store().append("history", ExpectedVersion.any(), events("history", 3));
        RecordingListener caughtUp = new RecordingListener();
        RecordingListener filtered = new RecordingListener();
        Subscription first = store().subscribe(SubscriptionRequest.fromBeginning(), caughtUp);
        Subscription second = store().subscribe(SubscriptionRequest.fromEnd().withStreamPrefix("none-"), filtered);
        caughtUp.awaitCount(3);
        caughtUp.awaitCaughtUp();
        filtered.awaitCaughtUp();

        store().close();

        assertThat(caughtUp.awaitClosed()).hasValueSatisfying(cause -> assertClosedCause(cause));
        assertThat(filtered.awaitClosed()).hasValueSatisfying(cause -> assertClosedCause(cause));
        Await.until(() -> first.isClosed() && second.isClosed(), "both subscriptions report themselves closed");
        caughtUp.assertUnbrokenChainFrom(-1);
        first.close();
    }

    @Test
    default void closingTheStoreEndsASubscriptionWhoseListenerIsBusy() throws Exception {
        store().append("history", ExpectedVersion.any(), events("history", 3));
        CountDownLatch release = new CountDownLatch(1);
        RecordingListener busy = new RecordingListener((event, received) -> {
            if (received == 1) {
                assertThat(release.await(Await.DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            }
        });
        Subscription subscription = store().subscribe(SubscriptionRequest.fromBeginning(), busy);
        busy.awaitCount(1);

        try {
            store().close();
        } finally {
            release.countDown();
        }

        assertThat(busy.awaitClosed()).hasValueSatisfying(cause -> assertClosedCause(cause));
        Await.until(subscription::isClosed, "the subscription reports itself closed");
        assertThat(busy.positions()).as("events delivered after the store closed").containsExactly(0L);
        busy.assertUnbrokenChainFrom(-1);
    }

    private static void assertClosed(ThrowingCallable call) {
        assertFails(call, StoreClosedException.class, ErrorCode.CLOSED);
    }

    private static void assertClosedCause(Throwable cause) {
        assertThat(cause).isExactlyInstanceOf(StoreClosedException.class);
        assertThat(((StoreClosedException) cause).code()).isEqualTo(ErrorCode.CLOSED);
    }
}
