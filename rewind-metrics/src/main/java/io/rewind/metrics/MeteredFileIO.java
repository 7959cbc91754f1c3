package io.rewind.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.rewind.log.io.FileIO;
import io.rewind.log.io.ForwardingFileIO;
import io.rewind.log.io.ForwardingStoreFile;
import io.rewind.log.io.StoreFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The log's file access, measured: every force of a segment file (the fsync of a group commit)
 * into {@code rewind_fsync_seconds}, with a histogram for its percentiles; the bytes written to
 * segment files into {@code rewind_segment_written_bytes_total}, and to every file of the log
 * into {@code rewind_written_bytes_total}. Events per fsync are
 * {@code rate(rewind_head_position) / rate(rewind_fsync_seconds_count)}. Thread-safe.
 */
public final class MeteredFileIO extends ForwardingFileIO {

    private final Timer fsync;
    private final Counter segmentBytes;
    private final Counter allBytes;

    public MeteredFileIO(FileIO delegate, MeterRegistry registry) {
        super(delegate);
        this.fsync = Timer.builder("rewind.fsync").description("Forces of the log's segment files (group commits)")
                .publishPercentileHistogram().register(registry);
        this.segmentBytes = Counter.builder("rewind.segment.written").baseUnit("bytes")
                .description("Bytes written to the log's segment files").register(registry);
        this.allBytes = Counter.builder("rewind.written").baseUnit("bytes")
                .description("Bytes written to every file of the log (segments, indexes, checkpoints)").register(registry);
    }

    @Override
    public StoreFile open(Path path, OpenMode mode) throws IOException {
        return new Metered(delegate().open(path, mode), path.getFileName().toString().endsWith(".log"));
    }

    private final class Metered extends ForwardingStoreFile {
        private final boolean segment;

        Metered(StoreFile file, boolean segment) {
            super(file);
            this.segment = segment;
        }

        @Override
        public int write(ByteBuffer source, long offset) throws IOException {
            int written = super.write(source, offset);
            allBytes.increment(written);
            if (segment) {
                segmentBytes.increment(written);
            }
            return written;
        }

        @Override
        public void force() throws IOException {
            if (!segment) {
                super.force();
                return;
            }
            long started = System.nanoTime();
            super.force();
            fsync.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }
}
