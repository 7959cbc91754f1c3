package io.rewind.log.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A {@link FileIO} that hands every call to another one: extend it and override only what a
 * wrapper changes (counting forces, injecting failures, holding a force). Thread-safe if the
 * delegate is and the overrides are.
 */
public abstract class ForwardingFileIO implements FileIO {

    private final FileIO delegate;

    protected ForwardingFileIO(FileIO delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The file system this one forwards to. */
    protected final FileIO delegate() {
        return delegate;
    }

    @Override
    public StoreFile open(Path path, OpenMode mode) throws IOException {
        return delegate.open(path, mode);
    }

    @Override
    public List<Path> list(Path directory) throws IOException {
        return delegate.list(directory);
    }

    @Override
    public void createDirectories(Path directory) throws IOException {
        delegate.createDirectories(directory);
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        delegate.rename(source, target);
    }

    @Override
    public void delete(Path path) throws IOException {
        delegate.delete(path);
    }

    @Override
    public void forceDirectory(Path directory) throws IOException {
        delegate.forceDirectory(directory);
    }
}
