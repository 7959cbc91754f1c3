package io.rewind.testkit;

import static io.rewind.testkit.StoreAssertions.assertFails;
import static io.rewind.testkit.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.SubscriptionRequest;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Null and malformed arguments to the methods that write, look up stream state and subscribe: every
 * store refuses them with an {@link InvalidRequestException} carrying exactly the same message, so a
 * caller's error handling does not depend on which store (or the remote client) it talks to, and the
 * store keeps serving with nothing changed. (Read arguments are in {@link InvalidRequestContract}.)
 */
public interface ArgumentContract extends ContractFixture {

    /** Asserts {@code call} fails with exactly this message, and that the store is unchanged and serving. */
    private void assertRefused(ThrowingCallable call, String message) {
        long head = store().headPosition();
        InvalidRequestException refused = assertFails(call, InvalidRequestException.class, ErrorCode.BAD_REQUEST);
        assertThat(refused.getMessage()).isEqualTo(message);
        assertThat(store().headPosition()).as("head after a refused call").isEqualTo(head);
    }

    @Test
    default void aNullAppendRequestIsRefused() {
        assertRefused(() -> store().append((AppendRequest) null), "append request must not be null");
        CompletableFuture<?> async = store().appendAsync(null);
        assertRefused(() -> EventStore.await(async.orTimeout(30, TimeUnit.SECONDS)),
                "append request must not be null");

        store().append("still-serving", ExpectedVersion.noStream(), event("after the refusals"));
        assertThat(store().headPosition()).isZero();
    }

    @Test
    default void nullPartsOfAnAppendAreRefused() {
        assertRefused(() -> store().append(null, ExpectedVersion.any(), event("a")), "stream name must not be empty");
        assertRefused(() -> store().append("parts", null, event("a")), "expected version must not be null");
        assertRefused(() -> store().append("parts", ExpectedVersion.any(), (List<EventData>) null),
                "events must not be null");
        assertRefused(() -> store().append("parts", ExpectedVersion.any(), (EventData[]) null),
                "events must not be null");
        assertRefused(() -> store().append("parts", ExpectedVersion.any(), Arrays.asList(event("a"), null)),
                "event 1 of stream 'parts' is null");
        assertRefused(() -> AppendRequest.builder().check(null, ExpectedVersion.any()),
                "stream name must not be empty");
        assertRefused(() -> AppendRequest.builder().check("parts", null), "expected version must not be null");

        assertThat(store().streamInfo("parts")).isEmpty();
    }

    @Test
    default void streamInfoOfANullOrMalformedNameIsRefused() {
        assertRefused(() -> store().streamInfo(null), "stream name must not be empty");
        assertRefused(() -> store().streamInfo(""), "stream name must not be empty");
        assertRefused(() -> store().streamInfo("x".repeat(256)),
                "stream name is 256 bytes of UTF-8, the limit is 255");
        assertRefused(() -> store().streamInfo("broken-\uD800"),
                "stream name is not well-formed Unicode (lone surrogate)");
    }

    @Test
    default void aNullTimeIsRefused() {
        assertRefused(() -> store().firstPositionAtOrAfter(null), "time must not be null");
        assertThat(store().firstPositionAtOrAfter(Instant.EPOCH)).isZero();
    }

    @Test
    default void aSubscriptionWithoutARequestOrAListenerIsRefused() {
        RecordingListener listener = new RecordingListener();
        assertRefused(() -> store().subscribe(null, listener), "subscription request must not be null");
        assertRefused(() -> store().subscribe(SubscriptionRequest.fromBeginning(), null),
                "subscription listener must not be null");
        assertThat(listener.events()).isEmpty();
    }
}
