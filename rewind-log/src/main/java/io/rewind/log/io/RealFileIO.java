package io.rewind.log.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** {@link FileIO} over {@link FileChannel}. Stateless and thread-safe. */
final class RealFileIO implements FileIO {

    static final RealFileIO INSTANCE = new RealFileIO();

    private RealFileIO() {
    }

    @Override
    public StoreFile open(Path path, OpenMode mode) throws IOException {
        OpenOption[] options = switch (mode) {
            case READ -> new OpenOption[] {StandardOpenOption.READ};
            case READ_WRITE -> new OpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE};
            case CREATE -> new OpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE};
            case CREATE_NEW -> new OpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW};
        };
        return new ChannelFile(path, FileChannel.open(path, options), options);
    }

    @Override
    public List<Path> list(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            List<Path> files = new ArrayList<>();
            entries.filter(Files::isRegularFile).forEach(files::add);
            return files;
        }
    }

    @Override
    public void createDirectories(Path directory) throws IOException {
        Files.createDirectories(directory);
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void delete(Path path) throws IOException {
        Files.deleteIfExists(path);
    }

    @Override
    public void forceDirectory(Path directory) throws IOException {
        // Opening a directory for reading and forcing it is how the JDK exposes fsync(dirfd) on Linux.
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * A {@link StoreFile} over one channel. An interrupt of any thread inside a channel operation
     * closes the channel for every thread; this file then reopens it once and retries the operation
     * for the other threads (positional reads and writes, and force, are safe to repeat), while the
     * interrupted thread gets its {@link ClosedByInterruptException}. Thread-safe.
     */
    private static final class ChannelFile implements StoreFile {
        private final Path path;
        private final Set<OpenOption> reopenOptions;
        private volatile FileChannel channel;
        private volatile boolean closed;
        private FileLock lock;

        ChannelFile(Path path, FileChannel channel, OpenOption[] options) {
            this.path = path;
            this.channel = channel;
            this.reopenOptions = reopenOptions(options);
        }

        private static Set<OpenOption> reopenOptions(OpenOption[] options) {
            Set<OpenOption> kept = new HashSet<>();
            for (OpenOption option : options) {
                if (option != StandardOpenOption.CREATE_NEW && option != StandardOpenOption.CREATE) {
                    kept.add(option);
                }
            }
            return kept;
        }

        private interface ChannelCall<T> {
            T call(FileChannel channel) throws IOException;
        }

        private <T> T withChannel(ChannelCall<T> call) throws IOException {
            FileChannel current = channel;
            try {
                return call.call(current);
            } catch (ClosedByInterruptException e) {
                reopenIfBroken(current);
                throw e;
            } catch (ClosedChannelException e) {
                if (closed) {
                    throw e;
                }
                return call.call(reopenIfBroken(current));
            }
        }

        private synchronized FileChannel reopenIfBroken(FileChannel broken) throws IOException {
            if (!closed && channel == broken) {
                channel = FileChannel.open(path, reopenOptions);
            }
            return channel;
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public int read(ByteBuffer destination, long offset) throws IOException {
            return withChannel(c -> c.read(destination, offset));
        }

        @Override
        public int write(ByteBuffer source, long offset) throws IOException {
            return withChannel(c -> c.write(source, offset));
        }

        @Override
        public void force() throws IOException {
            // fsync flushes the file, not the descriptor: forcing a reopened channel is as good.
            withChannel(c -> {
                c.force(false);
                return null;
            });
        }

        @Override
        public long size() throws IOException {
            return withChannel(FileChannel::size);
        }

        @Override
        public void truncate(long size) throws IOException {
            withChannel(c -> c.truncate(size));
        }

        @Override
        public ByteBuffer mapReadOnly(long offset, long length) throws IOException {
            return withChannel(c -> c.map(FileChannel.MapMode.READ_ONLY, offset, length));
        }

        @Override
        public synchronized boolean tryLock() throws IOException {
            try {
                lock = channel.tryLock();
                return lock != null;
            } catch (OverlappingFileLockException e) {
                return false;
            }
        }

        @Override
        public synchronized void close() throws IOException {
            closed = true;
            channel.close();
        }
    }
}
