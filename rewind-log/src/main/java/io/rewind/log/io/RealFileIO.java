package io.rewind.log.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
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
        return new ChannelFile(path, FileChannel.open(path, options));
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

    /** A {@link StoreFile} over one channel. Thread-safe as {@link FileChannel} is. */
    private static final class ChannelFile implements StoreFile {
        private final Path path;
        private final FileChannel channel;
        private FileLock lock;

        ChannelFile(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public int read(ByteBuffer destination, long offset) throws IOException {
            return channel.read(destination, offset);
        }

        @Override
        public int write(ByteBuffer source, long offset) throws IOException {
            return channel.write(source, offset);
        }

        @Override
        public void force() throws IOException {
            channel.force(false);
        }

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public void truncate(long size) throws IOException {
            channel.truncate(size);
        }

        @Override
        public ByteBuffer mapReadOnly(long offset, long length) throws IOException {
            return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
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
        public void close() throws IOException {
            channel.close();
        }
    }
}
