package io.rewind.testkit;

import static io.rewind.testkit.StoreAssertions.assertRecorded;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Events come back exactly as they went in, byte for byte and character for character, through
 * every way of reading them: the stream, the global log and the id look-up.
 */
public interface EventDataContract extends ContractFixture {

    @Test
    default void emptyDataAndMetadataAndAnEmptyTypeReadBackEmpty() {
        EventData empty = new EventData(UUID.randomUUID(), "", new byte[0], new byte[0]);

        store().append("empty", ExpectedVersion.noStream(), empty);

        assertReadsBackEverywhere(empty, "empty", 0, 0);
        RecordedEvent stored = store().readEvent(empty.id()).orElseThrow();
        assertThat(stored.dataSize()).isZero();
        assertThat(stored.metadataSize()).isZero();
        assertThat(stored.type()).isEmpty();
    }

    @Test
    default void everyByteValueSurvivesInDataAndInMetadata() {
        byte[] allBytes = TestEvents.allByteValues();
        byte[] reversed = new byte[allBytes.length];
        for (int i = 0; i < allBytes.length; i++) {
            reversed[i] = allBytes[allBytes.length - 1 - i];
        }
        EventData binary = new EventData(UUID.randomUUID(), "binary", allBytes, reversed);

        store().append("binary", ExpectedVersion.noStream(), binary);

        assertReadsBackEverywhere(binary, "binary", 0, 0);
    }

    @Test
    default void anEventOfOneMebibyteReadsBackByteForByte() {
        EventData small = TestEvents.event("before");
        EventData large = new EventData(UUID.randomUUID(), "large", TestEvents.randomBytes(1024 * 1024, 42),
                TestEvents.randomBytes(4096, 43));

        store().append("large", ExpectedVersion.noStream(), small, large, TestEvents.event("after"));

        assertReadsBackEverywhere(large, "large", 1, 1);
        assertReadsBackEverywhere(small, "large", 0, 0);
    }

    @Test
    default void dataAndMetadataAreKeptApart() {
        EventData event = new EventData(UUID.randomUUID(), "apart", TestEvents.utf8("data"),
                TestEvents.utf8("metadata"));

        store().append("apart", ExpectedVersion.noStream(), event);

        RecordedEvent stored = store().readEvent(event.id()).orElseThrow();
        assertThat(TestEvents.text(stored)).isEqualTo("data");
        assertThat(stored.metadata()).isEqualTo(TestEvents.utf8("metadata"));
    }

    @Test
    default void unicodeStreamNamesAndTypesReadBackUnchanged() {
        List<String> names = List.of("Bestellung-ä-ö-ü-ß", "заказ-1", "注文-流れ", "emoji-🎉-𝄞", "ﬁ-ligature",
                "tab\tand space", "a/b:c#d?e");
        for (String name : names) {
            EventData event = TestEvents.event("タイプ-" + name, "event of " + name);
            store().append(name, ExpectedVersion.noStream(), event);
        }

        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            List<RecordedEvent> stream = store().readStream(name, 0, Direction.FORWARD, 10);
            assertThat(stream).as("stream " + name).singleElement().satisfies(event -> {
                assertThat(event.stream()).isEqualTo(name);
                assertThat(event.type()).isEqualTo("タイプ-" + name);
                assertThat(TestEvents.text(event)).isEqualTo("event of " + name);
            });
            int position = i;
            assertThat(store().streamInfo(name)).as("info of stream " + name)
                    .contains(new StreamInfo(name, 0, position, position));
        }
        assertThat(readWholeStore()).extracting(RecordedEvent::stream).containsExactlyElementsOf(names);
        assertThat(store().listStreams("", null, 100).streams()).extracting(StreamInfo::stream)
                .containsExactlyInAnyOrderElementsOf(names);
        assertThat(store().listStreams("emoji-🎉", null, 100).streams()).extracting(StreamInfo::stream)
                .containsExactly("emoji-🎉-𝄞");
    }

    @Test
    default void streamNamesDifferingOnlyInCaseOrNormalisationAreDistinctStreams() {
        // "é" precomposed (U+00E9) and decomposed (e + U+0301) are different byte strings.
        List<String> names = List.of("Order", "order", "ORDER", "caf\u00e9", "cafe\u0301");
        for (String name : names) {
            store().append(name, ExpectedVersion.noStream(), TestEvents.event(name));
        }

        for (String name : names) {
            assertThat(store().readStream(name, 0, Direction.FORWARD, 10)).as("stream " + name)
                    .singleElement().satisfies(event -> assertThat(TestEvents.text(event)).isEqualTo(name));
        }
        assertThat(store().listStreams("", null, 10).streams()).hasSize(names.size());
    }

    /** Asserts that {@code proposed} reads back equal through the stream, the global log and its id. */
    private void assertReadsBackEverywhere(EventData proposed, String stream, long version, long position) {
        RecordedEvent fromStream = store().readStream(stream, version, Direction.FORWARD, 1).get(0);
        RecordedEvent fromLog = store().readAll(position, Direction.FORWARD, 1).get(0);
        RecordedEvent byId = store().readEvent(proposed.id()).orElseThrow();
        RecordedEvent backwards = store().readAll(EventStore.END, Direction.BACKWARD, 1000).stream()
                .filter(event -> event.position() == position).findFirst().orElseThrow();
        assertRecorded(fromStream, proposed, stream, version, position);
        assertThat(fromLog).isEqualTo(fromStream);
        assertThat(byId).isEqualTo(fromStream);
        assertThat(backwards).isEqualTo(fromStream);
    }
}
