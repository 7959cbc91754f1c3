package io.rewind.log;

import io.rewind.api.StreamInfo;
import io.rewind.log.io.FileIO;
import io.rewind.log.io.StoreFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes an {@link IndexGeneration} file (from a frozen tail, or from generations being merged): to a
 * temporary file, forced, renamed into place, then the directory forced, so the file is either
 * absent or whole. Used by the index flusher thread only; not thread-safe.
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

    /** The sorted entries of one section, handed out in order. */
    interface Entries {
        /** Fills {@code entry} with the next (first key, second key, position); false when done. */
        boolean next(long[] entry);
    }

    /** What one generation file holds, whatever it is built from (a frozen tail, or a merge). */
    interface Content {
        long from();

        /** One past the last position covered. */
        long to();

        long endSegmentBase();

        long endOffset();

        long lastTimestampMicros();

        /** The offset of {@code position} (in [from, to)) in its segment. */
        int offsetOf(long position);

        Entries ids();

        Entries streams();

        /** Every stream head as of position {@code to - 1}. */
        List<StreamInfo> heads();
    }

    /**
     * Writes the generation holding {@code content} and returns it opened. The log must already
     * be durable up to {@code content.to()}.
     */
    IndexGeneration write(Content content) throws IOException {
        String name = IndexGeneration.fileName(content.from(), content.to());
        List<StreamInfo> heads = content.heads();
        long bytes = IndexGeneration.fileBytes(content.to() - content.from(), headsBytes(heads));
        if (bytes > MergePolicy.MAX_FILE_BYTES) {
            // Checked before writing: a file renamed into place that cannot be mapped would be set
            // aside as corrupt on the next open, with every index file after it.
            throw new IOException("index file " + name + " would have " + bytes + " bytes, more than the "
                    + MergePolicy.MAX_FILE_BYTES + " an index file may have");
        }
        Path target = directory.resolve(name);
        Path temporary = directory.resolve(name + ".tmp");
        io.delete(temporary);
        file = io.open(temporary, FileIO.OpenMode.CREATE_NEW);
        try {
            crc.reset();
            written = 0;
            chunk.clear();
            writeHeader(content.from(), content.to(), content.endSegmentBase(), content.endOffset(),
                    content.lastTimestampMicros(), heads.size());
            for (long position = content.from(); position < content.to(); position++) {
                room(4).putInt(content.offsetOf(position));
            }
            writeEntries(content.ids());
            writeEntries(content.streams());
            for (StreamInfo head : heads) {
                byte[] stream = head.stream().getBytes(StandardCharsets.UTF_8);
                room(1 + stream.length + 24).put((byte) stream.length).put(stream)
                        .putLong(head.headVersion()).putLong(head.firstPosition()).putLong(head.lastPosition());
            }
            drain();
            ByteBuffer trailer = ByteBuffer.allocate(4).putInt((int) crc.getValue()).flip();
            file.writeFully(trailer, written);
            file.force();
        } catch (IOException | RuntimeException e) {
            file.close();
            io.delete(temporary);
            throw e;
        }
        file.close();
        io.rename(temporary, target);
        io.forceDirectory(directory);
        return IndexGeneration.open(io, target);
    }

    /** The size of the heads section holding {@code heads}. */
    static long headsBytes(List<StreamInfo> heads) {
        long bytes = 0;
        for (StreamInfo head : heads) {
            bytes += 1 + utf8Length(head.stream()) + 24;
        }
        return bytes;
    }

    /** The length of {@code text} as {@code getBytes(UTF_8)} encodes it, without encoding it. */
    private static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes++; // unpaired: String.getBytes writes '?' for it
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private void writeHeader(long from, long to, long endSegmentBase, long endOffset, long lastTimestampMicros,
            long streamCount) throws IOException {
        room(IndexGeneration.HEADER_BYTES)
                .put("RWLOGIDX".getBytes(StandardCharsets.US_ASCII))
                .putInt(IndexGeneration.FORMAT_VERSION).putInt(0)
                .putLong(from).putLong(to).putLong(endSegmentBase).putLong(endOffset)
                .putLong(lastTimestampMicros).putLong(streamCount);
    }

    private void writeEntries(Entries entries) throws IOException {
        long[] entry = new long[3];
        while (entries.next(entry)) {
            room(24).putLong(entry[0]).putLong(entry[1]).putLong(entry[2]);
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
