package io.rewind.testkit;

import static io.rewind.testkit.StoreAssertions.assertFails;
import static io.rewind.testkit.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.EventTooLargeException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.Limits;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Requests a store must refuse, with the exact exception and error code, writing nothing: bad stream
 * names and types, bad read arguments, events over the size limit, a duplicate id inside one append.
 */
public interface InvalidRequestContract extends ContractFixture {

    /** 85 three-byte characters: 255 bytes of UTF-8, 85 UTF-16 units. */
    String NAME_OF_255_BYTES = "流".repeat(85);

    @Test
    default void anEmptyStreamNameIsRefused() {
        EventData refused = event("refused");

        InvalidRequestException append = assertFails(() -> store().append("", ExpectedVersion.any(), refused),
                InvalidRequestException.class, ErrorCode.BAD_REQUEST);
        assertFails(() -> store().readStream("", 0, Direction.FORWARD, 10),
                InvalidRequestException.class, ErrorCode.BAD_REQUEST);

        assertThat(append.getMessage()).contains("stream");
        assertRefusedAppendLeftNoTrace(-1, refused);
    }

    @Test
    default void aStreamNameOf255BytesOfUtf8IsAcceptedAnd256AreRefused() {
        EventData accepted = event("accepted");
        EventData refused = event("refused");

        store().append(NAME_OF_255_BYTES, ExpectedVersion.noStream(), accepted);
        InvalidRequestException tooLong = assertFails(
                () -> store().append(NAME_OF_255_BYTES + "x", ExpectedVersion.noStream(), refused),
                InvalidRequestException.class, ErrorCode.BAD_REQUEST);

        assertThat(tooLong.getMessage()).contains("256").contains("255");
        assertThat(store().readStream(NAME_OF_255_BYTES, 0, Direction.FORWARD, 10))
                .singleElement().satisfies(event -> assertThat(event.stream()).isEqualTo(NAME_OF_255_BYTES));
        assertRefusedAppendLeftNoTrace(0, refused);
    }

    @Test
    default void aStreamNameThatIsNotWellFormedUnicodeIsRefused() {
        EventData refused = event("refused");

        assertFails(() -> store().append("broken-\uD800", ExpectedVersion.any(), refused),
                InvalidRequestException.class, ErrorCode.BAD_REQUEST);

        assertRefusedAppendLeftNoTrace(-1, refused);
    }

    @Test
    default void anEventTypeOf255BytesIsAcceptedAnd256AreRefused() {
        EventData accepted = event(NAME_OF_255_BYTES, "accepted");
        EventData refused = event(NAME_OF_255_BYTES + "x", "refused");

        store().append("typed", ExpectedVersion.any(), accepted);
        assertFails(() -> store().append("typed", ExpectedVersion.any(), refused),
                InvalidRequestException.class, ErrorCode.BAD_REQUEST);

        assertThat(store().readEvent(accepted.id())).hasValueSatisfying(
                event -> assertThat(event.type()).isEqualTo(NAME_OF_255_BYTES));
        assertRefusedAppendLeftNoTrace(0, refused);
    }

    @Test
    default void anAppendWithNoEventsIsRefused() {
        assertFails(() -> store().append(AppendRequest.builder().build()),
                InvalidRequestException.class, ErrorCode.BAD_REQUEST);
        assertFails(() -> store().append("empty", ExpectedVersion.any(), List.of()),
                InvalidRequestException.class, ErrorCode.BAD_REQUEST);
        assertFails(() -> store().append(AppendRequest.builder().check("checked", ExpectedVersion.any()).build()),
                InvalidRequestException.class, ErrorCode.BAD_REQUEST);

        assertRefusedAppendLeftNoTrace(-1);
    }

    @Test
    default void aDuplicateIdInsideOneAppendIsRefused() {
        UUID id = UUID.randomUUID();
        EventData first = EventData.of(id, TestEvents.TYPE, TestEvents.utf8("first"));
        EventData second = EventData.of(id, TestEvents.TYPE, TestEvents.utf8("second"));

        InvalidRequestException sameStream = assertFails(
                () -> store().append("dup", ExpectedVersion.any(), first, second),
                InvalidRequestException.class, ErrorCode.BAD_REQUEST);
        assertFails(() -> store().append(AppendRequest.builder()
                        .append("dup-a", ExpectedVersion.any(), first)
                        .append("dup-b", ExpectedVersion.any(), first)
                        .build()),
                InvalidRequestException.class, ErrorCode.BAD_REQUEST);

        assertThat(sameStream.getMessage()).contains(id.toString());
        assertRefusedAppendLeftNoTrace(-1, first);
    }

    @Test
    default void anEventOfExactly16MiBOfDataAndMetadataIsAccepted() {
        byte[] metadata = TestEvents.randomBytes(1024, 7);
        byte[] data = TestEvents.randomBytes(DEFAULT_MAX_EVENT_BYTES - metadata.length, 8);
        EventData largest = new EventData(UUID.randomUUID(), "large", data, metadata);

        store().append("large", ExpectedVersion.noStream(), largest);

        assertThat(store().readEvent(largest.id())).hasValueSatisfying(stored -> {
            assertThat(stored.dataEquals(data)).as("the 16 MiB event's data reads back byte for byte").isTrue();
            assertThat(stored.metadataEquals(metadata)).as("its metadata reads back byte for byte").isTrue();
        });
    }

    @Test
    default void anEventOverTheSizeLimitIsRefusedAsTooLarge() {
        EventData small = event("small");
        EventData dataTooLarge = new EventData(UUID.randomUUID(), "large", new byte[DEFAULT_MAX_EVENT_BYTES + 1], null);
        // Data and metadata count together: each alone is within the limit.
        EventData togetherTooLarge = new EventData(UUID.randomUUID(), "large",
                new byte[DEFAULT_MAX_EVENT_BYTES], new byte[1]);

        EventTooLargeException data = assertFails(
                () -> store().append("large", ExpectedVersion.any(), small, dataTooLarge),
                EventTooLargeException.class, ErrorCode.TOO_LARGE);
        assertFails(() -> store().append("large", ExpectedVersion.any(), togetherTooLarge),
                EventTooLargeException.class, ErrorCode.TOO_LARGE);

        assertThat(data.getMessage()).contains(Integer.toString(DEFAULT_MAX_EVENT_BYTES));
        assertRefusedAppendLeftNoTrace(-1, small, dataTooLarge, togetherTooLarge);
    }

    @Test
    default void aReadLimitOutsideOneToTheMaximumIsRefused() {
        store().append("limited", ExpectedVersion.any(), event("one"));

        for (int limit : new int[] {0, -1, Limits.MAX_READ_LIMIT + 1, Integer.MAX_VALUE}) {
            InvalidRequestException stream = assertFails(() -> store().readStream("limited", 0, Direction.FORWARD, limit),
                    InvalidRequestException.class, ErrorCode.BAD_REQUEST);
            assertFails(() -> store().readAll(0, Direction.BACKWARD, limit),
                    InvalidRequestException.class, ErrorCode.BAD_REQUEST);
            assertFails(() -> store().listStreams("", null, limit),
                    InvalidRequestException.class, ErrorCode.BAD_REQUEST);
            assertThat(stream.getMessage()).contains("limit");
        }
        assertThat(store().readStream("limited", 0, Direction.FORWARD, Limits.MAX_READ_LIMIT)).hasSize(1);
        assertThat(store().readAll(EventStore.END, Direction.BACKWARD, Limits.MAX_READ_LIMIT)).hasSize(1);
        assertThat(store().listStreams("", null, Limits.MAX_READ_LIMIT).streams()).hasSize(1);
    }

    @Test
    default void aNegativeStartOfAReadIsRefused() {
        assertFails(() -> store().readStream("negative", -1, Direction.FORWARD, 10),
                InvalidRequestException.class, ErrorCode.BAD_REQUEST);
        assertFails(() -> store().readAll(-1, Direction.BACKWARD, 10),
                InvalidRequestException.class, ErrorCode.BAD_REQUEST);
    }
}
