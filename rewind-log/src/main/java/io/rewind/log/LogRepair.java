package io.rewind.log;

import io.rewind.api.StoreUnavailableException;
import io.rewind.log.io.FileIO;
import io.rewind.log.io.StoreFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The explicit repair of a damaged log, for an operator who accepts losing everything from a
 * record boundary on (what {@code rewind repair --cut-at} runs). Opening never cuts acknowledged
 * data; this does, on request, and keeps a copy of everything it removes:
 *
 * <ol>
 *   <li>checks that the cut point is the end of a whole append (a {@code COMMIT} record), or the
 *       start of the segment's records, with only valid records before it, and changes nothing
 *       otherwise;</li>
 *   <li>copies the bytes from the cut point to the end of that segment to
 *       {@code <segment>.cut-<millis>} (forced);</li>
 *   <li>records the cut point as the durable end (so a crash from here on leaves a log that
 *       opens, with the rest of the cut redone by recovery as a torn tail, or a repeat of this
 *       command);</li>
 *   <li>renames every later segment, and every index file covering positions from the cut on, to
 *       {@code <name>.cut-<millis>} (the next open rebuilds the index from the log);</li>
 *   <li>truncates the segment, forces it and the directory.</li>
 * </ol>
 *
 * Stateless; each call takes the directory lock, so a directory in use is refused.
 */
public final class LogRepair {

    /**
     * What a cut did.
     *
     * @param segment      the segment that was cut
     * @param offset       where it was cut
     * @param nextPosition the position the next append gets: every position from it on was cut
     * @param bytesCut     the bytes removed from the segment and every later one
     * @param kept         the files that keep what was cut (copies and renamed files)
     */
    public record Cut(Path segment, long offset, long nextPosition, long bytesCut, List<Path> kept) {
        public Cut {
            kept = List.copyOf(kept);
        }
    }

    private LogRepair() {
    }

    /**
     * Cuts the log in {@code directory} at {@code offset} of the segment file named
     * {@code segmentName} (null: the last segment), removing every record from there on.
     *
     * @throws IllegalArgumentException  if there is no such segment, or the offset is not the end of
     *                                   a whole append that only valid records precede; nothing changed
     * @throws StoreUnavailableException if the directory is in use or cannot be read or written
     */
    public static Cut cutAt(Path directory, FileIO io, String segmentName, long offset) {
        DirectoryLock lock = null;
        try {
            lock = DirectoryLock.acquire(io, directory);
            return cut(directory, io, segmentName, offset);
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot repair the log in " + directory + ": " + e, e);
        } finally {
            DirectoryLock.releaseQuietly(lock);
        }
    }

    private static Cut cut(Path directory, FileIO io, String segmentName, long offset) throws IOException {
        List<Path> segmentPaths = new ArrayList<>();
        List<Path> indexPaths = new ArrayList<>();
        for (Path path : io.list(directory)) {
            String name = path.getFileName().toString();
            if (Segment.parseFileName(name) >= 0) {
                segmentPaths.add(path);
            } else if (IndexGeneration.isFileName(name)) {
                indexPaths.add(path);
            }
        }
        segmentPaths.sort(Comparator.comparing(Path::toString));
        if (segmentPaths.isEmpty()) {
            throw new IllegalArgumentException(directory + " holds no segment file (*" + Segment.SUFFIX + ")");
        }
        int chosen = segmentPaths.size() - 1;
        if (segmentName != null) {
            chosen = segmentPaths.indexOf(directory.resolve(segmentName));
            if (chosen < 0) {
                throw new IllegalArgumentException("there is no segment " + segmentName + " in " + directory);
            }
        }
        Path segmentPath = segmentPaths.get(chosen);
        long base = Segment.parseFileName(segmentPath.getFileName().toString());
        String suffix = ".cut-" + Instant.now().toEpochMilli();
        List<Path> kept = new ArrayList<>();
        long bytesCut;
        long nextPosition;
        Segment segment = Segment.open(io, segmentPath, base);
        try {
            nextPosition = checkCutPoint(segment, offset);
            long size = segment.file().size();
            bytesCut = size - offset;
            if (size > offset) {
                Path copy = segmentPath.resolveSibling(segmentPath.getFileName() + suffix);
                copy(segment.file(), offset, size, io, copy);
                kept.add(copy);
            }
            io.forceDirectory(directory);
            DurableEnd.Mark current = readMarkOrNull(io, directory);
            try (DurableEnd durableEnd = DurableEnd.open(io, directory, current)) {
                durableEnd.record(nextPosition, base, offset);
            }
            for (Path index : indexPaths) {
                if (IndexGeneration.rangeOf(index.getFileName().toString())[1] > nextPosition) {
                    kept.add(setAside(io, index, suffix));
                }
            }
            for (Path later : segmentPaths.subList(chosen + 1, segmentPaths.size())) {
                try (StoreFile file = io.open(later, FileIO.OpenMode.READ)) {
                    bytesCut += file.size();
                }
                kept.add(setAside(io, later, suffix));
            }
            segment.file().truncate(offset);
            segment.file().force();
            io.forceDirectory(directory);
        } finally {
            segment.close();
        }
        return new Cut(segmentPath, offset, nextPosition, bytesCut, kept);
    }

    /**
     * Walks the valid records of the segment up to {@code offset}; returns the position of the
     * first record cut.
     */
    private static long checkCutPoint(Segment segment, long offset) throws IOException {
        SegmentScanner scanner = new SegmentScanner(segment.file(), Segment.HEADER_BYTES);
        Path path = segment.path();
        if (offset < Segment.HEADER_BYTES || offset > scanner.fileSize()) {
            throw new IllegalArgumentException("offset " + offset + " is outside the records of " + path + " (they lie"
                    + " from offset " + Segment.HEADER_BYTES + " to its end at offset " + scanner.fileSize() + ")");
        }
        long position = segment.basePosition();
        long appendStart = Segment.HEADER_BYTES;
        while (scanner.offset() < offset) {
            RecordCodec.Check check = scanner.check();
            if (check != RecordCodec.Check.VALID) {
                throw new IllegalArgumentException("offset " + offset + " lies after damage: " + scanner.describe(check)
                        + "; cut at offset " + appendStart + " (the end of the last whole append before it) or earlier");
            }
            ByteBuffer buffer = scanner.buffer();
            int at = scanner.at();
            boolean commit = RecordCodec.isCommit(buffer, at);
            long recordStart = scanner.offset();
            scanner.skip();
            position++;
            if (scanner.offset() > offset) {
                throw new IllegalArgumentException("offset " + offset + " is not at a record boundary of " + path
                        + ": the record at offset " + recordStart + " ends at offset " + scanner.offset());
            }
            if (commit) {
                appendStart = scanner.offset();
            }
        }
        if (appendStart != offset) {
            throw new IllegalArgumentException("offset " + offset + " of " + path + " is inside an append that starts at"
                    + " offset " + appendStart + ": an append is cut whole, so cut at offset " + appendStart);
        }
        return position;
    }

    private static DurableEnd.Mark readMarkOrNull(FileIO io, Path directory) throws IOException {
        try {
            return DurableEnd.read(io, directory);
        } catch (io.rewind.api.CorruptionException e) {
            return null; // a damaged checkpoint is replaced by a new one
        }
    }

    private static void copy(StoreFile source, long from, long to, FileIO io, Path target) throws IOException {
        try (StoreFile copy = io.open(target, FileIO.OpenMode.CREATE_NEW)) {
            for (long at = from; at < to; ) {
                ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(1 << 20, to - at));
                source.readFully(chunk, at);
                copy.writeFully(chunk.flip(), at - from);
                at += chunk.limit();
            }
            copy.force();
        }
    }

    private static Path setAside(FileIO io, Path file, String suffix) throws IOException {
        Path target = file.resolveSibling(file.getFileName() + suffix);
        io.rename(file, target);
        return target;
    }
}
