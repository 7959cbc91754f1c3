package io.rewind.log.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A {@link StoreFile} that hands every call to another one: extend it and override only what a
 * wrapper changes. As safe for concurrent reads as the delegate, if the overrides are.
 */
public abstract class ForwardingStoreFile implements StoreFile {

    private final StoreFile delegate;

    protected ForwardingStoreFile(StoreFile delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public Path path() {
        return delegate.path();
    }

    @Override
    public int read(ByteBuffer destination, long offset) throws IOException {
        return delegate.read(destination, offset);
    }

    @Override
    public int write(ByteBuffer source, long offset) throws IOException {
        return delegate.write(source, offset);
    }

    @Override
    public void force() throws IOException {
        delegate.force();
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public void truncate(long size) throws IOException {
        delegate.truncate(size);
    }

    @Override
    public ByteBuffer mapReadOnly(long offset, long length) throws IOException {
        return delegate.mapReadOnly(offset, length);
    }

    @Override
    public boolean tryLock() throws IOException {
        return delegate.tryLock();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
