package io.rewind.groups;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.SystemStreams;
import io.rewind.api.WrongExpectedVersionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One group as a {@link GroupService} runs it: its dispatcher, its consumers' sinks, how far it has
 * read the store, and what of its state is written. Reads ahead and writes its state; the service
 * decides when. Not thread-safe: the service's thread only.
 */
final class RunningGroup {

    private static final Logger LOG = LoggerFactory.getLogger(RunningGroup.class);

    /** What the group is; replaced (with new settings) by an update. */
    GroupDefinition definition;
    /** The version of the group's {@code GroupCreated} event; see {@link GroupRecords}. */
    final long generation;
    /** The version of the group's last definition event (created or updated): what a delete or update expects. */
    long definitionVersion;
    final GroupDispatcher dispatcher;
    final Map<String, DeliverySink> sinks = new LinkedHashMap<>();
    /** The checkpoint last written to the store: where a restart resumes. */
    long durableCheckpoint;
    /** The time-driven step armed for the group, and when it is due. */
    ScheduledFuture<?> wakeUp;
    Instant wakeUpAt;
    /** Whether a step is queued on the service's thread already. */
    boolean stepQueued;
    boolean deleted;
    /** The next position to read from the store. */
    private long readFrom;
    /** Parked-list changes taken from the dispatcher and not yet written. */
    private final List<ParkedChange> unwritten = new ArrayList<>();
    private Instant lastWrite = Instant.EPOCH;
    /** What the next state write expects its streams to be at: the versions of this service's last write. */
    private GroupLoader.StateVersions versions;
    /** Whether the last state write failed: its outcome may be unknown (stored after all). */
    private boolean lastWriteUncertain;

    RunningGroup(GroupDefinition definition, long generation, long definitionVersion, GroupDispatcher dispatcher,
            GroupLoader.StateVersions versions) {
        this.definition = definition;
        this.generation = generation;
        this.definitionVersion = definitionVersion;
        this.dispatcher = dispatcher;
        this.versions = versions;
        this.readFrom = dispatcher.lastPosition() + 1;
        this.durableCheckpoint = dispatcher.checkpoint();
    }

    String name() {
        return definition.name();
    }

    /**
     * Reads the store's global order ahead of the consumers, until {@code maxBuffered} events wait
     * or the head is reached. System-stream events are passed over without moving the checkpoint,
     * so the group's own writes never feed back into it; events the filter does not match are
     * scanned (they let the checkpoint move).
     */
    void readAhead(EventStore store, int maxBuffered, int readBatch) {
        while (dispatcher.bufferedCount() < maxBuffered && readFrom <= store.headPosition()) {
            int room = Math.min(readBatch, maxBuffered - dispatcher.bufferedCount());
            List<RecordedEvent> page = store.readAll(ReadOptions.from(readFrom, Direction.FORWARD)
                    .withMaxEvents(room)).events();
            if (page.isEmpty()) {
                return;
            }
            for (RecordedEvent event : page) {
                readFrom = event.position() + 1;
                if (SystemStreams.isSystem(event.stream())) {
                    continue;
                }
                if (definition.filter().matches(event)) {
                    dispatcher.eventArrived(event);
                } else {
                    dispatcher.scannedTo(event.position());
                }
            }
        }
    }

    /** Whether the store holds events the group has not read yet. */
    boolean behind(EventStore store) {
        return readFrom <= store.headPosition();
    }

    /** Whether the checkpoint or the parked list changed since the last write. */
    boolean dirty() {
        return !unwritten.isEmpty() || dispatcher.hasParkedChanges() || dispatcher.checkpoint() != durableCheckpoint;
    }

    /** When the next write may happen (the flush interval after the last one). */
    Instant nextWriteAt(Duration flushInterval) {
        return lastWrite.plus(flushInterval);
    }

    /**
     * Writes the checkpoint and the parked changes in one atomic append, if they changed and
     * either {@code force} or the flush interval has passed. A failure is logged and keeps them for
     * the next write; nothing is dropped.
     *
     * <p>Each stream is appended at the version this service last wrote or read it at, never with
     * "any": a write made against older versions — the late write of a deposed leader's service,
     * which its node's Raft client still retries after a new leader's service has written — is
     * refused by the store instead of moving the checkpoint back. When this service's own write is
     * refused that way, another writer appended since: it is logged at WARN with both versions,
     * the versions are read again, and this service's state (which it keeps) is written over at
     * the next write.
     */
    void writeState(EventStore store, Instant now, Duration flushInterval, boolean force) {
        unwritten.addAll(dispatcher.drainParkedChanges());
        long checkpoint = dispatcher.checkpoint();
        if (unwritten.isEmpty() && checkpoint == durableCheckpoint) {
            return;
        }
        if (!force && now.isBefore(nextWriteAt(flushInterval))) {
            return;
        }
        String parkedStream = GroupRecords.parkedStream(name());
        String checkpointStream = GroupRecords.checkpointStream(name());
        AppendRequest.Builder request = AppendRequest.builder();
        boolean parkedWritten = !unwritten.isEmpty();
        boolean checkpointWritten = checkpoint != durableCheckpoint;
        if (parkedWritten) {
            request.append(parkedStream, GroupLoader.expectedAt(versions.parked()),
                    unwritten.stream().map(change -> GroupRecords.change(generation, change)).toList());
        }
        if (checkpointWritten) {
            request.append(checkpointStream, GroupLoader.expectedAt(versions.checkpoint()),
                    GroupRecords.checkpoint(generation, checkpoint));
        } else {
            // Every state write depends on the checkpoint stream's version, so that one checkpoint
            // record of a later service (its fence at open) refuses every write made before it.
            request.check(checkpointStream, GroupLoader.expectedAt(versions.checkpoint()));
        }
        lastWrite = now;
        try {
            AppendResult result = store.append(request.build());
            unwritten.clear();
            durableCheckpoint = checkpoint;
            versions = new GroupLoader.StateVersions(
                    checkpointWritten ? result.lastVersion(checkpointStream) : versions.checkpoint(),
                    parkedWritten ? result.lastVersion(parkedStream) : versions.parked());
            lastWriteUncertain = false;
        } catch (WrongExpectedVersionException e) {
            GroupLoader.StateVersions expected = versions;
            try {
                versions = GroupLoader.stateVersions(store, name());
            } catch (EventStoreException readFailed) {
                // The next write fails its expected version again and reads them again.
                LOG.warn("Group '{}': its state write was refused on its expected version and its state streams"
                        + " could not be read again; will retry", name(), readFailed);
                return;
            }
            if (lastWriteUncertain) {
                // Most likely this service's own earlier write, whose outcome was not known, was stored.
                LOG.info("Group '{}': its state streams moved past the versions it expected (checkpoint stream at {},"
                        + " expected {}; parked stream at {}, expected {}): its earlier write whose outcome was unknown"
                        + " was stored, or another writer appended; it writes its state over at the next write",
                        name(), versions.checkpoint(), expected.checkpoint(), versions.parked(), expected.parked());
            } else {
                LOG.warn("Group '{}': another writer appended to its state since this service wrote it (checkpoint"
                        + " stream at version {}, expected {}; parked stream at {}, expected {}) — a deposed leader's"
                        + " late write, or a second service over this store; this service keeps its own state"
                        + " (checkpoint {}, {} parked changes) and writes it over at the next write", name(),
                        versions.checkpoint(), expected.checkpoint(), versions.parked(), expected.parked(), checkpoint,
                        unwritten.size());
            }
            lastWriteUncertain = false;
        } catch (EventStoreException e) {
            lastWriteUncertain = true;
            LOG.warn("Group '{}' could not write its checkpoint {} and {} parked changes; will retry", name(),
                    checkpoint, unwritten.size(), e);
        }
    }

    /** Adds this group's fence to {@code request}: its checkpoint as read, at the version read. */
    void addFence(AppendRequest.Builder request) {
        request.append(GroupRecords.checkpointStream(name()), GroupLoader.expectedAt(versions.checkpoint()),
                GroupRecords.checkpoint(generation, durableCheckpoint));
    }

    /** The fence {@link #addFence} added was stored as part of {@code result}. */
    void fenced(AppendResult result) {
        versions = new GroupLoader.StateVersions(result.lastVersion(GroupRecords.checkpointStream(name())),
                versions.parked());
    }

    /** What {@link GroupService#metrics()} reads, taken on the service's thread. */
    record Published(String name, int consumers, int inFlight, int unsettled, long lastRead,
            Instant oldestUnsettled, long redeliveries, int parked) {
    }

    Published publish() {
        return new Published(name(), dispatcher.consumers().size(), dispatcher.inFlightCount(),
                dispatcher.unsettledCount(), readFrom - 1,
                dispatcher.oldestUnsettled().map(RecordedEvent::timestamp).orElse(null), dispatcher.redeliveries(),
                dispatcher.parkedCount());
    }

    GroupInfo info(long head) {
        return new GroupInfo(definition, dispatcher.checkpoint(), durableCheckpoint, head, dispatcher.consumers(),
                dispatcher.inFlight().size(), dispatcher.bufferedCount(), dispatcher.parked().size());
    }
}
