package io.rewind.server;

import io.rewind.log.io.FileIO;
import io.rewind.log.io.StoreFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The real file system, except that once {@link #holdNextForce()} is called the next fsync of a
 * file waits until {@link #release()}: the log's writer is then stuck between writing a batch and
 * making it durable, which is when nothing about that batch may be visible to anyone. Thread-safe.
 */
final class HeldForceFileIO implements FileIO {

    private final FileIO real = FileIO.real();
    private volatile CountDownLatch entered;
    private volatile CountDownLatch released;

    /** Arms the hold for the next force. */
    void holdNextForce() {
        released = new CountDownLatch(1);
        entered = new CountDownLatch(1);
    }

    /** Waits until the writer is inside the held force. */
    boolean awaitForceEntered(long timeoutMs) throws InterruptedException {
        return entered.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    void release() {
        released.countDown();
    }

    private void maybeHold() throws IOException {
        CountDownLatch armed = entered;
        if (armed == null || armed.getCount() == 0) {
            return;
        }
        armed.countDown();
        try {
            if (!released.await(60, TimeUnit.SECONDS)) {
                throw new IOException("test hold on fsync was never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while holding an fsync", e);
        }
    }

    @Override
    public StoreFile open(Path path, OpenMode mode) throws IOException {
        StoreFile file = real.open(path, mode);
        return new StoreFile() {
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
                maybeHold();
                file.force();
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
        };
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
}
