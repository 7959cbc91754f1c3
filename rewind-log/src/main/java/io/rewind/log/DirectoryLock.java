package io.rewind.log;

import io.rewind.api.StoreUnavailableException;
import io.rewind.log.io.FileIO;
import io.rewind.log.io.StoreFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The exclusive lock on a log directory: an OS file lock on its {@code LOCK} file, held while the
 * store is open, so that neither another process nor another store in this process can open the
 * same directory. The OS releases it if the process dies. Thread-safe (immutable once acquired).
 */
final class DirectoryLock implements AutoCloseable {

    static final String FILE_NAME = "LOCK";

    private final StoreFile file;

    private DirectoryLock(StoreFile file) {
        this.file = file;
    }

    /**
     * Locks {@code directory}.
     *
     * @throws StoreUnavailableException naming the directory if it is locked already
     */
    static DirectoryLock acquire(FileIO io, Path directory) throws IOException {
        StoreFile file = io.open(directory.resolve(FILE_NAME), FileIO.OpenMode.CREATE);
        boolean locked;
        try {
            locked = file.tryLock();
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
        if (!locked) {
            file.close();
            throw new StoreUnavailableException("the log directory " + directory
                    + " is in use by another process or another open store (its " + FILE_NAME + " file is locked)");
        }
        return new DirectoryLock(file);
    }

    /** Releases {@code lock} if it is not null, on paths that are already failing or finished. */
    static void releaseQuietly(DirectoryLock lock) {
        if (lock != null) {
            try {
                lock.close();
            } catch (IOException e) {
                // Nothing to add: the OS drops the lock with the channel or the process anyway.
            }
        }
    }

    /** Releases the lock (closing the channel releases it). */
    @Override
    public void close() throws IOException {
        file.close();
    }
}
