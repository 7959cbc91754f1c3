package io.rewind.log;

import io.rewind.api.CorruptionException;
import io.rewind.log.io.FileIO;
import io.rewind.log.io.StoreFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * One segment file: a header, then records of consecutive positions starting at
 * {@link #basePosition()}. A record never straddles two segments, and neither does an append.
 *
 * <pre>
 * offset size  field
 *  0     8     magic "RWLOGSEG" (ASCII)
 *  8     4     format version (1)
 * 12     8     position of the first record (also the file name, zero-padded to 20 digits)
 * 20     4     CRC-32C of bytes 0..19
 * 24     ...   records (see {@link RecordCodec})
 * </pre>
 *
 * <p>Thread-safe: readers use positional reads on the shared file; only the writer thread writes,
 * and only to the last (active) segment. Sealed segments never change.
 */
final class Segment {

    static final int HEADER_BYTES = 24;
    static final int FORMAT_VERSION = 1;
    static final String SUFFIX = ".log";
    private static final byte[] MAGIC = "RWLOGSEG".getBytes(StandardCharsets.US_ASCII);

    private final long basePosition;
    private final StoreFile file;

    private Segment(long basePosition, StoreFile file) {
        this.basePosition = basePosition;
        this.file = file;
    }

    /** The file name of the segment whose first record has {@code basePosition}. */
    static String fileName(long basePosition) {
        return String.format("%020d", basePosition) + SUFFIX;
    }

    /** The base position a segment file name encodes, or -1 if it is not a segment file name. */
    static long parseFileName(String name) {
        if (!name.endsWith(SUFFIX) || name.length() != 20 + SUFFIX.length()) {
            return -1;
        }
        for (int i = 0; i < 20; i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return -1;
            }
        }
        return Long.parseLong(name.substring(0, 20));
    }

    /**
     * Creates an empty segment atomically: the header is written to a temporary file, forced, and
     * renamed into place, then the directory is forced, so a crash never leaves a torn header.
     */
    static Segment create(FileIO io, Path directory, long basePosition) throws IOException {
        Path target = directory.resolve(fileName(basePosition));
        Path temporary = directory.resolve(fileName(basePosition) + ".tmp");
        io.delete(temporary);
        try (StoreFile file = io.open(temporary, FileIO.OpenMode.CREATE_NEW)) {
            file.writeFully(header(basePosition), 0);
            file.force();
        }
        io.rename(temporary, target);
        io.forceDirectory(directory);
        return new Segment(basePosition, io.open(target, FileIO.OpenMode.READ_WRITE));
    }

    /** Opens an existing segment and checks its header. */
    static Segment open(FileIO io, Path path, long basePosition) throws IOException {
        StoreFile file = io.open(path, FileIO.OpenMode.READ_WRITE);
        try {
            checkHeader(file, basePosition);
            return new Segment(basePosition, file);
        } catch (RuntimeException | IOException e) {
            file.close();
            throw e;
        }
    }

    private static ByteBuffer header(long basePosition) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.put(MAGIC).putInt(FORMAT_VERSION).putLong(basePosition);
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, HEADER_BYTES - 4);
        header.putInt((int) crc.getValue());
        return header.flip();
    }

    private static void checkHeader(StoreFile file, long basePosition) throws IOException {
        if (file.size() < HEADER_BYTES) {
            throw new CorruptionException("segment " + file.path() + " is " + file.size()
                    + " bytes, shorter than its " + HEADER_BYTES + "-byte header");
        }
        ByteBuffer actual = ByteBuffer.allocate(HEADER_BYTES);
        file.readFully(actual, 0);
        ByteBuffer expected = header(basePosition);
        for (int i = 0; i < HEADER_BYTES; i++) {
            if (actual.get(i) != expected.get(i)) {
                throw new CorruptionException("segment " + file.path() + " has a bad header at offset " + i
                        + " (expected magic RWLOGSEG, format " + FORMAT_VERSION + ", first position " + basePosition
                        + " and a matching CRC-32C)");
            }
        }
    }

    long basePosition() {
        return basePosition;
    }

    StoreFile file() {
        return file;
    }

    Path path() {
        return file.path();
    }

    void close() throws IOException {
        file.close();
    }

    @Override
    public String toString() {
        return "Segment[" + file.path() + "]";
    }
}
