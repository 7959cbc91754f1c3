package io.rewind.log;

import io.rewind.api.StreamInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies replayed records to the indexes and stream heads, an append at a time: records are held
 * until the record carrying the COMMIT flag arrives, so an append that was only partly written
 * never shows. Used by {@link Recovery} on the opening thread; not thread-safe.
 */
final class Replay {

    private record Pending(int offset, long idMost, long idLeast, String stream, long version, long timestampMicros) {
    }

    private final TailIndex tail;
    private final StreamHeads heads;
    private final List<Pending> pending = new ArrayList<>();
    private long nextPosition;
    private long lastTimestampMicros;
    private byte[] lastStreamBytes = new byte[0];
    private String lastStream = "";

    Replay(TailIndex tail, StreamHeads heads, long nextPosition,
            long lastTimestampMicros) {
        this.tail = tail;
        this.heads = heads;
        this.nextPosition = nextPosition;
        this.lastTimestampMicros = lastTimestampMicros;
    }

    /** Holds a valid record (whose position the caller checked) until its append commits. */
    void record(ByteBuffer buffer, int at, int offset) {
        String stream;
        if (RecordCodec.streamEquals(buffer, at, lastStreamBytes)) {
            stream = lastStream; // consecutive records of one stream are common; skip the decode
        } else {
            stream = RecordCodec.stream(buffer, at);
            lastStream = stream;
            lastStreamBytes = stream.getBytes(StandardCharsets.UTF_8);
        }
        pending.add(new Pending(offset, RecordCodec.idMost(buffer, at), RecordCodec.idLeast(buffer, at), stream,
                RecordCodec.version(buffer, at), RecordCodec.timestampMicros(buffer, at)));
    }

    /** The held records form a whole append: index them. */
    void commit() {
        for (Pending record : pending) {
            long position = nextPosition++;
            tail.add(record.offset(), record.idMost(), record.idLeast(), StreamHash.of(record.stream()),
                    record.version());
            StreamInfo previous = heads.get(record.stream());
            long first = previous == null ? position : previous.firstPosition();
            heads.put(new StreamInfo(record.stream(), record.version(), first, position));
            lastTimestampMicros = record.timestampMicros();
        }
        pending.clear();
    }

    boolean hasUncommitted() {
        return !pending.isEmpty();
    }

    int uncommittedCount() {
        return pending.size();
    }

    /** The position the next record must carry. */
    long nextUncommittedPosition() {
        return nextPosition + pending.size();
    }

    /** The position after the last committed record. */
    long nextPosition() {
        return nextPosition;
    }

    long lastTimestampMicros() {
        return lastTimestampMicros;
    }

    TailIndex tail() {
        return tail;
    }
}
