package io.rewind.groups;

import io.rewind.api.CorruptionException;
import io.rewind.api.EventData;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.RecordedEvent;
import io.rewind.api.SubscriptionRequest;
import io.rewind.api.SystemStreams;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The events the group state is kept in, and their bytes: the one place that layout lives
 * (docs/GROUPS.md shows it as a table). Three system streams per group NAME:
 *
 * <table>
 *   <caption>Streams</caption>
 *   <tr><th>stream</th><th>event types</th><th>read on start-up</th></tr>
 *   <tr><td>{@code $rewind.group.NAME}</td><td>{@value #CREATED}, {@value #UPDATED}, {@value #DELETED}</td><td>the last event</td></tr>
 *   <tr><td>{@code $rewind.checkpoint.NAME}</td><td>{@value #CHECKPOINT}</td><td>the last event</td></tr>
 *   <tr><td>{@code $rewind.parked.NAME}</td><td>{@value #PARKED}, {@value #RESOLVED}</td><td>all, in order</td></tr>
 * </table>
 *
 * <p>A group's <em>generation</em> is the version of its {@value #CREATED} event: checkpoint and
 * parked records carry it, so a group deleted and created again under the same name starts clean
 * instead of inheriting the old one's checkpoint; an {@value #UPDATED} event carries the generation
 * it updates and the whole definition with its new settings. Every body starts with a format byte
 * ({@value #FORMAT}); integers are big-endian, strings are Java's modified UTF-8 with a 2-byte
 * length, durations are nanoseconds. Thread-safe (no state).
 */
final class GroupRecords {

    static final String DEFINITION_PREFIX = SystemStreams.PREFIX + "group.";
    static final String CHECKPOINT_PREFIX = SystemStreams.PREFIX + "checkpoint.";
    static final String PARKED_PREFIX = SystemStreams.PREFIX + "parked.";

    static final String CREATED = "GroupCreated";
    static final String UPDATED = "GroupUpdated";
    static final String DELETED = "GroupDeleted";
    static final String CHECKPOINT = "Checkpoint";
    static final String PARKED = "Parked";
    static final String RESOLVED = "ParkedResolved";

    static final int FORMAT = 1;
    /** Parked reasons are cut to this many characters, so a record always fits a modified-UTF-8 string. */
    static final int MAX_REASON_CHARS = 2_000;

    /** What a parked record points at; the event itself is read back from the store by position. */
    record ParkedRecord(long generation, long position, String stream, UUID id, int attempts, String reason) {
    }

    private GroupRecords() {
    }

    static String definitionStream(String group) {
        return DEFINITION_PREFIX + group;
    }

    static String checkpointStream(String group) {
        return CHECKPOINT_PREFIX + group;
    }

    static String parkedStream(String group) {
        return PARKED_PREFIX + group;
    }

    static EventData created(GroupDefinition definition) {
        return EventData.of(CREATED, write(out -> writeDefinition(out, definition)));
    }

    /** A definition with new settings, for the group of {@code generation}. */
    static EventData updated(long generation, GroupDefinition definition) {
        return EventData.of(UPDATED, write(out -> {
            out.writeLong(generation);
            writeDefinition(out, definition);
        }));
    }

    private static void writeDefinition(DataOutputStream out, GroupDefinition definition) throws IOException {
        GroupSettings s = definition.settings();
        out.writeUTF(definition.name());
        out.writeInt(s.maxInFlightPerConsumer());
        out.writeLong(s.ackTimeout().toNanos());
        out.writeInt(s.maxRetries());
        out.writeLong(s.retryBackoff().toNanos());
        out.writeUTF(s.strategy().name());
        GroupFilter filter = definition.filter();
        out.writeUTF(filter.scope().name());
        out.writeUTF(filter.target());
        out.writeInt(filter.types().size());
        for (String type : filter.types()) {
            out.writeUTF(type);
        }
        out.writeLong(definition.startAfter());
    }

    static EventData deleted(String group) {
        return EventData.of(DELETED, write(out -> out.writeUTF(group)));
    }

    static EventData checkpoint(long generation, long position) {
        return EventData.of(CHECKPOINT, write(out -> {
            out.writeLong(generation);
            out.writeLong(position);
        }));
    }

    static EventData change(long generation, ParkedChange change) {
        if (change instanceof ParkedChange.Parked parked) {
            ParkedEvent event = parked.parked();
            String reason = event.reason().length() > MAX_REASON_CHARS
                    ? event.reason().substring(0, MAX_REASON_CHARS) : event.reason();
            return EventData.of(PARKED, write(out -> {
                out.writeLong(generation);
                out.writeLong(event.position());
                out.writeUTF(event.event().stream());
                out.writeLong(event.event().id().getMostSignificantBits());
                out.writeLong(event.event().id().getLeastSignificantBits());
                out.writeInt(event.attempts());
                out.writeUTF(reason);
            }));
        }
        return EventData.of(RESOLVED, write(out -> {
            out.writeLong(generation);
            out.writeLong(change.position());
        }));
    }

    static GroupDefinition readCreated(RecordedEvent event) {
        return read(event, CREATED, GroupRecords::readDefinition);
    }

    /** An updated definition and the generation it belongs to. */
    record Updated(long generation, GroupDefinition definition) {
    }

    static Updated readUpdated(RecordedEvent event) {
        return read(event, UPDATED, in -> new Updated(in.readLong(), readDefinition(in)));
    }

    private static GroupDefinition readDefinition(DataInputStream in) throws IOException {
        String name = in.readUTF();
        GroupSettings settings = new GroupSettings(in.readInt(), Duration.ofNanos(in.readLong()), in.readInt(),
                Duration.ofNanos(in.readLong()), Strategy.valueOf(in.readUTF()));
        SubscriptionRequest.Scope scope = SubscriptionRequest.Scope.valueOf(in.readUTF());
        String target = in.readUTF();
        int count = in.readInt();
        List<String> types = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            types.add(in.readUTF());
        }
        return new GroupDefinition(name, settings, new GroupFilter(scope, target, Set.copyOf(types)), in.readLong());
    }

    /** The (generation, position) of a checkpoint record. */
    static long[] readCheckpoint(RecordedEvent event) {
        return read(event, CHECKPOINT, in -> new long[] {in.readLong(), in.readLong()});
    }

    /** A parked record, or for a resolved one a record with only generation and position set. */
    static ParkedRecord readParkedChange(RecordedEvent event) {
        if (event.type().equals(RESOLVED)) {
            return read(event, RESOLVED, in -> new ParkedRecord(in.readLong(), in.readLong(), null, null, 0, null));
        }
        return read(event, PARKED, in -> new ParkedRecord(in.readLong(), in.readLong(), in.readUTF(),
                new UUID(in.readLong(), in.readLong()), in.readInt(), in.readUTF()));
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(RecordedEvent event, String type, Reader<T> reader) {
        String where = "group state event " + event.stream() + "@" + event.version() + " (position " + event.position()
                + ")";
        if (!event.type().equals(type)) {
            throw new CorruptionException(where + " has type '" + event.type() + "', expected '" + type + "'");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(event.data()))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new CorruptionException(where + " has format " + format + ", this version reads " + FORMAT);
            }
            T value = reader.read(in);
            if (in.available() > 0) {
                throw new CorruptionException(where + " has " + in.available() + " bytes after its last field");
            }
            return value;
        } catch (IOException | IllegalArgumentException | InvalidRequestException e) {
            throw new CorruptionException(where + " cannot be read: " + e.getMessage(), e);
        }
    }
}
