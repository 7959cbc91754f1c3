package io.rewind.testkit;

import static io.rewind.testkit.StoreAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.Limits;
import io.rewind.api.ReadOptions;
import io.rewind.api.StreamListOptions;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Bad arguments of every read method, sync and async: each is refused with an
 * {@link InvalidRequestException} whose message is the very text below, in every store, and
 * nothing is read. The texts are those of {@link io.rewind.api.ReadArguments}, {@link ReadOptions}
 * and {@link StreamListOptions}, which every store uses, so a store that checked on its own
 * (or let a NullPointerException out) fails here.
 */
public interface ReadArgumentsContract extends ContractFixture {

    String NO_STREAM = "stream name must not be empty";
    String NO_OPTIONS = "read options must not be null";
    String NO_ID = "event id must not be null";
    String NO_LISTING = "stream listing options must not be null";

    private static void assertRefused(ThrowingCallable call, String message) {
        InvalidRequestException refused = assertFails(call, InvalidRequestException.class, ErrorCode.BAD_REQUEST);
        assertThat(refused.getMessage()).isEqualTo(message);
    }

    private static void assertRefusedAsync(java.util.function.Supplier<java.util.concurrent.CompletableFuture<?>> call,
            String message) {
        InvalidRequestException refused = AsyncReads.failure(call, InvalidRequestException.class, ErrorCode.BAD_REQUEST);
        assertThat(refused.getMessage()).isEqualTo(message);
    }

    @Test
    default void aMissingStreamNameIsRefusedByEveryStreamRead() {
        store().append("present", ExpectedVersion.any(), TestEvents.event("one"));

        for (String stream : new String[] {null, ""}) {
            assertRefused(() -> store().readStream(stream, ReadOptions.forward()), NO_STREAM);
            assertRefused(() -> store().readStream(stream, 0, Direction.FORWARD, 10), NO_STREAM);
            assertRefusedAsync(() -> store().readStreamAsync(stream, ReadOptions.forward()), NO_STREAM);
        }
    }

    @Test
    default void missingOptionsAndIdsAreRefusedByEveryRead() {
        assertRefused(() -> store().readStream("present", null), NO_OPTIONS);
        assertRefusedAsync(() -> store().readStreamAsync("present", null), NO_OPTIONS);
        assertRefused(() -> store().readAll(null), NO_OPTIONS);
        assertRefusedAsync(() -> store().readAllAsync(null), NO_OPTIONS);
        assertRefused(() -> store().readEvent(null), NO_ID);
        assertRefusedAsync(() -> store().readEventAsync(null), NO_ID);
        assertRefused(() -> store().listStreams((StreamListOptions) null), NO_LISTING);
        assertRefusedAsync(() -> store().listStreamsAsync(null), NO_LISTING);
    }

    @Test
    default void theStreamNameIsCheckedBeforeTheOptions() {
        assertRefused(() -> store().readStream(null, null), NO_STREAM);
        assertRefusedAsync(() -> store().readStreamAsync("", null), NO_STREAM);
    }

    @Test
    default void outOfRangeReadArgumentsAreRefusedWithOneMessageEverywhere() {
        store().append("present", ExpectedVersion.any(), TestEvents.event("one"));
        Map<ThrowingCallable, String> refusals = Map.of(
                () -> store().readStream("present", 0, Direction.FORWARD, 0),
                "read limit (max events) must be 1 to 10000, was 0",
                () -> store().readAll(0, Direction.BACKWARD, Limits.MAX_READ_LIMIT + 1),
                "read limit (max events) must be 1 to 10000, was 10001",
                () -> store().readStream("present", -1, Direction.FORWARD, 10),
                "read start must be >= 0 (or EventStore.END for the newest), was -1",
                () -> store().readAll(Long.MIN_VALUE, Direction.FORWARD, 10),
                "read start must be >= 0 (or EventStore.END for the newest), was " + Long.MIN_VALUE,
                () -> store().readAll(0, null, 10),
                "read direction must not be null",
                () -> store().readStream("present", ReadOptions.forward().withMaxBytes(-1)),
                "read byte budget (max bytes) must be >= 0, was -1",
                () -> store().listStreams("", null, 0),
                "listing limit (max streams) must be 1 to 10000, was 0",
                () -> store().listStreams(StreamListOptions.all().withMaxBytes(-5)),
                "listing byte budget (max bytes) must be >= 0, was -5",
                () -> store().listStreams("broken-\uD800", null, 10),
                "stream prefix is not well-formed Unicode (lone surrogate)",
                () -> store().listStreams("", "x".repeat(256), 10),
                "listing cursor 'after' is 256 bytes of UTF-8, the limit is 255");
        refusals.forEach((call, message) -> assertRefused(call, message));

        assertThat(store().readStream("present", ReadOptions.forward().withMaxBytes(0)).events()).hasSize(1);
        assertThat(store().readAll(ReadOptions.from(EventStore.END, Direction.BACKWARD)).events()).hasSize(1);
    }
}
