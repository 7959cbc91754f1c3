package io.rewind.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.CorruptionException;
import io.rewind.api.EventData;
import io.rewind.api.RecordedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The bytes of the group state records: round trips, and damage named precisely. */
class GroupRecordsTest {

    private static RecordedEvent stored(String stream, EventData data) {
        return new RecordedEvent(stream, 3, 42, UUID.randomUUID(), data.type(), Instant.EPOCH, data.data(),
                data.metadata());
    }

    @Test
    void aDefinitionRoundTripsWithEveryField() {
        GroupDefinition definition = new GroupDefinition("billing.v2", new GroupSettings(7, Duration.ofMillis(1_500),
                4, Duration.ofNanos(250_000_001), Strategy.PINNED_BY_STREAM),
                GroupFilter.streamPrefix("invoice-").withTypes(List.of("Sent", "Paid")), 99);
        RecordedEvent event = stored("$rewind.group.billing.v2", GroupRecords.created(definition));
        assertThat(GroupRecords.readCreated(event)).isEqualTo(definition);
    }

    @Test
    void anUpdatedDefinitionRoundTripsWithTheGenerationItUpdates() {
        GroupDefinition definition = new GroupDefinition("billing", new GroupSettings(2, Duration.ofSeconds(45), 9,
                Duration.ofMillis(250), Strategy.ROUND_ROBIN), GroupFilter.stream("invoice-1"), -1);
        RecordedEvent event = stored("$rewind.group.billing", GroupRecords.updated(12, definition));
        assertThat(event.type()).isEqualTo("GroupUpdated");
        assertThat(GroupRecords.readUpdated(event)).isEqualTo(new GroupRecords.Updated(12, definition));
        assertThatThrownBy(() -> GroupRecords.readCreated(event)).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("has type 'GroupUpdated', expected 'GroupCreated'");
    }

    @Test
    void checkpointsAndParkedChangesRoundTrip() {
        assertThat(GroupRecords.readCheckpoint(stored("c", GroupRecords.checkpoint(5, 1234)))).containsExactly(5, 1234);
        RecordedEvent original = new RecordedEvent("order-1", 0, 17, new UUID(1, 2), "Placed", Instant.EPOCH,
                new byte[0], new byte[0]);
        ParkedChange parked = new ParkedChange.Parked(new ParkedEvent(original, 3, "x".repeat(5_000)));
        GroupRecords.ParkedRecord record = GroupRecords.readParkedChange(stored("p", GroupRecords.change(5, parked)));
        assertThat(record.generation()).isEqualTo(5);
        assertThat(record.position()).isEqualTo(17);
        assertThat(record.stream()).isEqualTo("order-1");
        assertThat(record.id()).isEqualTo(new UUID(1, 2));
        assertThat(record.attempts()).isEqualTo(3);
        assertThat(record.reason()).hasSize(GroupRecords.MAX_REASON_CHARS);
        GroupRecords.ParkedRecord resolved = GroupRecords.readParkedChange(
                stored("p", GroupRecords.change(5, new ParkedChange.Resolved(17))));
        assertThat(resolved.stream()).as("a resolved record names no stream").isNull();
        assertThat(resolved.position()).isEqualTo(17);
    }

    @Test
    void damagedRecordsAreNamedByStreamVersionAndPosition() {
        byte[] good = GroupRecords.checkpoint(1, 2).data();
        byte[] newer = good.clone();
        newer[0] = 9;
        assertThatThrownBy(() -> GroupRecords.readCheckpoint(stored("$rewind.checkpoint.g",
                EventData.of(GroupRecords.CHECKPOINT, newer)))).isInstanceOf(CorruptionException.class)
                .hasMessage("group state event $rewind.checkpoint.g@3 (position 42) has format 9, this version reads 1");
        byte[] cut = java.util.Arrays.copyOf(good, good.length - 3);
        assertThatThrownBy(() -> GroupRecords.readCheckpoint(stored("$rewind.checkpoint.g",
                EventData.of(GroupRecords.CHECKPOINT, cut)))).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("cannot be read");
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> GroupRecords.readCheckpoint(stored("$rewind.checkpoint.g",
                EventData.of(GroupRecords.CHECKPOINT, longer)))).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("1 bytes after its last field");
        assertThatThrownBy(() -> GroupRecords.readCreated(stored("$rewind.group.g", GroupRecords.deleted("g"))))
                .isInstanceOf(CorruptionException.class).hasMessageContaining("has type 'GroupDeleted', expected 'GroupCreated'");
    }
}
