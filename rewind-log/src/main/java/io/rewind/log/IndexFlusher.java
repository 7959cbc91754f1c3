package io.rewind.log;

import io.rewind.api.StreamInfo;
import io.rewind.log.io.FileIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes frozen index tails to generation files on a thread of its own, so that sorting and
 * writing an index never stalls the group commit. The writer thread freezes the live tail (readers
 * keep finding its entries in the frozen tail) and carries on with a new one; when the file is
 * durable the frozen tail is replaced by the generation. Flushes run one at a time, in order, so
 * generation files stay contiguous. After a failed flush no further flush runs: the frozen tails
 * stay in memory, and the failure is reported to the writer, which stops (fail-stop). After each
 * flush the same thread merges generations as {@link MergePolicy} says (size-tiered, so merge work
 * does not grow with the store); a failed merge is logged and leaves the old files in use.
 *
 * <p>Thread-safety: {@link #flush} is called by the writer thread only; the rest by the thread that
 * owns the writer.
 */
final class IndexFlusher {

    private static final Logger LOG = LoggerFactory.getLogger(IndexFlusher.class);

    private final FileIO io;
    private final Path directory;
    private final IndexWriter indexWriter;
    private final MergePolicy mergePolicy;
    private final LogReader reader;
    private final Consumer<IOException> onFailure;
    private final ExecutorService executor;
    private volatile boolean failed;

    /** @param mergeUnit the entries of a regular flush (the index flush threshold), which sizes the merge tiers */
    IndexFlusher(FileIO io, Path directory, int mergeUnit, LogReader reader, Consumer<IOException> onFailure) {
        this.io = io;
        this.directory = directory;
        this.indexWriter = new IndexWriter(io, directory);
        this.mergePolicy = new MergePolicy(mergeUnit, MergePolicy.MAX_FILE_BYTES);
        this.reader = reader;
        this.onFailure = onFailure;
        this.executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "rewind-log-index-" + directory.getFileName());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Freezes the live tail, which must be non-empty and whose records must be durable, and
     * writes it in the background with the given checkpoint and stream heads.
     */
    void flush(long endSegmentBase, long endOffset, long lastTimestampMicros, List<StreamInfo> heads) {
        TailIndex tail = reader.indexes().tail();
        long endPosition = tail.basePosition() + tail.count();
        reader.updateIndexes(IndexSnapshot::withFrozenTail);
        executor.execute(() -> write(tail, endPosition, endSegmentBase, endOffset, lastTimestampMicros, heads));
    }

    private void write(TailIndex tail, long endPosition, long endSegmentBase, long endOffset, long lastTimestampMicros,
            List<StreamInfo> heads) {
        if (failed) {
            return;
        }
        try {
            IndexGeneration generation = indexWriter.write(
                    tail.asContent(endSegmentBase, endOffset, lastTimestampMicros, heads));
            reader.updateIndexes(snapshot -> snapshot.withFlushed(generation));
        } catch (IOException | RuntimeException e) {
            failed = true;
            LOG.error("Writing the index of positions {} to {} failed", tail.basePosition(), endPosition - 1, e);
            onFailure.accept(e instanceof IOException io ? io : new IOException("index flush failed: " + e, e));
            return;
        }
        mergeWhileThePolicySays();
    }

    /** Merges generations, one run at a time, for as long as the merge policy names a run. */
    private void mergeWhileThePolicySays() {
        while (true) {
            List<IndexGeneration> generations = reader.indexes().generations();
            if (generations.isEmpty()) {
                return;
            }
            long[] entries = new long[generations.size()];
            long[] headsBytes = new long[generations.size()];
            for (int i = 0; i < entries.length; i++) {
                entries[i] = generations.get(i).count();
                headsBytes[i] = generations.get(i).headsBytes();
            }
            MergePolicy.Run run = mergePolicy.next(entries, headsBytes);
            if (run == null || !merge(generations.subList(run.first(), run.end()))) {
                return;
            }
        }
    }

    /**
     * Replaces a contiguous run of generations by one; true if it did. Optional work: if it fails
     * the old files stay in use. The merged file is renamed into place before the old ones are
     * deleted; a crash in between leaves both, and recovery keeps the widest and deletes the files
     * it covers.
     */
    private boolean merge(List<IndexGeneration> generations) {
        IndexGeneration merged;
        try {
            merged = indexWriter.write(new GenerationMerge(generations));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Merging {} index files failed; they stay in use", generations.size(), e);
            return false;
        }
        reader.updateIndexes(snapshot -> snapshot.withMerged(merged));
        try {
            for (IndexGeneration old : generations) {
                io.delete(old.path()); // readers still holding an old snapshot keep its mapping
            }
            io.forceDirectory(directory);
        } catch (IOException e) {
            LOG.warn("Could not delete index files merged into {}; the next open deletes them", merged.path(), e);
        }
        return true;
    }

    /** Waits until every flush started so far has finished; fails if one of them failed. */
    void awaitIdle() throws IOException {
        try {
            executor.submit(() -> { }).get();
            if (failed) {
                throw new IOException("writing an index file failed (see the log)");
            }
        } catch (ExecutionException e) {
            throw new IOException("index flush failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for an index flush", e);
        }
    }

    /** Finishes the flushes started so far, then stops the thread. */
    void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.MINUTES)) {
                LOG.error("An index flush did not finish within 5 minutes; the next open replays the log instead");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
