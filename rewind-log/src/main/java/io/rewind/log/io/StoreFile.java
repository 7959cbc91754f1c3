package io.rewind.log.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One open file of the store. Every byte the log reads or writes goes through this interface (and
 * {@link FileIO}), so tests can fail the Nth write or force, or count what start-up reads.
 *
 * <p>Positional reads and writes do not move any shared file pointer: implementations must allow
 * concurrent {@link #read} calls from many threads while one thread writes.
 */
public interface StoreFile extends Closeable {

    /** The file's path. */
    Path path();

    /**
     * Reads up to {@code destination.remaining()} bytes at {@code offset}; returns the number
     * read, -1 at end of file.
     */
    int read(ByteBuffer destination, long offset) throws IOException;

    /** Writes up to {@code source.remaining()} bytes at {@code offset}; returns the number written. */
    int write(ByteBuffer source, long offset) throws IOException;

    /** Forces written content (not necessarily metadata other than the size) to stable storage. */
    void force() throws IOException;

    /** The file's current size in bytes. */
    long size() throws IOException;

    /** Cuts the file to {@code size} bytes. */
    void truncate(long size) throws IOException;

    /** A read-only mapping of {@code length} bytes from {@code offset}; counts as reading them. */
    ByteBuffer mapReadOnly(long offset, long length) throws IOException;

    /**
     * Takes an exclusive lock on the whole file, without waiting.
     *
     * @return false if another process or another channel in this process holds it
     */
    boolean tryLock() throws IOException;

    @Override
    void close() throws IOException;

    /** Reads exactly {@code destination.remaining()} bytes at {@code offset}, or fails with EOF. */
    default void readFully(ByteBuffer destination, long offset) throws IOException {
        long at = offset;
        while (destination.hasRemaining()) {
            int read = read(destination, at);
            if (read < 0) {
                throw new java.io.EOFException("end of " + path() + " at offset " + at);
            }
            at += read;
        }
    }

    /** Writes all of {@code source} at {@code offset}. */
    default void writeFully(ByteBuffer source, long offset) throws IOException {
        long at = offset;
        while (source.hasRemaining()) {
            at += write(source, at);
        }
    }
}
