package io.rewind.protocol;

/**
 * How one kind of record is laid out in a record frame: its exact encoded size, known before
 * anything is written, and how to write it. Knowing the sizes first lets {@link RecordCodec} give
 * every record frame an array of exactly the right length and write each record straight into it,
 * with no intermediate copy. Implementations are stateless and thread-safe.
 *
 * @param <T> the value a record holds
 */
public interface RecordLayout<T> {

    /** The number of bytes {@link #write} writes for {@code value}. */
    int size(T value);

    /** Writes the record of {@code value}: exactly {@link #size} bytes. */
    void write(BinaryWriter out, T value);

    /** The record of {@code value} on its own, in an array of exactly its size. */
    default byte[] encode(T value) {
        int size = size(value);
        BinaryWriter out = new BinaryWriter(size);
        write(out, value);
        return RecordCodec.requireWritten(out, size, value);
    }
}
