package io.rewind.log;

import io.rewind.log.io.StoreFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Reads the records of one segment sequentially from an offset, checking each, through one
 * growing buffer (used by recovery and verification). Not thread-safe; one scan at a time.
 */
final class SegmentScanner {

    private static final int CHUNK_BYTES = 1 << 20;

    private final StoreFile file;
    private final long fileSize;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES);
    /** The file offset of buffer[0]; the buffer's limit marks the end of the loaded bytes. */
    private long bufferStart;
    private long offset;

    SegmentScanner(StoreFile file, long startOffset) throws IOException {
        this.file = file;
        this.fileSize = file.size();
        this.offset = startOffset;
        this.bufferStart = startOffset;
        buffer.limit(0);
    }

    long fileSize() {
        return fileSize;
    }

    /** The file offset of the current record. */
    long offset() {
        return offset;
    }

    boolean atEnd() {
        return offset >= fileSize;
    }

    /** The buffer holding the current record, at {@link #at()}. */
    ByteBuffer buffer() {
        return buffer;
    }

    int at() {
        return (int) (offset - bufferStart);
    }

    /** Checks the record at the current offset, loading as many bytes as it needs. */
    RecordCodec.Check check() throws IOException {
        load(RecordCodec.FRAME_BYTES);
        RecordCodec.Check check = RecordCodec.check(buffer, at(), buffer.limit(), crc);
        if (check == RecordCodec.Check.INCOMPLETE && buffer.limit() - at() >= RecordCodec.FRAME_BYTES) {
            long total = RecordCodec.totalSize(buffer, at());
            if (offset + total <= fileSize) {
                load((int) total);
                check = RecordCodec.check(buffer, at(), buffer.limit(), crc);
            }
        }
        return check;
    }

    /** Why the current record failed its check, with expected and actual values. */
    String describe(RecordCodec.Check check) {
        return RecordCodec.describe(check, buffer, at(), buffer.limit(), file.path(), offset, crc);
    }

    /** Moves past the current record, which {@link #check()} found valid. */
    void skip() {
        offset += RecordCodec.totalSize(buffer, at());
    }

    /** Whether every byte from the current offset to the end of the file is zero. */
    boolean restIsZero() throws IOException {
        for (long at = offset; at < fileSize; ) {
            ByteBuffer chunk = readChunk(at);
            for (int i = 0; i < chunk.limit(); i++) {
                if (chunk.get(i) != 0) {
                    return false;
                }
            }
            at += chunk.limit();
        }
        return true;
    }

    /**
     * The offset of a valid record after the current (damaged) one whose position lies in
     * {@code (afterPosition, afterPosition + bytes left]}, or -1. Finding one means the damage is
     * not a torn tail but corruption in the middle of the data. The position filter keeps the
     * search linear: a checksum is computed only where a plausible length and position appear.
     */
    long findValidRecordAfter(long afterPosition) throws IOException {
        long maxPosition = afterPosition + (fileSize - offset) / RecordCodec.FIXED_BYTES + 1;
        for (long chunkStart = offset + 1; chunkStart + RecordCodec.FIXED_BYTES <= fileSize; ) {
            ByteBuffer chunk = readChunk(chunkStart);
            int candidates = chunk.limit() - 16;
            for (int i = 0; i < candidates; i++) {
                int length = chunk.getInt(i);
                long position = chunk.getLong(i + 8);
                if (length > RecordCodec.BODY_FIXED_BYTES && length <= RecordCodec.MAX_BODY_BYTES
                        && position > afterPosition && position <= maxPosition
                        && chunkStart + i + RecordCodec.FRAME_BYTES + length <= fileSize
                        && isValidAt(chunkStart + i, length)) {
                    return chunkStart + i;
                }
            }
            chunkStart += Math.max(1, candidates);
        }
        return -1;
    }

    private boolean isValidAt(long at, int bodyLength) throws IOException {
        ByteBuffer record = ByteBuffer.allocate(RecordCodec.FRAME_BYTES + bodyLength);
        file.readFully(record, at);
        return RecordCodec.check(record.flip(), 0, record.limit(), crc) == RecordCodec.Check.VALID;
    }

    private ByteBuffer readChunk(long at) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, fileSize - at));
        file.readFully(chunk, at);
        return chunk.flip();
    }

    /** Makes the buffer hold {@code bytes} from the current offset, or up to the end of the file. */
    private void load(int bytes) throws IOException {
        long wantedEnd = Math.min(offset + bytes, fileSize);
        if (bufferStart + buffer.limit() >= wantedEnd) {
            return;
        }
        int keep = buffer.limit() - at();
        if (bytes > buffer.capacity()) {
            ByteBuffer larger = ByteBuffer.allocate(Math.max(bytes, CHUNK_BYTES));
            larger.put(buffer.position(at()));
            buffer = larger;
        } else {
            buffer.position(at()).compact();
        }
        bufferStart = offset;
        buffer.position(keep).limit(buffer.capacity());
        long readEnd = Math.min(bufferStart + buffer.capacity(), fileSize);
        while (bufferStart + buffer.position() < readEnd) {
            if (file.read(buffer, bufferStart + buffer.position()) < 0) {
                break;
            }
        }
        buffer.flip();
    }
}
