package io.rewind.log;

import io.rewind.log.io.FileIO;
import io.rewind.log.io.StoreFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link FileIO} over the real one that counts what is read (by kind of file), counts forces,
 * and can fail the Nth write or force of a segment file, or hold a force until released.
 * Thread-safe.
 */
final class TestFileIO implements FileIO {

    private final FileIO real = FileIO.real();
    final AtomicLong segmentBytesRead = new AtomicLong();
    final AtomicLong indexBytesRead = new AtomicLong();
    final AtomicInteger segmentForces = new AtomicInteger();
    private final AtomicInteger writesUntilFailure = new AtomicInteger(-1);
    private final AtomicInteger forcesUntilFailure = new AtomicInteger(-1);
    private volatile boolean failIndexFiles;
    private volatile CountDownLatch forceGate;
    private volatile CountDownLatch forceEntered;
    private volatile CountDownLatch heldGate;

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
        return new CountingFile(real.open(path, mode));
    }

    @Override
    public List<Path> list(Path directory) throws IOException {
        return real.list(directory);
    }

    @Override
    public void createDirectories(Path directory) throws IOException {
        real.createDirectories(directory);
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        real.rename(source, target);
    }

    @Override
    public void delete(Path path) throws IOException {
        real.delete(path);
    }

    @Override
    public void forceDirectory(Path directory) throws IOException {
        real.forceDirectory(directory);
    }

    private final class CountingFile implements StoreFile {
        private final StoreFile file;
        private final boolean segment;

        CountingFile(StoreFile file) {
            this.file = file;
            this.segment = isSegment(file.path());
        }

        @Override
        public Path path() {
            return file.path();
        }

        @Override
        public int read(ByteBuffer destination, long offset) throws IOException {
            int read = file.read(destination, offset);
            count(Math.max(0, read));
            return read;
        }

        private void count(long bytes) {
            if (segment) {
                segmentBytesRead.addAndGet(bytes);
            } else if (IndexGeneration.isFileName(file.path().getFileName().toString())) {
                indexBytesRead.addAndGet(bytes);
            }
        }

        @Override
        public int write(ByteBuffer source, long offset) throws IOException {
            if (segment && trips(writesUntilFailure)) {
                throw new IOException("injected write failure on " + file.path());
            }
            return file.write(source, offset);
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
                    throw new IOException("injected force failure on " + file.path());
                }
                segmentForces.incrementAndGet();
            }
            file.force();
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
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public void truncate(long size) throws IOException {
            file.truncate(size);
        }

        @Override
        public ByteBuffer mapReadOnly(long offset, long length) throws IOException {
            count(length);
            return file.mapReadOnly(offset, length);
        }

        @Override
        public boolean tryLock() throws IOException {
            return file.tryLock();
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
