package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.RecordedEvent;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Properties of the record format: what is encoded decodes to itself, and damage is detected. */
class RecordCodecPropertiesTest {

    record Sample(long position, long version, long micros, boolean commit, String stream, String type, UUID id,
            byte[] metadata, byte[] data) {
    }

    @Provide
    Arbitrary<Sample> samples() {
        Arbitrary<String> streams = Arbitraries.strings().ofMinLength(1).ofMaxLength(60)
                .filter(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 255)
                .filter(RecordCodecPropertiesTest::wellFormed);
        Arbitrary<String> types = Arbitraries.strings().ofMaxLength(60)
                .filter(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 255)
                .filter(RecordCodecPropertiesTest::wellFormed);
        Arbitrary<byte[]> payloads = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<UUID> ids = Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(UUID::new);
        return Combinators.combine(
                        Combinators.combine(Arbitraries.longs().greaterOrEqual(0), Arbitraries.longs().greaterOrEqual(0),
                                Arbitraries.longs().between(-62_135_596_800_000_000L, 253_402_300_799_999_999L),
                                Arbitraries.of(true, false)).as(Header::new),
                        streams, types, ids, payloads, payloads)
                .as((h, stream, type, id, metadata, data) -> new Sample(h.position, h.version, h.micros, h.commit,
                        stream, type, id, metadata, data));
    }

    record Header(long position, long version, long micros, boolean commit) {
    }

    private static boolean wellFormed(String s) {
        return s.codePoints().noneMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
    }

    private static ByteBuffer encode(Sample sample) {
        byte[] stream = sample.stream().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] type = sample.type().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(RecordCodec.recordSize(stream.length, type.length,
                sample.metadata().length, sample.data().length));
        RecordCodec.encode(buffer, sample.position(), sample.version(), sample.micros(), sample.commit(), stream, type,
                sample.id(), sample.metadata(), sample.data(), new CRC32C());
        assertThat(buffer.hasRemaining()).as("recordSize matches what encode writes").isFalse();
        return buffer.flip();
    }

    @Property
    void everyRecordDecodesToItself(@ForAll("samples") Sample sample) {
        ByteBuffer buffer = encode(sample);
        assertThat(RecordCodec.check(buffer, 0, buffer.limit(), new CRC32C())).isEqualTo(RecordCodec.Check.VALID);
        RecordedEvent event = RecordCodec.decode(buffer, 0);
        assertThat(event.position()).isEqualTo(sample.position());
        assertThat(event.version()).isEqualTo(sample.version());
        assertThat(RecordCodec.toMicros(event.timestamp())).isEqualTo(sample.micros());
        assertThat(RecordCodec.isCommit(buffer, 0)).isEqualTo(sample.commit());
        assertThat(event.stream()).isEqualTo(sample.stream());
        assertThat(event.type()).isEqualTo(sample.type());
        assertThat(event.id()).isEqualTo(sample.id());
        assertThat(event.metadata()).isEqualTo(sample.metadata());
        assertThat(event.data()).isEqualTo(sample.data());
        assertThat(RecordCodec.totalSize(buffer, 0)).isEqualTo(buffer.limit());
    }

    @Property
    void anyFlippedByteIsDetected(@ForAll("samples") Sample sample, @ForAll @IntRange(min = 0, max = 10_000) int where,
            @ForAll @IntRange(min = 1, max = 255) int mask) {
        ByteBuffer buffer = encode(sample);
        int offset = where % buffer.limit();
        buffer.put(offset, (byte) (buffer.get(offset) ^ mask));
        assertThat(RecordCodec.check(buffer, 0, buffer.limit(), new CRC32C())).isNotEqualTo(RecordCodec.Check.VALID);
    }

    @Property
    void anyTruncationIsDetectedAsIncomplete(@ForAll("samples") Sample sample,
            @ForAll @IntRange(min = 1, max = 10_000) int cut) {
        ByteBuffer buffer = encode(sample);
        int end = buffer.limit() - 1 - (cut % buffer.limit());
        assertThat(RecordCodec.check(buffer, 0, end, new CRC32C())).isEqualTo(RecordCodec.Check.INCOMPLETE);
    }
}
