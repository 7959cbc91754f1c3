package io.rewind.log;

import io.rewind.api.CorruptionException;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.StreamInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The read side of the log: what readers may see, and how they read it.
 *
 * <p>The writer thread publishes, in this order, the segments, the indexes, and last the visible
 * head (the newest position readers may see: forced under {@code ALWAYS}, written otherwise);
 * readers read the head first, then the indexes and segments, so everything they find for a
 * position at or below that head is complete. Readers never take a lock the writer holds: sealed
 * segments are immutable, and the active one is read only below the head with positional reads.
 * Every record read is checked (length, CRC-32C, position) before it is decoded.
 *
 * <p>Thread-safe. Reader threads must never be interrupted inside a read: that closes the
 * shared channel.
 */
final class LogReader {

    private static final int CHUNK_BYTES = 64 * 1024;
    private static final int SINGLE_READ_BYTES = 1024;

    private final StreamHeads heads;
    private final ThreadLocal<ByteBuffer> chunks = ThreadLocal.withInitial(() -> ByteBuffer.allocate(CHUNK_BYTES));
    private final ThreadLocal<CRC32C> checksums = ThreadLocal.withInitial(CRC32C::new);
    private volatile SegmentList segments;
    private volatile IndexSnapshot indexes;
    private volatile long head;

    LogReader(StreamHeads heads, SegmentList segments, IndexSnapshot indexes,
            long head) {
        this.heads = heads;
        this.segments = segments;
        this.indexes = indexes;
        this.head = head;
    }

    /** Writer thread: a new segment list (before any head inside the new segment is published). */
    void publishSegments(SegmentList newSegments) {
        segments = newSegments;
    }

    /**
     * Replaces the index snapshot (writer thread when it freezes a tail, before any head the new
     * tail covers is published; index flusher thread when a generation is written). Synchronized
     * because both threads publish.
     */
    synchronized void updateIndexes(java.util.function.UnaryOperator<IndexSnapshot> change) {
        indexes = change.apply(indexes);
    }

    /** Writer thread: the newest position readers may see. */
    void publishHead(long newHead) {
        head = newHead;
    }

    long head() {
        return head;
    }

    SegmentList segments() {
        return segments;
    }

    IndexSnapshot indexes() {
        return indexes;
    }

    StreamHeads heads() {
        return heads;
    }

    /** The events at positions {@code from..to} (inclusive, both at most the head), in order. */
    List<RecordedEvent> readRange(long from, long to) {
        List<RecordedEvent> events = new ArrayList<>((int) Math.min(to - from + 1, 1024));
        readRange(from, to, events::add);
        return events;
    }

    /**
     * Offers the events at positions {@code from..to} (inclusive, both at most the head) to
     * {@code page} in order, until it is full.
     */
    void readRange(long from, long to, io.rewind.api.EventPage.Builder page) {
        readRange(from, to, page::offer);
    }

    /** A record as the reader decoded it, with whether it ends its append (the COMMIT flag). */
    interface RecordVisitor {
        /** Returns false to stop the read. */
        boolean visit(RecordedEvent event, boolean commit);
    }

    /** Decodes the events at {@code from..to} in order while {@code consumer} takes them. */
    private void readRange(long from, long to, java.util.function.Predicate<RecordedEvent> consumer) {
        readRecords(from, to, (event, commit) -> consumer.test(event));
    }

    /** Whether the record at a visible {@code position} ends its append (carries the COMMIT flag). */
    boolean endsAppend(long position) {
        return RecordCodec.isCommit(recordAt(position), 0);
    }

    /**
     * Decodes the records at {@code from..to} (inclusive, both at most the head) in order, with
     * their COMMIT flags, while {@code visitor} takes them.
     */
    void readRecords(long from, long to, RecordVisitor visitor) {
        IndexSnapshot index = indexes;
        SegmentList segmentList = segments;
        long position = from;
        while (position <= to) {
            Segment segment = segmentList.holding(position);
            long segmentEnd = Math.min(to + 1, segmentList.nextBaseAfter(position));
            long offset = index.offsetOf(position);
            ByteBuffer chunk = read(segment, offset, CHUNK_BYTES);
            int at = 0;
            while (position < segmentEnd) {
                RecordCodec.Check check = RecordCodec.check(chunk, at, chunk.limit(), checksums.get());
                if (check == RecordCodec.Check.INCOMPLETE && at > 0) {
                    break;
                }
                if (check == RecordCodec.Check.INCOMPLETE && chunk.limit() >= RecordCodec.FRAME_BYTES) {
                    chunk = read(segment, offset, RecordCodec.totalSize(chunk, 0));
                    continue;
                }
                requireValid(check, chunk, at, segment, offset + at, position);
                if (!visitor.visit(RecordCodec.decode(chunk, at), RecordCodec.isCommit(chunk, at))) {
                    return;
                }
                at += RecordCodec.totalSize(chunk, at);
                position++;
            }
        }
    }

    /** The event at a visible {@code position}. */
    RecordedEvent readAt(long position) {
        ByteBuffer record = recordAt(position);
        return RecordCodec.decode(record, 0);
    }

    /** The timestamp (microseconds) of the event at a visible {@code position}. */
    long timestampAt(long position) {
        return RecordCodec.timestampMicros(recordAt(position), 0);
    }

    /** The event with this id among the visible ones. */
    Optional<RecordedEvent> readById(UUID id) {
        long visible = head;
        long position = indexes.positionOfId(id.getMostSignificantBits(), id.getLeastSignificantBits(), visible);
        if (position < 0) {
            return Optional.empty();
        }
        RecordedEvent event = readAt(position);
        if (!event.id().equals(id)) {
            throw new CorruptionException("the id index maps event " + id + " to position " + position
                    + ", which holds event " + event.id());
        }
        return Optional.of(event);
    }

    /**
     * The event of {@code stream} at {@code version}, which the stream heads say exists.
     *
     * @throws CorruptionException if the index has no such entry
     */
    RecordedEvent readStreamVersion(String stream, byte[] streamBytes, long streamHash, long version) {
        RecordedEvent[] found = new RecordedEvent[1];
        long visible = head;
        indexes.forEachStreamCandidate(streamHash, version, visible, candidate -> {
            if (found[0] == null) {
                ByteBuffer record = recordAt(candidate);
                if (RecordCodec.streamEquals(record, 0, streamBytes)) {
                    found[0] = RecordCodec.decode(record, 0);
                }
            }
        });
        if (found[0] == null) {
            throw new CorruptionException("the stream index has no entry for stream '" + stream + "' version "
                    + version + ", though the stream's head is at or beyond it");
        }
        return found[0];
    }

    /** The record at a visible position, checked, at offset 0 of the returned buffer. */
    private ByteBuffer recordAt(long position) {
        Segment segment = segments.holding(position);
        long offset = indexes.offsetOf(position);
        ByteBuffer record = read(segment, offset, SINGLE_READ_BYTES);
        RecordCodec.Check check = RecordCodec.check(record, 0, record.limit(), checksums.get());
        if (check == RecordCodec.Check.INCOMPLETE && record.limit() >= RecordCodec.FRAME_BYTES) {
            record = read(segment, offset, RecordCodec.totalSize(record, 0));
            check = RecordCodec.check(record, 0, record.limit(), checksums.get());
        }
        requireValid(check, record, 0, segment, offset, position);
        return record;
    }

    private void requireValid(RecordCodec.Check check, ByteBuffer buffer, int at, Segment segment, long fileOffset,
            long position) {
        if (check != RecordCodec.Check.VALID) {
            throw new CorruptionException(RecordCodec.describe(check, buffer, at, buffer.limit(), segment.path(),
                    fileOffset, checksums.get()) + " (reading position " + position + ")");
        }
        long stored = RecordCodec.position(buffer, at);
        if (stored != position) {
            throw new CorruptionException("record at offset " + fileOffset + " of " + segment.path()
                    + " holds position " + stored + ", expected " + position);
        }
    }

    /**
     * Reads up to {@code length} bytes of {@code segment} at {@code offset} (fewer at the end of
     * the file) into a buffer whose limit is the number read.
     */
    private ByteBuffer read(Segment segment, long offset, int length) {
        ByteBuffer buffer = chunks.get();
        if (buffer.capacity() < length) {
            buffer = ByteBuffer.allocate(length);
        }
        buffer.clear().limit(length);
        try {
            while (buffer.hasRemaining()) {
                int read = segment.file().read(buffer, offset + buffer.position());
                if (read < 0) {
                    break;
                }
            }
        } catch (ClosedByInterruptException e) {
            throw new StoreUnavailableException("interrupted while reading " + segment.path(), e);
        } catch (ClosedChannelException e) {
            throw new StoreClosedException("the store is closed (reading " + segment.path() + ")");
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot read " + segment.path() + " at offset " + offset + ": " + e, e);
        }
        return buffer.flip();
    }

}
