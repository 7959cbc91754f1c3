package io.rewind.log.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The file-system operations the log uses: all of its file access goes through one instance, so
 * a test can wrap {@link #real()} to inject failures or count bytes. Implementations are
 * thread-safe.
 */
public interface FileIO {

    /** How to open a file. */
    enum OpenMode {
        /** Read only; the file must exist. */
        READ,
        /** Read and write; the file must exist. */
        READ_WRITE,
        /** Read and write; the file is created if missing. */
        CREATE,
        /** Read and write; the file must not exist yet. */
        CREATE_NEW
    }

    /** The real file system. */
    static FileIO real() {
        return RealFileIO.INSTANCE;
    }

    StoreFile open(Path path, OpenMode mode) throws IOException;

    /** The regular files directly inside {@code directory}, in no particular order. */
    List<Path> list(Path directory) throws IOException;

    /** Creates the directory and its parents if missing. */
    void createDirectories(Path directory) throws IOException;

    /** Atomically renames {@code source} to {@code target}, replacing the target. */
    void rename(Path source, Path target) throws IOException;

    /** Deletes the file if it exists. */
    void delete(Path path) throws IOException;

    /** Forces the directory entry changes (created, renamed, deleted files) to stable storage. */
    void forceDirectory(Path directory) throws IOException;
}
