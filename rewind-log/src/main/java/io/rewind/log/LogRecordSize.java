package io.rewind.log;

/**
 * The size the embedded log gives one event on disk, for the benchmarks: the ceiling benchmark
 * writes records of exactly that size, so its bytes per event match the log's. Public because
 * the record layout ({@code RecordCodec}) is package-private.
 * Stateless and thread-safe.
 */
public final class LogRecordSize {

    /** The frame (length and CRC-32C) in front of every record body. */
    public static final int FRAME_BYTES = RecordCodec.FRAME_BYTES;

    private LogRecordSize() {
    }

    /** The bytes of one record, frame included, for these field sizes (all UTF-8 byte counts). */
    public static int of(int streamBytes, int typeBytes, int metadataBytes, int dataBytes) {
        return RecordCodec.recordSize(streamBytes, typeBytes, metadataBytes, dataBytes);
    }
}
