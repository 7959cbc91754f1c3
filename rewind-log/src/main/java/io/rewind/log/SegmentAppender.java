package io.rewind.log;

import io.rewind.log.io.FileIO;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write side of the segments: buffers encoded records, writes them to the active segment,
 * rolls to a new segment, forces (recording each forced end in the {@link DurableEnd}
 * checkpoint), and after a failure cuts the files back to what was acknowledged. Writer thread
 * only; not thread-safe.
 *
 * <p>Invariants: {@code fileEnd} is the size of the active segment as far as this writer wrote
 * it; the buffer holds the bytes that follow it. The checkpoint never records more than was
 * forced; after a failure it is brought back within the acknowledged end the files are cut to.
 */
final class SegmentAppender {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentAppender.class);
    private static final int BUFFER_BYTES = 1 << 20;

    private final FileIO io;
    private final Path directory;
    private final long segmentSize;
    private final LogReader reader;
    private final DurableEnd durableEnd;
    private SegmentList segments;
    private Segment active;
    private long fileEnd;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private boolean unforced;
    private long acknowledgedBase;
    private long acknowledgedSize;
    private long acknowledgedNextPosition;

    SegmentAppender(FileIO io, Path directory, long segmentSize, LogReader reader, long activeSize,
            DurableEnd durableEnd) {
        this.io = io;
        this.durableEnd = durableEnd;
        this.directory = directory;
        this.segmentSize = segmentSize;
        this.reader = reader;
        this.segments = reader.segments();
        this.active = segments.last();
        this.fileEnd = activeSize;
        markAcknowledged(durableEnd.last().nextPosition()); // recovery recorded the end it recovered
    }

    /** The offset in the active segment where the next record goes. */
    long writeOffset() {
        return fileEnd + buffer.position();
    }

    Segment active() {
        return active;
    }

    /** Whether an append of {@code bytes} must go to a new segment: it does not fit, and this one has records. */
    boolean needsRoll(long bytes) {
        return writeOffset() + bytes > segmentSize && writeOffset() > Segment.HEADER_BYTES;
    }

    /** Seals the active segment (written and forced) and starts one whose first record is {@code basePosition}. */
    void roll(long basePosition) throws IOException {
        flush();
        active.file().force();
        Segment next = Segment.create(io, directory, basePosition);
        segments = segments.withAdded(next);
        reader.publishSegments(segments);
        active = next;
        fileEnd = Segment.HEADER_BYTES;
        unforced = false;
    }

    /** The buffer, with room for {@code bytes} more (written out or grown first if needed). */
    ByteBuffer room(int bytes) throws IOException {
        if (buffer.remaining() < bytes) {
            flush();
            if (buffer.capacity() < bytes) {
                buffer = ByteBuffer.allocateDirect(bytes);
            }
        }
        return buffer;
    }

    /** Writes the buffered bytes to the active segment (to the OS, not yet forced). */
    void flush() throws IOException {
        if (buffer.position() == 0) {
            return;
        }
        buffer.flip();
        int length = buffer.limit();
        active.file().writeFully(buffer, fileEnd);
        fileEnd += length;
        buffer.clear();
        unforced = true;
        if (buffer.capacity() > BUFFER_BYTES) {
            buffer = ByteBuffer.allocateDirect(BUFFER_BYTES); // do not keep a huge append's buffer
        }
    }

    boolean isUnforced() {
        return unforced;
    }

    /** Forces the durable-end checkpoint if an end was recorded since its last force. */
    void forceDurableEnd() throws IOException {
        durableEnd.forceIfUnforced();
    }

    /**
     * Forces the active segment (earlier ones were forced when sealed), then records its end,
     * where {@code nextPosition} follows the last record written, as the durable end (forced at
     * most every {@value DurableEnd#FORCE_INTERVAL_MILLIS} ms, see {@link DurableEnd}).
     */
    void force(long nextPosition) throws IOException {
        active.file().force();
        unforced = false;
        durableEnd.recordCoalesced(nextPosition, active.basePosition(), fileEnd);
    }

    /**
     * Everything written so far, up to {@code nextPosition}, is acknowledged: a later failure
     * cuts back to here, not before.
     */
    void markAcknowledged(long nextPosition) {
        acknowledgedBase = active.basePosition();
        acknowledgedSize = fileEnd;
        acknowledgedNextPosition = nextPosition;
    }

    /**
     * After a failed write or force: best effort, removes what was written after the last
     * acknowledgement (segments created since, bytes past the acknowledged size), so that a reopen
     * shows exactly the acknowledged appends. Failures here are logged; the store is failed anyway.
     */
    void rollBackToAcknowledged() {
        buffer.clear();
        try {
            while (active.basePosition() != acknowledgedBase) {
                Segment abandoned = active;
                segments = segments.withoutLast();
                reader.publishSegments(segments);
                active = segments.last();
                abandoned.close();
                io.delete(abandoned.path());
            }
            active.file().truncate(acknowledgedSize);
            fileEnd = acknowledgedSize;
            io.forceDirectory(directory);
            // The checkpoint may record an end the cut just removed: bring it back within the log.
            durableEnd.cutBackTo(acknowledgedNextPosition, acknowledgedBase, acknowledgedSize);
        } catch (IOException | RuntimeException e) {
            LOG.error("Could not cut {} back to its acknowledged size {} after a failure; unacknowledged records may "
                    + "reappear on reopen", active.path(), acknowledgedSize, e);
        }
    }

    /** Closes every segment file and the checkpoint. */
    void closeAll() {
        try {
            durableEnd.forceIfUnforced();
            durableEnd.close();
        } catch (IOException e) {
            LOG.warn("Could not close the durable-end checkpoint of {}", directory, e);
        }
        for (Segment segment : segments.all()) {
            try {
                segment.close();
            } catch (IOException e) {
                LOG.warn("Could not close {}", segment.path(), e);
            }
        }
    }
}
