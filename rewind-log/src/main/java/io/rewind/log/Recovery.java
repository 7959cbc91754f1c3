package io.rewind.log;

import io.rewind.api.CorruptionException;
import io.rewind.api.StreamInfo;
import io.rewind.log.io.FileIO;
import io.rewind.log.io.StoreFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the files of a log directory and brings them to a consistent state (see STORAGE.md,
 * "Recovery"): loads and verifies the index files, then replays only the records after the last
 * one, cutting a torn or uncommitted tail off the last segment (after keeping a copy) and refusing
 * any other damage with a {@link CorruptionException} naming file and offset. A corrupt index file
 * is set aside and rebuilt from the log. Runs once, on the opening thread; not thread-safe.
 */
final class Recovery {

    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    /** What recovery found: everything the store needs to start. */
    record Result(List<Segment> segments, List<IndexGeneration> generations, TailIndex tail,
            StreamHeads heads, long nextPosition, long lastTimestampMicros,
            long activeSize, boolean indexRebuildNeeded, DurableEnd durableEnd) {

        /** Closes every file recovery opened, after a failed open. */
        void closeAll() {
            Recovery.closeAll(segments);
            closeQuietly(durableEnd);
        }
    }

    private final FileIO io;
    private final Path directory;
    private final List<Segment> segments = new ArrayList<>();
    private final List<IndexGeneration> generations = new ArrayList<>();
    private boolean indexRebuildNeeded;
    /** The durable end recorded before the crash or close; null for a log without a checkpoint. */
    private DurableEnd.Mark durable;
    private DurableEnd durableEnd;

    private Recovery(FileIO io, Path directory) {
        this.io = io;
        this.directory = directory;
    }

    /** Recovers the directory; on failure every file it opened is closed again. */
    static Result run(FileIO io, Path directory) throws IOException {
        Recovery recovery = new Recovery(io, directory);
        try {
            return recovery.recover();
        } catch (IOException | RuntimeException e) {
            closeAll(recovery.segments);
            closeQuietly(recovery.durableEnd);
            throw e;
        }
    }

    private static void closeQuietly(DurableEnd durableEnd) {
        if (durableEnd != null) {
            try {
                durableEnd.close();
            } catch (IOException e) {
                LOG.warn("Could not close the durable-end checkpoint after a failed open", e);
            }
        }
    }

    /** Closes segment files after a failed open, keeping the original failure. */
    static void closeAll(List<Segment> segments) {
        for (Segment segment : segments) {
            try {
                segment.close();
            } catch (IOException e) {
                LOG.warn("Could not close {} after a failed open", segment.path(), e);
            }
        }
    }

    private Result recover() throws IOException {
        List<Path> segmentPaths = new ArrayList<>();
        List<Path> indexPaths = new ArrayList<>();
        for (Path path : io.list(directory)) {
            String name = path.getFileName().toString();
            if (name.endsWith(".tmp")) {
                io.delete(path); // an interrupted segment creation or index flush; never referenced
            } else if (Segment.parseFileName(name) >= 0) {
                segmentPaths.add(path);
            } else if (IndexGeneration.rangeOf(name) != null) {
                indexPaths.add(path);
            }
        }
        segmentPaths.sort(Comparator.comparing(Path::toString));
        indexPaths.sort(Comparator.comparing(Path::toString));
        durable = DurableEnd.read(io, directory);
        if (durable == null) {
            LOG.info("{} has no durable-end checkpoint (a new log, or one written by an earlier version): a damaged"
                    + " tail is judged without it this once, and a checkpoint is kept from now on", directory);
        }
        loadGenerations(indexPaths);
        openSegments(segmentPaths);
        return replay();
    }

    /**
     * Forces the last segment and records its end as durable. The end may include records that
     * were only written to the operating system before a process crash: forced now, they are
     * durable from here on. When the checkpoint already records exactly this end (a clean close),
     * nothing is written, so opening a sound log changes no file.
     */
    private void recordRecoveredEnd(long nextPosition, long activeSize) throws IOException {
        Segment last = segments.get(segments.size() - 1);
        durableEnd = DurableEnd.open(io, directory, durable);
        boolean unchanged = durable != null && durable.nextPosition() == nextPosition
                && durable.segmentBase() == last.basePosition() && durable.endOffset() == activeSize;
        if (unchanged) {
            return;
        }
        if (activeSize > Segment.HEADER_BYTES) {
            last.file().force(); // (a segment's header was forced when it was created)
        }
        durableEnd.record(nextPosition, last.basePosition(), activeSize);
    }

    /**
     * Chains index files from position 0: at each start, the widest file that verifies. Files the
     * chain covers are leftovers of a merge interrupted before it deleted them, and are deleted;
     * damaged files, and files beyond the end of the chain, are set aside (the log is replayed
     * from the end of the chain instead).
     */
    private void loadGenerations(List<Path> indexPaths) throws IOException {
        List<Path> unused = new ArrayList<>(indexPaths);
        List<Path> damaged = new ArrayList<>();
        CorruptionException firstDamage = null;
        long expectedFrom = 0;
        IndexGeneration chosen;
        do {
            chosen = null;
            for (Path candidate : widestFirstStartingAt(unused, expectedFrom)) {
                unused.remove(candidate);
                try {
                    chosen = IndexGeneration.open(io, candidate);
                    if (chosen.from() != expectedFrom) {
                        throw new CorruptionException("index file " + candidate + " starts at position "
                                + chosen.from() + ", not at the position its name states");
                    }
                    generations.add(chosen);
                    expectedFrom = chosen.to();
                    break;
                } catch (CorruptionException e) {
                    chosen = null;
                    damaged.add(candidate);
                    firstDamage = firstDamage == null ? e : firstDamage;
                }
            }
        } while (chosen != null);
        for (Path path : unused) {
            if (IndexGeneration.rangeOf(path.getFileName().toString())[1] <= expectedFrom) {
                LOG.info("Deleting {}: a later index file covers it (left over from an interrupted merge)", path);
                io.delete(path);
            } else {
                damaged.add(path);
            }
        }
        if (!damaged.isEmpty()) {
            setAside(damaged, firstDamage != null ? firstDamage : new CorruptionException(
                    "no index file starts at position " + expectedFrom + " (the index files are not contiguous)"));
        }
    }

    private static List<Path> widestFirstStartingAt(List<Path> paths, long from) {
        List<Path> starting = new ArrayList<>();
        for (Path path : paths) {
            if (IndexGeneration.rangeOf(path.getFileName().toString())[0] == from) {
                starting.add(path);
            }
        }
        starting.sort(Comparator.comparingLong((Path p) -> IndexGeneration.rangeOf(p.getFileName().toString())[1])
                .reversed());
        return starting;
    }

    /** Renames damaged or unusable index files aside; the log is replayed instead. */
    private void setAside(List<Path> damaged, CorruptionException reason) throws IOException {
        LOG.error("INDEX CORRUPT in {}: {}. Setting aside {} index file(s) and rebuilding them from the log "
                + "(start-up reads the log from position {} on).", directory, reason.getMessage(), damaged.size(),
                generations.isEmpty() ? 0 : generations.get(generations.size() - 1).to());
        String suffix = ".corrupt-" + Instant.now().toEpochMilli();
        for (Path path : damaged) {
            io.rename(path, path.resolveSibling(path.getFileName() + suffix));
        }
        io.forceDirectory(directory);
        indexRebuildNeeded = true;
    }

    private void openSegments(List<Path> segmentPaths) throws IOException {
        for (Path path : segmentPaths) {
            segments.add(Segment.open(io, path, Segment.parseFileName(path.getFileName().toString())));
        }
        if (segments.isEmpty() && durable != null && durable.nextPosition() > 0) {
            throw new CorruptionException("the durable-end checkpoint of " + directory + " records "
                    + durable.describe(directory) + " but there is no segment file: acknowledged data is missing");
        }
        if (segments.isEmpty() && !generations.isEmpty()) {
            throw new CorruptionException("index files in " + directory + " cover positions up to "
                    + generations.get(generations.size() - 1).to() + " but there is no segment file");
        }
        if (segments.isEmpty()) {
            segments.add(Segment.create(io, directory, 0));
        }
        if (segments.get(0).basePosition() != 0) {
            throw new CorruptionException("the first segment of " + directory + " is " + segments.get(0).path()
                    + ", which starts at position " + segments.get(0).basePosition() + " instead of 0");
        }
    }

    private Result replay() throws IOException {
        Replay replay;
        StreamHeads heads;
        int first;
        long startOffset;
        if (generations.isEmpty()) {
            heads = StreamHeads.empty();
            replay = new Replay(new TailIndex(0), heads, 0, Long.MIN_VALUE);
            first = 0;
            startOffset = Segment.HEADER_BYTES;
        } else {
            IndexGeneration last = generations.get(generations.size() - 1);
            List<StreamInfo> stored = new ArrayList<>();
            last.forEachHead(stored::add);
            heads = StreamHeads.loaded(stored);
            replay = new Replay(new TailIndex(last.to()), heads, last.to(), last.lastTimestampMicros());
            first = segmentIndexOf(last.endSegmentBase(), last);
            startOffset = last.endOffset();
        }
        long activeSize = 0;
        for (int i = first; i < segments.size(); i++) {
            Segment segment = segments.get(i);
            if (i > first && segment.basePosition() != replay.nextPosition()) {
                throw new CorruptionException("segment " + segment.path() + " starts at position "
                        + segment.basePosition() + " but the previous segment ends before position "
                        + replay.nextPosition());
            }
            boolean last = i == segments.size() - 1;
            activeSize = scan(segment, i == first ? startOffset : Segment.HEADER_BYTES, last, replay);
        }
        if (durable != null && replay.nextPosition() < durable.nextPosition()) {
            Segment last = segments.get(segments.size() - 1);
            throw new CorruptionException("the log ends at position " + replay.nextPosition() + " (offset "
                    + activeSize + " of " + last.path() + ") but its durable-end checkpoint records "
                    + durable.describe(directory) + ": acknowledged data is missing");
        }
        recordRecoveredEnd(replay.nextPosition(), activeSize);
        return new Result(List.copyOf(segments), List.copyOf(generations), replay.tail(), heads,
                replay.nextPosition(), replay.lastTimestampMicros(), activeSize, indexRebuildNeeded, durableEnd);
    }

    private int segmentIndexOf(long basePosition, IndexGeneration generation) {
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i).basePosition() == basePosition) {
                return i;
            }
        }
        throw new CorruptionException("index file " + generation.path() + " ends in the segment starting at position "
                + basePosition + ", which is missing from " + directory);
    }

    /** Replays one segment from {@code startOffset}; returns the size it keeps. */
    private long scan(Segment segment, long startOffset, boolean last, Replay replay) throws IOException {
        SegmentScanner scanner = new SegmentScanner(segment.file(), startOffset);
        if (startOffset > scanner.fileSize()) {
            throw new CorruptionException("the index says position " + replay.nextPosition() + " starts at offset "
                    + startOffset + " of " + segment.path() + ", but the file is only " + scanner.fileSize()
                    + " bytes: acknowledged data is missing");
        }
        long committedEnd = startOffset;
        while (!scanner.atEnd()) {
            RecordCodec.Check check = scanner.check();
            if (check != RecordCodec.Check.VALID) {
                return endOfDamage(segment, scanner, check, last, replay, committedEnd);
            }
            ByteBuffer buffer = scanner.buffer();
            int at = scanner.at();
            if (RecordCodec.position(buffer, at) != replay.nextUncommittedPosition()) {
                throw new CorruptionException("record at offset " + scanner.offset() + " of " + segment.path()
                        + " holds position " + RecordCodec.position(buffer, at) + ", expected "
                        + replay.nextUncommittedPosition());
            }
            replay.record(buffer, at, (int) scanner.offset());
            scanner.skip();
            if (RecordCodec.isCommit(buffer, at)) {
                replay.commit();
                committedEnd = scanner.offset();
            }
        }
        if (replay.hasUncommitted()) {
            if (!last) {
                throw new CorruptionException("sealed segment " + segment.path() + " ends with an uncommitted append"
                        + " starting at offset " + committedEnd);
            }
            refuseCutBeforeDurableEnd(segment, committedEnd, replay, "segment " + segment.path()
                    + " ends with an uncommitted append starting at offset " + committedEnd);
            cut(segment, committedEnd, scanner.fileSize(), replay.uncommittedCount(), "an uncommitted append");
        }
        return committedEnd;
    }

    /**
     * Decides what a record that fails its check means: the torn tail of the last segment (nothing
     * valid after it), which is cut, or corruption, which stops the open with the data untouched.
     */
    private long endOfDamage(Segment segment, SegmentScanner scanner, RecordCodec.Check check, boolean last,
            Replay replay, long committedEnd) throws IOException {
        String problem = scanner.describe(check);
        if (!last) {
            throw new CorruptionException("sealed segment is damaged: " + problem);
        }
        long validAfter = scanner.findValidRecordAfter(replay.nextUncommittedPosition() - 1);
        if (validAfter >= 0) {
            throw new CorruptionException(problem + "; a valid record follows at offset " + validAfter
                    + ", so this is not a torn write");
        }
        refuseCutBeforeDurableEnd(segment, committedEnd, replay, problem);
        String kind = scanner.restIsZero() ? "a zeroed tail (torn or preallocated write)" : "a torn write (" + problem + ")";
        cut(segment, committedEnd, scanner.fileSize(), replay.uncommittedCount(), kind);
        return committedEnd;
    }

    /**
     * A torn write can only hit what was never forced: if cutting at {@code cutOffset} would remove
     * a record before the durable end, the damage is to acknowledged data, and the open is refused.
     */
    private void refuseCutBeforeDurableEnd(Segment segment, long cutOffset, Replay replay, String problem) {
        if (durable != null && replay.nextPosition() < durable.nextPosition()) {
            throw new CorruptionException(problem + "; this lies before the durable end, " + durable.describe(directory)
                    + ", so it is damage to acknowledged data, not a torn write. Nothing was changed; to accept"
                    + " losing the data from offset " + cutOffset + " of " + segment.path() + " on, run: rewind repair"
                    + " --cut-at " + segment.path().getFileName() + ":" + cutOffset + " " + directory);
        }
    }

    /** Copies bytes [from, size) of the segment aside, then truncates it to {@code from}. */
    private void cut(Segment segment, long from, long size, int uncommittedRecords, String kind) throws IOException {
        Path copy = segment.path().resolveSibling(segment.path().getFileName() + ".torn-" + Instant.now().toEpochMilli());
        try (StoreFile target = io.open(copy, FileIO.OpenMode.CREATE_NEW)) {
            for (long at = from; at < size; ) {
                ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(1 << 20, size - at));
                segment.file().readFully(chunk, at);
                target.writeFully(chunk.flip(), at - from);
                at += chunk.limit();
            }
            target.force();
        }
        io.forceDirectory(directory);
        segment.file().truncate(from);
        segment.file().force();
        LOG.warn("Recovered {}: cut {} bytes at offset {} ({}; {} complete but uncommitted record(s) dropped); "
                + "the cut bytes are kept in {}", segment.path(), size - from, from, kind, uncommittedRecords, copy);
    }
}
