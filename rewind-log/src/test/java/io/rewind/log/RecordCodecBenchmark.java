package io.rewind.log;

import io.rewind.api.RecordedEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The log's record codec on its hot paths: encoding a record with its CRC-32C (the writer, per
 * event), the CRC-32C framing alone, checking a record (recovery and every read), and decoding it
 * into a {@link RecordedEvent} (every read). Records live in direct buffers, as in the log.
 * Lives in {@code io.rewind.log} because the codec is package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RecordCodecBenchmark {

    /** Payload bytes of the event. */
    @Param({"100", "1000"})
    public int size;

    private final byte[] stream = "orders-12345".getBytes(StandardCharsets.UTF_8);
    private final byte[] type = "OrderPlaced".getBytes(StandardCharsets.UTF_8);
    private final byte[] metadata = new byte[0];
    private final UUID id = UUID.randomUUID();
    private final CRC32C crc = new CRC32C();
    private byte[] data;
    private ByteBuffer buffer;
    private int recordBytes;

    @Setup
    public void setUp() {
        data = new byte[size];
        new Random(42).nextBytes(data);
        recordBytes = RecordCodec.recordSize(stream.length, type.length, metadata.length, data.length);
        buffer = ByteBuffer.allocateDirect(recordBytes);
        RecordCodec.encode(buffer, 1234, 5, 1_700_000_000_000_000L, true, stream, type, id, metadata, data, crc);
    }

    @Benchmark
    public int encode() {
        buffer.clear();
        RecordCodec.encode(buffer, 1234, 5, 1_700_000_000_000_000L, true, stream, type, id, metadata, data, crc);
        return buffer.position();
    }

    @Benchmark
    public int crcOfBody() {
        return RecordCodec.computeCrc(buffer, 0, recordBytes - RecordCodec.FRAME_BYTES, crc);
    }

    @Benchmark
    public RecordCodec.Check check() {
        return RecordCodec.check(buffer, 0, recordBytes, crc);
    }

    @Benchmark
    public RecordedEvent decode() {
        return RecordCodec.decode(buffer, 0);
    }
}
