package io.rewind.testkit;

import static io.rewind.testkit.StoreAssertions.assertWrongExpectedVersion;
import static io.rewind.testkit.TestEvents.event;
import static io.rewind.testkit.TestEvents.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import org.junit.jupiter.api.Test;

/**
 * The four expected versions on a single stream: any, no stream, stream exists, exactly N. A
 * mismatch throws {@code WrongExpectedVersionException} naming stream, expected and actual version,
 * and writes nothing.
 */
public interface ExpectedVersionContract extends ContractFixture {

    @Test
    default void anyAppendsToANewStreamAndToAnExistingOne() {
        AppendResult first = store().append("any", ExpectedVersion.any(), event("first"));
        AppendResult second = store().append("any", ExpectedVersion.any(), event("second"));

        assertThat(first.lastVersion("any")).isZero();
        assertThat(second.lastVersion("any")).isEqualTo(1);
    }

    @Test
    default void noStreamAppendsToAStreamWithNoEvents() {
        AppendResult result = store().append("fresh", ExpectedVersion.noStream(), events("fresh", 2));

        assertThat(result.lastVersion("fresh")).isEqualTo(1);
    }

    @Test
    default void noStreamFailsOnAStreamWithEventsNamingItsVersion() {
        store().append("taken", ExpectedVersion.noStream(), events("taken", 2));
        EventData refused = event("refused");

        assertWrongExpectedVersion(() -> store().append("taken", ExpectedVersion.noStream(), refused),
                "taken", ExpectedVersion.noStream(), 1);

        assertRefusedAppendLeftNoTrace(1, refused);
    }

    @Test
    default void streamExistsAppendsToAStreamWithEvents() {
        store().append("existing", ExpectedVersion.noStream(), event("first"));

        AppendResult result = store().append("existing", ExpectedVersion.streamExists(), event("second"));

        assertThat(result.lastVersion("existing")).isEqualTo(1);
    }

    @Test
    default void streamExistsFailsOnAStreamWithNoEvents() {
        store().append("other", ExpectedVersion.noStream(), event("other"));
        EventData refused = event("refused");

        assertWrongExpectedVersion(() -> store().append("missing", ExpectedVersion.streamExists(), refused),
                "missing", ExpectedVersion.streamExists(), ExpectedVersion.NO_STREAM_VERSION);

        assertRefusedAppendLeftNoTrace(0, refused);
        assertThat(store().streamInfo("missing")).isEmpty();
    }

    @Test
    default void exactlyAppendsWhenTheStreamIsAtThatVersion() {
        store().append("exact", ExpectedVersion.noStream(), event("v0"));
        store().append("exact", ExpectedVersion.exactly(0), event("v1"));

        AppendResult result = store().append("exact", ExpectedVersion.exactly(1), events("v2-v3", 2));

        assertThat(result.events()).extracting(AppendResult.Written::version).containsExactly(2L, 3L);
    }

    @Test
    default void exactlyFailsWhenTheStreamIsBehindOrAhead() {
        store().append("exact", ExpectedVersion.noStream(), events("exact", 3));
        EventData refused = event("refused");

        assertWrongExpectedVersion(() -> store().append("exact", ExpectedVersion.exactly(1), refused),
                "exact", ExpectedVersion.exactly(1), 2);
        assertWrongExpectedVersion(() -> store().append("exact", ExpectedVersion.exactly(3), refused),
                "exact", ExpectedVersion.exactly(3), 2);

        assertRefusedAppendLeftNoTrace(2, refused);
    }

    @Test
    default void exactlyZeroFailsOnAStreamWithNoEvents() {
        EventData refused = event("refused");

        assertWrongExpectedVersion(() -> store().append("empty", ExpectedVersion.exactly(0), refused),
                "empty", ExpectedVersion.exactly(0), ExpectedVersion.NO_STREAM_VERSION);

        assertRefusedAppendLeftNoTrace(-1, refused);
    }

    @Test
    default void theVersionFromAnAppendResultIsTheExpectedVersionForTheNextAppend() {
        long version = store().append("chain", ExpectedVersion.noStream(), event("0")).lastVersion("chain");
        for (int i = 1; i <= 5; i++) {
            version = store().append("chain", ExpectedVersion.exactly(version), events("chain-" + i, i))
                    .lastVersion("chain");
        }

        assertThat(version).isEqualTo(15);
        assertThat(store().streamInfo("chain")).hasValueSatisfying(info -> assertThat(info.headVersion()).isEqualTo(15));
    }

    @Test
    default void aFailedAppendDoesNotCreateTheStream() {
        EventData refused = event("refused");

        assertWrongExpectedVersion(() -> store().append("ghost", ExpectedVersion.streamExists(), refused),
                "ghost", ExpectedVersion.streamExists(), ExpectedVersion.NO_STREAM_VERSION);

        assertThat(store().streamInfo("ghost")).isEmpty();
        assertThat(store().listStreams("", null, 10).streams()).isEmpty();
        EventData first = event("first");
        assertThat(store().append("ghost", ExpectedVersion.noStream(), first).events())
                .containsExactly(new AppendResult.Written("ghost", 0, 0, first.id()));
    }
}
