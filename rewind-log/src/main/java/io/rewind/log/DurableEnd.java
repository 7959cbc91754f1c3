package io.rewind.log;

import io.rewind.api.CorruptionException;
import io.rewind.log.io.FileIO;
import io.rewind.log.io.StoreFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The durable-end checkpoint: how far the log is known to be on stable storage. The writer
 * records it after every force of the active segment, before the callers of the forced batch are
 * acknowledged, and forces it at most every {@value #FORCE_INTERVAL_MILLIS} ms while busy, and
 * when idle or closing; recovery and repair force it at once. Recovery refuses to cut anything before it (a torn write
 * can only hit bytes that were never forced), see STORAGE.md, "The durable-end checkpoint".
 *
 * <p>Why the writer's forces are coalesced: a second fsync per batch, of another file, cost more
 * than half the throughput of fsync=always (docs/BENCHMARKS.md). Written after the data's force,
 * the checkpoint never claims more than is on stable storage, forced or not. Unforced, it still
 * survives a process crash (the operating system keeps it), which is when a torn tail is met
 * after a kill; only a machine crash can lose its last {@value #FORCE_INTERVAL_MILLIS} ms or so,
 * and then the appends after the older end it kept are judged as without a checkpoint.
 *
 * <p>The file {@value #FILE_NAME} holds two slots, overwritten in place in turn (the slot of a
 * write is its sequence number modulo 2), so a write torn by a crash damages at most the slot it
 * was writing, and the other one still holds the previous end. The valid slot with the higher
 * sequence number wins. Each slot sits in its own 512-byte sector:
 *
 * <pre>
 * offset size  field
 *  0     8     magic "RWDURend" (ASCII)
 *  8     4     format version (1)
 * 12     8     sequence number (0, 1, 2, ...)
 * 20     8     next position: one past the last durable record
 * 28     8     segment base: the first position of the segment that holds the end
 * 36     8     end offset: the end of the last durable record in that segment
 * 44     4     CRC-32C of bytes 0..43
 * 48     464   zero
 * </pre>
 *
 * <p>Writer thread only (or the repair tool, under the directory lock); not thread-safe.
 */
final class DurableEnd implements Closeable {

    static final String FILE_NAME = "durable-end";
    static final int SLOT_BYTES = 512;
    static final int FILE_BYTES = 2 * SLOT_BYTES;
    static final int FORMAT_VERSION = 1;
    /** The longest time the writer leaves a recorded end unforced. */
    static final long FORCE_INTERVAL_MILLIS = 200;
    private static final long FORCE_INTERVAL_NANOS = FORCE_INTERVAL_MILLIS * 1_000_000L;
    private static final byte[] MAGIC = "RWDURend".getBytes(StandardCharsets.US_ASCII);
    private static final int MAGIC_AT = 0;
    private static final int VERSION_AT = 8;
    private static final int SEQUENCE_AT = 12;
    private static final int NEXT_POSITION_AT = 20;
    private static final int SEGMENT_BASE_AT = 28;
    private static final int END_OFFSET_AT = 36;
    private static final int CRC_AT = 44;
    private static final int ENCODED_BYTES = 48;

    /**
     * One recorded end.
     *
     * @param sequence     how many ends were recorded before this one
     * @param nextPosition one past the last durable record: every position before it was forced
     * @param segmentBase  the base position of the segment that holds the end
     * @param endOffset    the offset in that segment where the last durable record ends
     */
    record Mark(long sequence, long nextPosition, long segmentBase, long endOffset) {

        /** How a message names this end. */
        String describe(Path directory) {
            return "position " + nextPosition + " (offset " + endOffset + " of "
                    + directory.resolve(Segment.fileName(segmentBase)) + ")";
        }
    }

    private final StoreFile file;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer slot = ByteBuffer.allocate(ENCODED_BYTES);
    private Mark last;
    private boolean unforced;
    private long lastForceNanos = System.nanoTime() - FORCE_INTERVAL_NANOS;

    private DurableEnd(StoreFile file, Mark last) {
        this.file = file;
        this.last = last;
    }

    /**
     * Reads the checkpoint of {@code directory}.
     *
     * @return the newest valid end, or null if the directory has no checkpoint file (a log written
     *         before checkpoints existed, or a new one)
     * @throws CorruptionException if the file exists but neither slot is valid, naming the file
     */
    static Mark read(FileIO io, Path directory) throws IOException {
        Path path = directory.resolve(FILE_NAME);
        ByteBuffer bytes = ByteBuffer.allocate(FILE_BYTES);
        long size;
        try (StoreFile file = io.open(path, FileIO.OpenMode.READ)) {
            size = file.size();
            while (bytes.hasRemaining() && file.read(bytes, bytes.position()) > 0) {
                // read what there is, up to two slots
            }
        } catch (NoSuchFileException e) {
            return null;
        }
        bytes.flip();
        CRC32C crc = new CRC32C();
        Mark first = decode(bytes, 0, crc);
        Mark second = decode(bytes, SLOT_BYTES, crc);
        if (first == null && second == null) {
            throw new CorruptionException("durable-end checkpoint " + path + " is damaged: neither slot (at offset 0"
                    + " and " + SLOT_BYTES + ", file size " + size + ") has the magic RWDURend, format "
                    + FORMAT_VERSION + " and a matching CRC-32C, so the end of the acknowledged data is unknown");
        }
        if (first == null || second == null) {
            return first == null ? second : first;
        }
        return first.sequence() >= second.sequence() ? first : second;
    }

    /**
     * Opens the checkpoint for writing, creating it (as a temporary file, forced, renamed, then
     * the directory forced) when {@code current} is null: missing or unreadable.
     */
    static DurableEnd open(FileIO io, Path directory, Mark current) throws IOException {
        Path path = directory.resolve(FILE_NAME);
        if (current != null) {
            return new DurableEnd(io.open(path, FileIO.OpenMode.READ_WRITE), current);
        }
        Path temporary = directory.resolve(FILE_NAME + ".tmp");
        io.delete(temporary);
        try (StoreFile created = io.open(temporary, FileIO.OpenMode.CREATE_NEW)) {
            created.writeFully(ByteBuffer.allocate(FILE_BYTES), 0);
            created.force();
        }
        io.rename(temporary, path);
        io.forceDirectory(directory);
        return new DurableEnd(io.open(path, FileIO.OpenMode.READ_WRITE), null);
    }

    /** The last end recorded through this instance (or read on open); null if none yet. */
    Mark last() {
        return last;
    }

    /**
     * Records a new end and forces it. The caller must have forced the segment up to that end
     * first: the checkpoint never claims more than is on stable storage.
     */
    void record(long nextPosition, long segmentBase, long endOffset) throws IOException {
        recordUnforced(nextPosition, segmentBase, endOffset);
        force();
    }

    /**
     * Records a new end (the segment forced up to it first), forcing it only when the last force
     * is {@value #FORCE_INTERVAL_MILLIS} ms old: the writer's path.
     */
    void recordCoalesced(long nextPosition, long segmentBase, long endOffset) throws IOException {
        recordUnforced(nextPosition, segmentBase, endOffset);
        if (System.nanoTime() - lastForceNanos >= FORCE_INTERVAL_NANOS) {
            force();
        }
    }

    /** Forces the last recorded end if it was not forced yet (on close). */
    void forceIfUnforced() throws IOException {
        if (unforced) {
            force();
        }
    }

    private void recordUnforced(long nextPosition, long segmentBase, long endOffset) throws IOException {
        Mark mark = new Mark(last == null ? 0 : last.sequence() + 1, nextPosition, segmentBase, endOffset);
        write(mark);
        last = mark;
        unforced = true;
    }

    private void force() throws IOException {
        file.force();
        unforced = false;
        lastForceNanos = System.nanoTime();
    }

    /**
     * After the writer cut the log back to the acknowledged end ({@code nextPosition} at offset
     * {@code endOffset} of segment {@code segmentBase}): records and forces, as the newest slot,
     * the last recorded end or the acknowledged one, whichever is earlier. A failure between the
     * checkpoint's write and the batch's acknowledgement may have recorded an end that the cut
     * removed; an acknowledged end that was never forced must not be claimed either.
     */
    void cutBackTo(long nextPosition, long segmentBase, long endOffset) throws IOException {
        if (last == null || last.nextPosition() > nextPosition) {
            record(nextPosition, segmentBase, endOffset);
        } else {
            record(last.nextPosition(), last.segmentBase(), last.endOffset());
        }
    }

    private void write(Mark mark) throws IOException {
        slot.clear();
        slot.put(MAGIC).putInt(FORMAT_VERSION).putLong(mark.sequence()).putLong(mark.nextPosition())
                .putLong(mark.segmentBase()).putLong(mark.endOffset());
        crc.reset();
        crc.update(slot.array(), 0, CRC_AT);
        slot.putInt((int) crc.getValue()).flip();
        file.writeFully(slot, (mark.sequence() % 2) * SLOT_BYTES);
    }

    private static Mark decode(ByteBuffer bytes, int at, CRC32C crc) {
        if (bytes.limit() < at + ENCODED_BYTES) {
            return null;
        }
        byte[] magic = new byte[MAGIC.length];
        bytes.get(at + MAGIC_AT, magic);
        crc.reset();
        ByteBuffer covered = bytes.duplicate().position(at).limit(at + CRC_AT);
        crc.update(covered);
        if (!Arrays.equals(magic, MAGIC) || bytes.getInt(at + VERSION_AT) != FORMAT_VERSION
                || bytes.getInt(at + CRC_AT) != (int) crc.getValue()) {
            return null;
        }
        return new Mark(bytes.getLong(at + SEQUENCE_AT), bytes.getLong(at + NEXT_POSITION_AT),
                bytes.getLong(at + SEGMENT_BASE_AT), bytes.getLong(at + END_OFFSET_AT));
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
