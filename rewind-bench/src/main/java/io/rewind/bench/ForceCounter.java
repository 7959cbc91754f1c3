package io.rewind.bench;

import io.rewind.log.io.FileIO;
import io.rewind.log.io.ForwardingFileIO;
import io.rewind.log.io.ForwardingStoreFile;
import io.rewind.log.io.StoreFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

/**
 * The real file system, counting the forces of segment files ({@code *.log}): how many group
 * commits the log made, hence its mean events per fsync. Index and directory forces are not
 * counted (they are background work, not commits). Thread-safe.
 */
final class ForceCounter extends ForwardingFileIO {

    private final LongAdder segmentForces = new LongAdder();

    ForceCounter() {
        super(FileIO.real());
    }

    /** Segment forces so far. */
    long segmentForces() {
        return segmentForces.sum();
    }

    @Override
    public StoreFile open(Path path, OpenMode mode) throws IOException {
        StoreFile file = delegate().open(path, mode);
        return path.getFileName().toString().endsWith(".log") ? new Counted(file) : file;
    }

    /** A segment file whose forces are counted; everything else goes straight through. */
    private final class Counted extends ForwardingStoreFile {

        Counted(StoreFile file) {
            super(file);
        }

        @Override
        public void force() throws IOException {
            super.force();
            segmentForces.increment();
        }
    }
}
