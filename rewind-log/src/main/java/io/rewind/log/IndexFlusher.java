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
 * stay in memory, and the failure is reported to the writer, which stops (fail-stop).
 *
 * <p>Thread-safety: {@link #flush} is called by the writer thread only; the rest by the thread that
 * owns the writer.
 */
final class IndexFlusher {

    private static final Logger LOG = LoggerFactory.getLogger(IndexFlusher.class);

    private final IndexWriter indexWriter;
    private final LogReader reader;
    private final Consumer<IOException> onFailure;
    private final ExecutorService executor;
    private volatile boolean failed;

    IndexFlusher(FileIO io, Path directory, LogReader reader, Consumer<IOException> onFailure) {
        this.indexWriter = new IndexWriter(io, directory);
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
            IndexGeneration generation = indexWriter.write(tail, endPosition, endSegmentBase, endOffset,
                    lastTimestampMicros, heads, heads.size());
            reader.updateIndexes(snapshot -> snapshot.withFlushed(generation));
        } catch (IOException | RuntimeException e) {
            failed = true;
            LOG.error("Writing the index of positions {} to {} failed", tail.basePosition(), endPosition - 1, e);
            onFailure.accept(e instanceof IOException io ? io : new IOException("index flush failed: " + e, e));
        }
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
