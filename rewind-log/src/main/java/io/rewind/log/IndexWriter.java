package io.rewind.log;

import io.rewind.api.StreamInfo;
import io.rewind.log.io.FileIO;
import io.rewind.log.io.StoreFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Writes an {@link IndexGeneration} file from a {@link TailIndex} and the stream heads: to a
 * temporary file, forced, renamed into place, then the directory forced, so the file is either
 * absent or whole. Used by the writer thread only; not thread-safe.
 */
final class IndexWriter {

    private static final int CHUNK_BYTES = 1 << 20;

    private final FileIO io;
    private final Path directory;
    private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
    private final CRC32C crc = new CRC32C();
    private StoreFile file;
    private long written;

    IndexWriter(FileIO io, Path directory) {
        this.io = io;
        this.directory = directory;
    }

    /**
     * Writes the generation covering the tail's positions up to {@code endPosition} (exclusive)
     * and returns it opened. The log must already be durable up to {@code endPosition}.
     */
    IndexGeneration write(TailIndex tail, long endPosition, long endSegmentBase, long endOffset,
            long lastTimestampMicros, Iterable<StreamInfo> heads, long streamCount) throws IOException {
        long from = tail.basePosition();
        String name = IndexGeneration.fileName(from, endPosition);
        Path target = directory.resolve(name);
        Path temporary = directory.resolve(name + ".tmp");
        io.delete(temporary);
        file = io.open(temporary, FileIO.OpenMode.CREATE_NEW);
        try {
            crc.reset();
            written = 0;
            chunk.clear();
            writeHeader(from, endPosition, endSegmentBase, endOffset, lastTimestampMicros, streamCount);
            for (int offset : tail.offsetsSnapshot()) {
                room(4).putInt(offset);
            }
            writeEntries(tail.sortedIds());
            writeEntries(tail.sortedStreams());
            for (StreamInfo head : heads) {
                byte[] stream = head.stream().getBytes(StandardCharsets.UTF_8);
                room(1 + stream.length + 24).put((byte) stream.length).put(stream)
                        .putLong(head.headVersion()).putLong(head.firstPosition()).putLong(head.lastPosition());
            }
            drain();
            ByteBuffer trailer = ByteBuffer.allocate(4).putInt((int) crc.getValue()).flip();
            file.writeFully(trailer, written);
            file.force();
        } finally {
            file.close();
        }
        io.rename(temporary, target);
        io.forceDirectory(directory);
        return IndexGeneration.open(io, target);
    }

    private void writeHeader(long from, long to, long endSegmentBase, long endOffset, long lastTimestampMicros,
            long streamCount) throws IOException {
        room(IndexGeneration.HEADER_BYTES)
                .put("RWLOGIDX".getBytes(StandardCharsets.US_ASCII))
                .putInt(IndexGeneration.FORMAT_VERSION).putInt(0)
                .putLong(from).putLong(to).putLong(endSegmentBase).putLong(endOffset)
                .putLong(lastTimestampMicros).putLong(streamCount);
    }

    private void writeEntries(long[][] sorted) throws IOException {
        long[] first = sorted[0];
        long[] second = sorted[1];
        long[] third = sorted[2];
        for (int i = 0; i < first.length; i++) {
            room(24).putLong(first[i]).putLong(second[i]).putLong(third[i]);
        }
    }

    /** The chunk, with at least {@code bytes} free (drained to the file first when needed). */
    private ByteBuffer room(int bytes) throws IOException {
        if (chunk.remaining() < bytes) {
            drain();
        }
        return chunk;
    }

    private void drain() throws IOException {
        chunk.flip();
        crc.update(chunk.array(), 0, chunk.limit());
        int length = chunk.limit();
        file.writeFully(chunk, written);
        written += length;
        chunk.clear();
    }
}
