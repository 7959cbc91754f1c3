package io.rewind.cluster;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The applied-index checkpoint, one small file: the term and index of the last applied Raft
 * entry and the store's next position after it. Written as a temp file, forced, renamed over the
 * old one, and the directory forced, so a crash leaves the old or the new checkpoint, never half
 * of one. Layout (big-endian): i64 term, i64 index, i64 next position, u32 CRC-32C of the 24
 * bytes before it.
 */
final class Checkpoint {

    static final String FILE_NAME = "applied";
    private static final int SIZE = 28;

    private Checkpoint() {
    }

    static void write(Path directory, AppliedIndex.Applied applied) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(SIZE);
        bytes.putLong(applied.term()).putLong(applied.index()).putLong(applied.nextPosition());
        CRC32C crc = new CRC32C();
        crc.update(bytes.array(), 0, 24);
        bytes.putInt((int) crc.getValue()).flip();
        Path temp = directory.resolve(FILE_NAME + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(temp, directory.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /**
     * The checkpoint in {@code directory}, empty when there is none.
     *
     * @throws IOException if the file is there but damaged (its size or checksum is wrong)
     */
    static Optional<AppliedIndex.Applied> read(Path directory) throws IOException {
        Path file = directory.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != SIZE) {
            throw new IOException("the applied-index checkpoint " + file + " is " + bytes.length + " bytes, not " + SIZE);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 24);
        int stored = in.getInt(24);
        if (stored != (int) crc.getValue()) {
            throw new IOException("the applied-index checkpoint " + file + " fails its checksum: stored "
                    + Integer.toHexString(stored) + ", computed " + Long.toHexString(crc.getValue()));
        }
        return Optional.of(new AppliedIndex.Applied(in.getLong(0), in.getLong(8), in.getLong(16)));
    }
}
