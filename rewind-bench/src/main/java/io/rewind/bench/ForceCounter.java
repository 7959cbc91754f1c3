package io.rewind.bench;

import io.rewind.log.io.FileIO;
import io.rewind.log.io.StoreFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The real file system, counting the forces of segment files ({@code *.log}): how many group
 * commits the log made, hence its mean events per fsync. Index and directory forces are not
 * counted (they are background work, not commits). Thread-safe.
 */
final class ForceCounter implements FileIO {

    private final FileIO real = FileIO.real();
    private final LongAdder segmentForces = new LongAdder();

    /** Segment forces so far. */
    long segmentForces() {
        return segmentForces.sum();
    }

    @Override
    public StoreFile open(Path path, OpenMode mode) throws IOException {
        StoreFile file = real.open(path, mode);
        return path.getFileName().toString().endsWith(".log") ? new Counted(file) : file;
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

    /** A segment file whose forces are counted; everything else goes straight through. */
    private final class Counted implements StoreFile {
        private final StoreFile file;

        Counted(StoreFile file) {
            this.file = file;
        }

        @Override
        public Path path() {
            return file.path();
        }

        @Override
        public int read(ByteBuffer destination, long offset) throws IOException {
            return file.read(destination, offset);
        }

        @Override
        public int write(ByteBuffer source, long offset) throws IOException {
            return file.write(source, offset);
        }

        @Override
        public void force() throws IOException {
            file.force();
            segmentForces.increment();
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
