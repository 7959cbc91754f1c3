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
 * and can fail the Nth write or force of a segment file, hold a force until released, or simulate
 * a crash after the Nth change to the directory. Thread-safe.
 */
final class TestFileIO extends ForwardingFileIO {

    final AtomicLong segmentBytesRead = new AtomicLong();
    final AtomicLong indexBytesRead = new AtomicLong();
    final AtomicInteger segmentForces = new AtomicInteger();
    /** The durable end the checkpoint file held at its latest force (null before one). */
    volatile DurableEnd.Mark forcedDurableEnd;
    final AtomicLong indexBytesWritten = new AtomicLong();
    private int changesUntilCrash = -1;
    private boolean crashed;
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

    /**
     * After {@code n} more changes (a file created, written, forced or truncated; a rename, a
     * delete, a directory force), every further change throws an IOException and does nothing:
     * the files stay exactly as a crash right after the {@code n}th change would leave them
     * (everything written before it is kept, as the page cache keeps it after a process crash).
     */
    synchronized void crashAfter(int n) {
        changesUntilCrash = n;
        crashed = false;
    }

    /** Whether a change was refused because of {@link #crashAfter}. */
    synchronized boolean crashed() {
        return crashed;
    }

    private synchronized void change(String what) throws IOException {
        if (changesUntilCrash == 0) {
            crashed = true;
            throw new IOException("simulated crash: " + what + " never happened");
        }
        if (changesUntilCrash > 0) {
            changesUntilCrash--;
        }
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
        if (mode == OpenMode.CREATE || mode == OpenMode.CREATE_NEW) {
            change("creating " + path);
        }
        return new CountingFile(delegate().open(path, mode));
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        change("renaming " + source);
        super.rename(source, target);
    }

    @Override
    public void delete(Path path) throws IOException {
        change("deleting " + path);
        super.delete(path);
    }

    @Override
    public void forceDirectory(Path directory) throws IOException {
        change("forcing " + directory);
        super.forceDirectory(directory);
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
            change("writing " + path());
            int written = super.write(source, offset);
            if (path().getFileName().toString().startsWith(IndexGeneration.PREFIX)) {
                indexBytesWritten.addAndGet(written);
            }
            return written;
        }

        @Override
        public void truncate(long size) throws IOException {
            change("truncating " + path());
            super.truncate(size);
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
            change("forcing " + path());
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
