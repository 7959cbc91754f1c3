package io.rewind.groups;

import io.rewind.api.Direction;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamPage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the groups a store holds back from their system streams ({@link GroupRecords}): each
 * live definition, its last checkpoint of the same generation, and its parked list. Reads only;
 * called on the service's thread at start-up.
 */
final class GroupLoader {

    private static final Logger LOG = LoggerFactory.getLogger(GroupLoader.class);
    private static final int PAGE = 1_000;

    /** A group as stored: what the service needs to run it again. */
    record Stored(GroupDefinition definition, long generation, long definitionVersion, long checkpoint,
            List<ParkedEvent> parked, StateVersions versions) {
    }

    /**
     * The last versions of a group's checkpoint and parked streams (-1: none) as this service knows
     * them: its state writes expect them, so that a write it did not make (a deposed leader's late
     * one) is noticed, and a late write made against older versions is refused.
     */
    record StateVersions(long checkpoint, long parked) {
    }

    private final EventStore store;

    GroupLoader(EventStore store) {
        this.store = store;
    }

    /** Every group that exists (created and not deleted since), by name. */
    List<Stored> loadAll() {
        List<Stored> groups = new ArrayList<>();
        String after = "";
        while (true) {
            StreamPage page = store.listStreams(GroupRecords.DEFINITION_PREFIX, after, PAGE);
            for (StreamInfo info : page.streams()) {
                load(info.stream()).ifPresent(groups::add);
            }
            if (page.nextAfter().isEmpty()) {
                return groups;
            }
            after = page.nextAfter().get();
        }
    }

    /** The version of a group's last definition event, -1 when its stream has none. */
    long lastDefinitionVersion(String group) {
        return lastVersion(store, GroupRecords.definitionStream(group));
    }

    /** The versions a group's checkpoint and parked streams are at now (what its next state write expects). */
    StateVersions stateVersions(String group) {
        return stateVersions(store, group);
    }

    static StateVersions stateVersions(EventStore store, String group) {
        return new StateVersions(lastVersion(store, GroupRecords.checkpointStream(group)),
                lastVersion(store, GroupRecords.parkedStream(group)));
    }

    /** The expected version of an append after a stream's last version {@code version} (-1: none). */
    static ExpectedVersion expectedAt(long version) {
        return version < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(version);
    }

    /** The version of a stream's last event, -1 when it has none. */
    static long lastVersion(EventStore store, String stream) {
        return last(store, stream).map(RecordedEvent::version).orElse(-1L);
    }

    private Optional<Stored> load(String definitionStream) {
        Optional<RecordedEvent> last = last(definitionStream);
        if (last.isEmpty() || last.get().type().equals(GroupRecords.DELETED)) {
            return Optional.empty();
        }
        GroupDefinition definition;
        long generation;
        if (last.get().type().equals(GroupRecords.UPDATED)) {
            GroupRecords.Updated updated = GroupRecords.readUpdated(last.get());
            definition = updated.definition();
            generation = updated.generation();
        } else {
            definition = GroupRecords.readCreated(last.get());
            generation = last.get().version();
        }
        Optional<RecordedEvent> lastCheckpoint = last(GroupRecords.checkpointStream(definition.name()));
        long checkpoint = lastCheckpoint
                .map(GroupRecords::readCheckpoint)
                .filter(record -> record[0] == generation)
                .map(record -> record[1])
                .orElse(definition.startAfter());
        // Read before the parked list, so that a parked record appended meanwhile makes the first
        // state write fail its expected version instead of being overlooked.
        long parkedVersion = lastVersion(store, GroupRecords.parkedStream(definition.name()));
        List<ParkedEvent> parked = parked(definition.name(), generation);
        LOG.info("Loaded group '{}' (generation {}): checkpoint {}, {} parked", definition.name(), generation,
                checkpoint, parked.size());
        StateVersions versions = new StateVersions(lastCheckpoint.map(RecordedEvent::version).orElse(-1L),
                parkedVersion);
        return Optional.of(new Stored(definition, generation, last.get().version(), checkpoint, parked, versions));
    }

    private List<ParkedEvent> parked(String group, long generation) {
        TreeMap<Long, GroupRecords.ParkedRecord> open = new TreeMap<>();
        String stream = GroupRecords.parkedStream(group);
        long version = 0;
        while (true) {
            List<RecordedEvent> page = store.readStream(stream, ReadOptions.from(version, Direction.FORWARD)
                    .withMaxEvents(PAGE)).events();
            for (RecordedEvent event : page) {
                GroupRecords.ParkedRecord record = GroupRecords.readParkedChange(event);
                if (record.generation() != generation) {
                    continue;
                }
                if (record.stream() == null) {
                    open.remove(record.position());
                } else {
                    open.put(record.position(), record);
                }
            }
            if (page.isEmpty() || page.size() < PAGE) {
                break;
            }
            version = page.get(page.size() - 1).version() + 1;
        }
        List<ParkedEvent> parked = new ArrayList<>();
        for (GroupRecords.ParkedRecord record : open.values()) {
            List<RecordedEvent> found = store.readAll(ReadOptions.from(record.position(), Direction.FORWARD)
                    .withMaxEvents(1)).events();
            if (found.isEmpty() || !found.get(0).id().equals(record.id())) {
                LOG.warn("Group '{}': parked event at position {} ({} in {}) is no longer in the store; dropped"
                        + " from the parked list", group, record.position(), record.id(), record.stream());
                continue;
            }
            parked.add(new ParkedEvent(found.get(0), record.attempts(), record.reason()));
        }
        return parked;
    }

    private Optional<RecordedEvent> last(String stream) {
        return last(store, stream);
    }

    private static Optional<RecordedEvent> last(EventStore store, String stream) {
        List<RecordedEvent> events = store.readStream(stream, ReadOptions.from(EventStore.END, Direction.BACKWARD)
                .withMaxEvents(1)).events();
        return events.stream().findFirst();
    }
}
