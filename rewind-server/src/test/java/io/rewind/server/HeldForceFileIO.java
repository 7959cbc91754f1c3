package io.rewind.server;

import io.rewind.log.io.FileIO;
import io.rewind.log.io.ForwardingFileIO;
import io.rewind.log.io.ForwardingStoreFile;
import io.rewind.log.io.StoreFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The real file system, except that once {@link #holdNextForce()} is called the next fsync of a
 * file waits until {@link #release()}: the log's writer is then stuck between writing a batch and
 * making it durable, which is when nothing about that batch may be visible to anyone. Thread-safe.
 */
final class HeldForceFileIO extends ForwardingFileIO {

    private volatile CountDownLatch entered;
    private volatile CountDownLatch released;

    HeldForceFileIO() {
        super(FileIO.real());
    }

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
        return new ForwardingStoreFile(delegate().open(path, mode)) {
            @Override
            public void force() throws IOException {
                maybeHold();
                super.force();
            }
        };
    }
}
