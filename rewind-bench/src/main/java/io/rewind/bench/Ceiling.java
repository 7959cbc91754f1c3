package io.rewind.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

/**
 * The raw limit of a disk for the log's work: one thread appends framed records
 * ({@code length | CRC-32C | body}, the log's framing) to a plain {@link FileChannel} in batches
 * of B records, one write and one {@code force(false)} per batch, and nothing else: no index, no
 * queue, no other thread. Whatever the log achieves at the same batch size and record size is a
 * fraction of this. Not thread-safe; one run at a time.
 */
final class Ceiling {

    /** What one run measured. */
    record Result(long records, long forces, double seconds, int batch, int recordBytes, Latency forceLatency) {

        double recordsPerSecond() {
            return records / seconds;
        }
    }

    private Ceiling() {
    }

    /**
     * Runs the ceiling in a temporary file in {@code directory} (deleted afterwards) for the
     * given timeline.
     *
     * @param batch       records per force (at least 1)
     * @param recordBytes the whole size of one record, frame included (at least the frame + 1)
     */
    static Result run(Path directory, int batch, int recordBytes, Phases phases, Progress progress)
            throws IOException, InterruptedException {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, was " + batch);
        }
        if (recordBytes <= io.rewind.log.LogRecordSize.FRAME_BYTES) {
            throw new IllegalArgumentException("a record needs a body: " + recordBytes + " bytes is too small");
        }
        Files.createDirectories(directory);
        Path file = Files.createTempFile(directory, "rewind-ceiling-", ".dat");
        // Every force ends one whole batch, so the force count alone gives the record count.
        AtomicLong forces = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Latency latency = new Latency();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            Thread writer = new Thread(() -> {
                try {
                    write(channel, batch, recordBytes, phases, forces, latency);
                } catch (IOException | RuntimeException e) {
                    failure.set(e);
                }
            }, "ceiling-writer");
            writer.start();
            long forcesBefore = phases.awaitMeasureStart(progress, () -> forces.get() * batch) / batch;
            long forcesAfter = phases.awaitEnd(progress, () -> forces.get() * batch) / batch;
            writer.join();
            progress.done();
            if (failure.get() != null) {
                throw new IOException("the ceiling writer failed: " + failure.get(), failure.get());
            }
            return new Result((forcesAfter - forcesBefore) * batch, forcesAfter - forcesBefore, phases.seconds(), batch,
                    recordBytes, latency);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void write(FileChannel channel, int batch, int recordBytes, Phases phases, AtomicLong forces,
            Latency latency) throws IOException {
        int bodyBytes = recordBytes - io.rewind.log.LogRecordSize.FRAME_BYTES;
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.multiplyExact(batch, recordBytes));
        ByteBuffer body = ByteBuffer.allocateDirect(bodyBytes);
        CRC32C crc = new CRC32C();
        long offset = 0;
        long sequence = 0;
        while (!phases.over(System.nanoTime())) {
            long started = System.nanoTime();
            buffer.clear();
            for (int i = 0; i < batch; i++) {
                // Each body differs (a sequence number), so every CRC is really computed.
                body.clear();
                body.putLong(0, sequence++);
                crc.reset();
                crc.update(body);
                body.flip();
                buffer.putInt(bodyBytes).putInt((int) crc.getValue()).put(body);
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                offset += channel.write(buffer, offset);
            }
            channel.force(false);
            long finished = System.nanoTime();
            forces.incrementAndGet();
            if (phases.measuring(started)) {
                latency.record(finished - started);
            }
        }
    }

    /**
     * Fills {@code report} with the ceiling's figures and, given the comparable append rate, the
     * ratio to it.
     */
    static void report(Report report, Result ceiling, double appendEventsPerSecond) {
        report.count("ceiling_batch", ceiling.batch());
        report.figure("ceiling_events_per_s", ceiling.recordsPerSecond());
        report.figure("ratio_to_ceiling", ratio(appendEventsPerSecond, ceiling.recordsPerSecond()));
    }

    /** {@code achieved / ceiling}, NaN when the ceiling measured nothing. */
    static double ratio(double achieved, double ceiling) {
        return ceiling > 0 ? achieved / ceiling : Double.NaN;
    }

    /** The ceiling batch matching a measured mean of events per force: rounded, at least 1. */
    static int batchFor(double meanEventsPerForce) {
        if (!Double.isFinite(meanEventsPerForce) || meanEventsPerForce < 1) {
            return 1;
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.round(meanEventsPerForce));
    }
}
