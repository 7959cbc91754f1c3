package io.rewind.log;

import io.rewind.log.io.FileIO;
import io.rewind.log.io.ForwardingFileIO;
import io.rewind.log.io.ForwardingStoreFile;
import io.rewind.log.io.StoreFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link FileIO} over the real one that counts what is read (by kind of file), counts forces,
 * and can fail the Nth write or force of a segment file, or hold a force until released.
 * Thread-safe.
 */
final class TestFileIO extends ForwardingFileIO {

    final AtomicLong segmentBytesRead = new AtomicLong();
    final AtomicLong indexBytesRead = new AtomicLong();
    final AtomicInteger segmentForces = new AtomicInteger();
    /** The durable end the checkpoint file held at its latest force (null before one). */
    volatile DurableEnd.Mark forcedDurableEnd;
    private final AtomicInteger writesUntilFailure = new AtomicInteger(-1);
    private final AtomicInteger forcesUntilFailure = new AtomicInteger(-1);
    private volatile boolean failIndexFiles;
    private volatile CountDownLatch forceGate;
    private volatile CountDownLatch forceEntered;
    private volatile CountDownLatch heldGate;

    TestFileIO() {
        super(FileIO.real());
    }

    /** The {@code n}th segment write from now (1 = the next) throws an IOException, once. */
    void failSegmentWrite(int n) {
        writesUntilFailure.set(n);
    }

    /** The {@code n}th segment force from now (1 = the next) throws an IOException, once. */
    void failSegmentForce(int n) {
        forcesUntilFailure.set(n);
    }

    /** Every index file the store creates from now on fails to open. */
    void failIndexFiles() {
        failIndexFiles = true;
    }

    /** The next segment force blocks until {@link #releaseForce()}; returns a latch counted down when it starts. */
    CountDownLatch holdNextForce() {
        forceEntered = new CountDownLatch(1);
        heldGate = new CountDownLatch(1);
        forceGate = heldGate;
        return forceEntered;
    }

    void releaseForce() {
        heldGate.countDown();
    }

    void resetCounters() {
        segmentBytesRead.set(0);
        indexBytesRead.set(0);
        segmentForces.set(0);
    }

    private static boolean isSegment(Path path) {
        return Segment.parseFileName(path.getFileName().toString()) >= 0;
    }

    private static boolean trips(AtomicInteger countdown) {
        return countdown.get() > 0 && countdown.decrementAndGet() == 0;
    }

    @Override
    public StoreFile open(Path path, OpenMode mode) throws IOException {
        if (failIndexFiles && mode == OpenMode.CREATE_NEW && path.getFileName().toString().startsWith(IndexGeneration.PREFIX)) {
            throw new IOException("injected failure creating " + path);
        }
        return new CountingFile(delegate().open(path, mode));
    }

    private final class CountingFile extends ForwardingStoreFile {
        private final boolean segment;

        CountingFile(StoreFile file) {
            super(file);
            this.segment = isSegment(file.path());
        }

        @Override
        public int read(ByteBuffer destination, long offset) throws IOException {
            int read = super.read(destination, offset);
            count(Math.max(0, read));
            return read;
        }

        private void count(long bytes) {
            if (segment) {
                segmentBytesRead.addAndGet(bytes);
            } else if (IndexGeneration.isFileName(path().getFileName().toString())) {
                indexBytesRead.addAndGet(bytes);
            }
        }

        @Override
        public int write(ByteBuffer source, long offset) throws IOException {
            if (segment && trips(writesUntilFailure)) {
                throw new IOException("injected write failure on " + path());
            }
            return super.write(source, offset);
        }

        @Override
        public void force() throws IOException {
            if (segment) {
                CountDownLatch gate = forceGate;
                if (gate != null) {
                    forceGate = null;
                    forceEntered.countDown();
                    awaitGate(gate);
                }
                if (trips(forcesUntilFailure)) {
                    throw new IOException("injected force failure on " + path());
                }
                segmentForces.incrementAndGet();
            }
            super.force();
            if (path().getFileName().toString().equals(DurableEnd.FILE_NAME)) {
                forcedDurableEnd = DurableEnd.read(FileIO.real(), path().getParent());
            }
        }

        private void awaitGate(CountDownLatch gate) throws IOException {
            try {
                if (!gate.await(30, TimeUnit.SECONDS)) {
                    throw new IOException("test force gate never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted at the test force gate", e);
            }
        }

        @Override
        public ByteBuffer mapReadOnly(long offset, long length) throws IOException {
            count(length);
            return super.mapReadOnly(offset, length);
        }
    }
}
