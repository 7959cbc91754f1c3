package io.rewind.log;

import io.rewind.api.CorruptionException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.log.io.FileIO;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Checks a closed log directory completely and changes nothing (what {@code rewind verify} runs):
 * every segment header, every record (length, CRC-32C, position, append structure), every index
 * file's checksum, every index entry against the record it points at, and the durable-end
 * checkpoint against the log. Unlike opening, it reads the whole log, and it reports a torn tail
 * instead of cutting it: damage after the durable end (never acknowledged, which opening cuts) is
 * a note, damage at or before it is a problem. Stateless; each call takes the directory lock for
 * its duration, so a directory in use is refused.
 */
public final class LogVerifier {

    /**
     * What verification found.
     *
     * @param segments    segment files checked
     * @param events      valid, committed records
     * @param indexFiles  index files checked
     * @param problems    every problem, each naming the file and offset; empty when the log is sound
     * @param notes       findings that are not damage: a torn tail after the durable end (which
     *                    opening cuts, keeping a copy), or a log without a durable-end checkpoint
     */
    public record Report(int segments, long events, int indexFiles, List<String> problems, List<String> notes) {
        public Report {
            problems = List.copyOf(problems);
            notes = List.copyOf(notes);
        }

        public boolean isSound() {
            return problems.isEmpty();
        }
    }

    private LogVerifier() {
    }

    /**
     * Verifies the log in {@code directory}.
     *
     * @throws StoreUnavailableException if the directory is in use or cannot be read
     */
    public static Report verify(Path directory, FileIO io) {
        DirectoryLock lock = null;
        try {
            lock = DirectoryLock.acquire(io, directory);
            return new Run(directory, io).verify();
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot verify the log in " + directory + ": " + e, e);
        } finally {
            DirectoryLock.releaseQuietly(lock);
        }
    }

    /** One verification; not thread-safe. */
    private static final class Run {
        private final Path directory;
        private final FileIO io;
        private final List<String> problems = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private DurableEnd.Mark durable;
        /** Whether damage at the end of the last segment was reported (which explains a short log). */
        private boolean tailDamaged;
        private final List<IndexGeneration> generations = new ArrayList<>();
        private long nextPosition;
        private long events;

        Run(Path directory, FileIO io) {
            this.directory = directory;
            this.io = io;
        }

        Report verify() throws IOException {
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
            indexPaths.sort(Comparator.comparing(Path::toString));
            readDurableEnd();
            for (Path path : indexPaths) {
                try {
                    generations.add(IndexGeneration.open(io, path));
                } catch (CorruptionException e) {
                    problems.add(e.getMessage());
                }
            }
            for (int i = 0; i < segmentPaths.size(); i++) {
                verifySegment(segmentPaths.get(i), i == segmentPaths.size() - 1);
            }
            if (durable != null && nextPosition < durable.nextPosition() && !tailDamaged) {
                problems.add("the log ends at position " + nextPosition + " but its durable-end checkpoint records "
                        + durable.describe(directory) + ": acknowledged data is missing");
            }
            for (IndexGeneration generation : generations) {
                if (generation.to() > nextPosition) {
                    problems.add("index file " + generation.path() + " covers positions up to " + generation.to()
                            + " but the log ends before position " + nextPosition);
                }
            }
            return new Report(segmentPaths.size(), events, indexPaths.size(), problems, notes);
        }

        private void readDurableEnd() throws IOException {
            try {
                durable = DurableEnd.read(io, directory);
                if (durable == null) {
                    notes.add(directory + " has no durable-end checkpoint (written by an earlier version): damage at the"
                            + " end of the last segment cannot be told from a torn write");
                }
            } catch (CorruptionException e) {
                problems.add(e.getMessage());
            }
        }

        /**
         * Reports damage that ends the last segment's valid records at committed position
         * {@code nextPosition}: a problem if it lies before the durable end (or there is no
         * checkpoint to tell), a note if only never-acknowledged bytes are affected.
         */
        private void tailDamage(Segment segment, long cutOffset, String problem) {
            tailDamaged = true;
            if (durable == null) {
                problems.add("torn tail or damage at the end of the last segment: " + problem);
            } else if (nextPosition < durable.nextPosition()) {
                problems.add("damage to acknowledged data (before the durable end, " + durable.describe(directory)
                        + "): " + problem + "; to accept losing everything from there on: rewind repair --cut-at "
                        + segment.path().getFileName() + ":" + cutOffset + " " + directory);
            } else {
                notes.add("torn tail after the durable end (never acknowledged; opening cuts it from offset "
                        + cutOffset + " of " + segment.path() + ", keeping a copy): " + problem);
            }
        }

        private void verifySegment(Path path, boolean last) throws IOException {
            long base = Segment.parseFileName(path.getFileName().toString());
            if (base != nextPosition) {
                problems.add("segment " + path + " starts at position " + base + ", expected " + nextPosition);
                nextPosition = base;
            }
            Segment segment;
            try {
                segment = Segment.open(io, path, base);
            } catch (CorruptionException e) {
                problems.add(e.getMessage());
                return;
            }
            try {
                scan(segment, last);
            } finally {
                segment.close();
            }
        }

        private void scan(Segment segment, boolean last) throws IOException {
            SegmentScanner scanner = new SegmentScanner(segment.file(), Segment.HEADER_BYTES);
            int uncommitted = 0;
            long committedEnd = Segment.HEADER_BYTES;
            while (!scanner.atEnd()) {
                RecordCodec.Check check = scanner.check();
                if (check != RecordCodec.Check.VALID) {
                    if (last) {
                        tailDamage(segment, committedEnd, scanner.describe(check));
                    } else {
                        problems.add(scanner.describe(check));
                    }
                    return;
                }
                ByteBuffer buffer = scanner.buffer();
                int at = scanner.at();
                long position = RecordCodec.position(buffer, at);
                if (position != nextPosition + uncommitted) {
                    problems.add("record at offset " + scanner.offset() + " of " + segment.path() + " holds position "
                            + position + ", expected " + (nextPosition + uncommitted));
                    return;
                }
                checkIndexes(segment, buffer, at, position, scanner.offset());
                uncommitted++;
                scanner.skip();
                if (RecordCodec.isCommit(buffer, at)) {
                    nextPosition += uncommitted;
                    events += uncommitted;
                    uncommitted = 0;
                    committedEnd = scanner.offset();
                }
            }
            if (uncommitted > 0) {
                String problem = segment.path() + " ends with " + uncommitted + " record(s) of an uncommitted append"
                        + " starting at offset " + committedEnd;
                if (last) {
                    tailDamage(segment, committedEnd, problem);
                } else {
                    problems.add(problem);
                }
            }
        }

        /** Checks that the index covering {@code position}, if any, points at this very record. */
        private void checkIndexes(Segment segment, ByteBuffer buffer, int at, long position, long offset) {
            for (IndexGeneration generation : generations) {
                if (position < generation.from() || position >= generation.to()) {
                    continue;
                }
                String where = "index file " + generation.path() + " for position " + position + " (" + segment.path()
                        + " offset " + offset + ")";
                if (generation.offsetOf(position) != offset) {
                    problems.add(where + ": offset entry is " + generation.offsetOf(position));
                }
                if (generation.positionOfId(RecordCodec.idMost(buffer, at), RecordCodec.idLeast(buffer, at)) != position) {
                    problems.add(where + ": the id entry is missing or points elsewhere");
                }
                boolean[] found = new boolean[1];
                generation.forEachStreamCandidate(StreamHash.of(RecordCodec.stream(buffer, at)),
                        RecordCodec.version(buffer, at), candidate -> found[0] |= candidate == position);
                if (!found[0]) {
                    problems.add(where + ": the stream/version entry is missing");
                }
            }
        }
    }
}
