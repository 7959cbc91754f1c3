package io.rewind.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.WrongExpectedVersionException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions the contract tests share, for other stores' own tests too. Stateless and thread-safe. */
public final class StoreAssertions {

    private StoreAssertions() {
    }

    /**
     * Asserts that {@code call} throws exactly {@code type} with {@code code}, and returns it.
     * Exact, because a remote client must raise the very type the embedded store raises.
     */
    public static <T extends EventStoreException> T assertFails(ThrowingCallable call, Class<T> type, ErrorCode code) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("the exception thrown").isExactlyInstanceOf(type);
        T exception = type.cast(thrown);
        assertThat(exception.code()).as("error code of " + exception).isEqualTo(code);
        assertThat(exception.getMessage()).as("message of " + exception).isNotBlank();
        return exception;
    }

    /**
     * Asserts that {@code call} throws a {@link WrongExpectedVersionException} naming {@code stream},
     * {@code expected} and {@code actualVersion}, in its fields and in its message.
     */
    public static WrongExpectedVersionException assertWrongExpectedVersion(ThrowingCallable call, String stream,
            ExpectedVersion expected, long actualVersion) {
        WrongExpectedVersionException exception = assertFails(call, WrongExpectedVersionException.class,
                ErrorCode.WRONG_EXPECTED_VERSION);
        assertThat(exception.stream()).as("stream of " + exception).isEqualTo(stream);
        assertThat(exception.expected()).as("expected version of " + exception).isEqualTo(expected);
        assertThat(exception.actualVersion()).as("actual version of " + exception).isEqualTo(actualVersion);
        assertThat(exception.getMessage()).contains(stream);
        return exception;
    }

    /** Asserts that {@code recorded} is {@code proposed}, stored at {@code stream}/{@code version}/{@code position}. */
    public static void assertRecorded(RecordedEvent recorded, EventData proposed, String stream, long version,
            long position) {
        assertThat(recorded.stream()).as("stream of " + recorded).isEqualTo(stream);
        assertThat(recorded.version()).as("version of " + recorded).isEqualTo(version);
        assertThat(recorded.position()).as("position of " + recorded).isEqualTo(position);
        if (proposed.id() != null) {
            assertThat(recorded.id()).as("id of " + recorded).isEqualTo(proposed.id());
        }
        assertThat(recorded.type()).as("type of " + recorded).isEqualTo(proposed.type());
        assertThat(recorded.data()).as("data of " + recorded).isEqualTo(proposed.data());
        assertThat(recorded.metadata()).as("metadata of " + recorded).isEqualTo(proposed.metadata());
    }

    /**
     * Asserts that {@code log}, the whole store read in global order, has positions 0, 1, 2, ... with
     * no gap or duplicate, and that each stream's versions run 0, 1, 2, ... along it.
     */
    public static void assertDenseAndOrdered(List<RecordedEvent> log) {
        Map<String, Long> nextVersion = new HashMap<>();
        for (int i = 0; i < log.size(); i++) {
            RecordedEvent event = log.get(i);
            assertThat(event.position()).as("position of the event at index " + i + " of the log: " + event)
                    .isEqualTo(i);
            long expectedVersion = nextVersion.getOrDefault(event.stream(), 0L);
            assertThat(event.version()).as("version of " + event + " in global order").isEqualTo(expectedVersion);
            nextVersion.put(event.stream(), expectedVersion + 1);
        }
    }
}
