package io.rewind.log;

import io.rewind.api.CorruptionException;
import io.rewind.api.StreamInfo;
import io.rewind.log.io.FileIO;
import io.rewind.log.io.StoreFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.zip.CRC32C;

/**
 * One persisted, immutable index file covering positions {@code [from, to)}: written when the
 * in-memory tail is flushed, never changed afterwards, read through a read-only mapping (so it
 * costs page cache, not heap). Its header is also the checkpoint: replay on open resumes at
 * {@code (endSegmentBase, endOffset)}, the first byte after position {@code to - 1}.
 *
 * <pre>
 * offset        size    field
 *  0            8       magic "RWLOGIDX"
 *  8            4       format version (1)
 * 12            4       reserved, 0
 * 16            8       from: first position covered
 * 24            8       to: one past the last position covered (n = to - from &gt;= 1)
 * 32            8       end segment base: the segment holding the byte after position to - 1
 * 40            8       end offset: that byte's offset in that segment
 * 48            8       timestamp (microseconds) of position to - 1
 * 56            8       h: number of stream heads in the heads section
 * 64            4n      offsets: the offset of each position from..to-1 in its segment
 * 64+4n         24n     ids: (most bits, least bits, position), sorted signed
 * 64+28n        24n     streams: (stream hash, version, position), sorted signed
 * 64+52n        ...     heads of every stream as of position to - 1, h entries of
 *                       (name length u8, name UTF-8, head version i64, first i64, last i64)
 * size-4        4       CRC-32C of every byte before it
 * </pre>
 * Thread-safe: immutable after {@link #open}.
 */
final class IndexGeneration {

    static final String PREFIX = "index-";
    static final String SUFFIX = ".idx";
    static final int HEADER_BYTES = 64;
    static final int FORMAT_VERSION = 1;
    private static final int ENTRY_BYTES = 24;
    private static final byte[] MAGIC = "RWLOGIDX".getBytes(StandardCharsets.US_ASCII);

    private final Path path;
    private final ByteBuffer map;
    private final long from;
    private final long to;
    private final long endSegmentBase;
    private final long endOffset;
    private final long lastTimestampMicros;
    private final long streamCount;
    private final int idsAt;
    private final int streamsAt;
    private final int headsAt;

    private IndexGeneration(Path path, ByteBuffer map) {
        this.path = path;
        this.map = map;
        this.from = map.getLong(16);
        this.to = map.getLong(24);
        this.endSegmentBase = map.getLong(32);
        this.endOffset = map.getLong(40);
        this.lastTimestampMicros = map.getLong(48);
        this.streamCount = map.getLong(56);
        int count = (int) (to - from);
        this.idsAt = HEADER_BYTES + 4 * count;
        this.streamsAt = idsAt + ENTRY_BYTES * count;
        this.headsAt = streamsAt + ENTRY_BYTES * count;
    }

    /** The file name of the generation covering [from, to). */
    static String fileName(long from, long to) {
        return PREFIX + String.format("%020d-%020d", from, to) + SUFFIX;
    }

    static boolean isFileName(String name) {
        return name.startsWith(PREFIX) && name.endsWith(SUFFIX)
                && name.length() == PREFIX.length() + 41 + SUFFIX.length();
    }

    /**
     * Maps and verifies an index file (magic, version, sizes, and the CRC-32C over all of it).
     *
     * @throws CorruptionException naming the file and what failed
     */
    static IndexGeneration open(FileIO io, Path path) throws IOException {
        ByteBuffer map;
        try (StoreFile file = io.open(path, FileIO.OpenMode.READ)) {
            long size = file.size();
            if (size < HEADER_BYTES + 4 || size > Integer.MAX_VALUE) {
                throw new CorruptionException("index file " + path + " has an impossible size of " + size + " bytes");
            }
            map = file.mapReadOnly(0, size);
        }
        verify(path, map);
        return new IndexGeneration(path, map);
    }

    private static void verify(Path path, ByteBuffer map) {
        int size = map.capacity();
        for (int i = 0; i < MAGIC.length; i++) {
            if (map.get(i) != MAGIC[i]) {
                throw new CorruptionException("index file " + path + " has a bad magic number at offset " + i);
            }
        }
        if (map.getInt(8) != FORMAT_VERSION) {
            throw new CorruptionException("index file " + path + " has format version " + map.getInt(8)
                    + " at offset 8, expected " + FORMAT_VERSION);
        }
        CRC32C crc = new CRC32C();
        crc.update(map.duplicate().limit(size - 4));
        int expected = map.getInt(size - 4);
        int actual = (int) crc.getValue();
        if (expected != actual) {
            throw new CorruptionException(String.format("index file %s fails its checksum at offset %d: "
                    + "stored CRC-32C %08x, computed %08x", path, size - 4, expected, actual));
        }
        long count = map.getLong(24) - map.getLong(16);
        if (count < 1 || HEADER_BYTES + 52 * count + 4 > size || map.getLong(16) < 0) {
            throw new CorruptionException("index file " + path + " covers positions " + map.getLong(16) + " to "
                    + map.getLong(24) + ", which does not fit its " + size + " bytes");
        }
    }

    Path path() {
        return path;
    }

    long from() {
        return from;
    }

    long to() {
        return to;
    }

    long endSegmentBase() {
        return endSegmentBase;
    }

    long endOffset() {
        return endOffset;
    }

    long lastTimestampMicros() {
        return lastTimestampMicros;
    }

    /** The offset of {@code position} (within [from, to)) in its segment. */
    int offsetOf(long position) {
        return map.getInt(HEADER_BYTES + 4 * (int) (position - from));
    }

    /** The position of the event with this id, or -1. */
    long positionOfId(long idMost, long idLeast) {
        int index = lowerBound(idsAt, idMost, idLeast);
        int at = idsAt + ENTRY_BYTES * index;
        if (index < count() && map.getLong(at) == idMost && map.getLong(at + 8) == idLeast) {
            return map.getLong(at + 16);
        }
        return -1;
    }

    /** Every position stored for (stream hash, version). */
    void forEachStreamCandidate(long streamHash, long version, LongConsumer action) {
        for (int index = lowerBound(streamsAt, streamHash, version); index < count(); index++) {
            int at = streamsAt + ENTRY_BYTES * index;
            if (map.getLong(at) != streamHash || map.getLong(at + 8) != version) {
                return;
            }
            action.accept(map.getLong(at + 16));
        }
    }

    /**
     * Calls {@code action} with every stream head stored in this file.
     *
     * @throws CorruptionException if the heads section does not parse (its checksum held, so
     *                             only a writer bug can cause it)
     */
    void forEachHead(Consumer<StreamInfo> action) {
        int at = headsAt;
        int end = map.capacity() - 4;
        for (long i = 0; i < streamCount; i++) {
            int nameLength = at < end ? map.get(at) & 0xFF : 0;
            if (nameLength == 0 || at + 1 + nameLength + 24 > end) {
                throw new CorruptionException("index file " + path + " has a malformed stream head at offset " + at);
            }
            byte[] name = new byte[nameLength];
            map.get(at + 1, name);
            int fields = at + 1 + nameLength;
            action.accept(new StreamInfo(new String(name, StandardCharsets.UTF_8),
                    map.getLong(fields), map.getLong(fields + 8), map.getLong(fields + 16)));
            at = fields + 24;
        }
    }

    /** The number of positions covered, which is also the number of id and of stream entries. */
    int count() {
        return (int) (to - from);
    }

    /** Copies id entry {@code index} (in sorted order) into {@code entry}: most, least, position. */
    void idEntry(int index, long[] entry) {
        entry(idsAt, index, entry);
    }

    /** Copies stream entry {@code index} (in sorted order) into {@code entry}: hash, version, position. */
    void streamEntry(int index, long[] entry) {
        entry(streamsAt, index, entry);
    }

    private void entry(int sectionAt, int index, long[] entry) {
        int at = sectionAt + ENTRY_BYTES * index;
        entry[0] = map.getLong(at);
        entry[1] = map.getLong(at + 8);
        entry[2] = map.getLong(at + 16);
    }

    /** The size of this file's stream-heads section in bytes. */
    long headsBytes() {
        return map.capacity() - 4L - headsAt;
    }

    /** The size of a generation file of {@code entries} positions and a heads section of {@code headsBytes}. */
    static long fileBytes(long entries, long headsBytes) {
        return HEADER_BYTES + (4L + 2 * ENTRY_BYTES) * entries + headsBytes + 4;
    }

    /** The range a generation file name states, {from, to}, or null if it is not one. */
    static long[] rangeOf(String fileName) {
        if (!isFileName(fileName)) {
            return null;
        }
        try {
            int at = PREFIX.length();
            return new long[] {Long.parseLong(fileName.substring(at, at + 20)),
                Long.parseLong(fileName.substring(at + 21, at + 41))};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The index of the first entry of the section at {@code sectionAt} that is >= (first, second). */
    private int lowerBound(int sectionAt, long first, long second) {
        int low = 0;
        int high = count();
        while (low < high) {
            int middle = (low + high) >>> 1;
            int at = sectionAt + ENTRY_BYTES * middle;
            int order = Long.compare(map.getLong(at), first);
            if (order == 0) {
                order = Long.compare(map.getLong(at + 8), second);
            }
            if (order < 0) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }
}
