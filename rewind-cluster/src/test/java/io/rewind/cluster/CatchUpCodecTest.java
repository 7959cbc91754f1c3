package io.rewind.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.RecordedEvent;
import io.rewind.log.RecordedAppend;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@link CatchUpCodec}: pages of whole appends and the applied point, exactly, and nothing else. */
class CatchUpCodecTest {

    private static RecordedEvent event(String stream, long version, long position, int size) {
        return new RecordedEvent(stream, version, position, UUID.randomUUID(), "typé", Instant.parse(
                "2026-12-02T10:11:12.123456Z").plusNanos(position * 1000), new byte[size], new byte[] {1, 2, (byte) size});
    }

    @Test
    void aPageOfAppendsComesBackFieldForFieldWithItsBoundaries() {
        List<RecordedAppend> page = List.of(
                new RecordedAppend(List.of(event("ström", 0, 10, 3))),
                new RecordedAppend(List.of(event("a", 4, 11, 0), event("b", 0, 12, 70_000), event("a", 5, 13, 1))));
        List<RecordedAppend> decoded = CatchUpCodec.decodeAppends(ByteBuffer.wrap(CatchUpCodec.encodeAppends(page)));
        assertThat(decoded).isEqualTo(page);
        assertThat(decoded).extracting(RecordedAppend::size).containsExactly(1, 3);
        assertThat(CatchUpCodec.decodeAppends(ByteBuffer.wrap(CatchUpCodec.encodeAppends(List.of())))).isEmpty();
    }

    @Test
    void aCutOrPaddedPageIsRefusedNotPartlyTaken() {
        byte[] bytes = CatchUpCodec.encodeAppends(List.of(new RecordedAppend(List.of(event("a", 0, 0, 10),
                event("a", 1, 1, 10)))));
        for (int cut : new int[] {bytes.length - 1, bytes.length - 20, 9, 3}) {
            assertThatThrownBy(() -> CatchUpCodec.decodeAppends(ByteBuffer.wrap(Arrays.copyOf(bytes, cut))))
                    .as("cut to " + cut).isInstanceOf(InvalidCommandException.class);
        }
        assertThatThrownBy(() -> CatchUpCodec.decodeAppends(ByteBuffer.wrap(Arrays.copyOf(bytes, bytes.length + 1))))
                .isInstanceOf(InvalidCommandException.class).hasMessageContaining("after its appends");
    }

    @Test
    void aRefusalIsAnAnswerThatSaysWhy() {
        assertThatThrownBy(() -> CatchUpCodec.decodeAppends(ByteBuffer.wrap(CatchUpCodec.encodeRefusal("not a prefix"))))
                .isInstanceOf(io.rewind.api.StoreFailedException.class).hasMessageContaining("not a prefix");
    }

    @Test
    void theAppliedPointAndTheQueriesRoundTrip() {
        AppliedIndex.Applied applied = new AppliedIndex.Applied(7, 123_456, 9_876_543);
        assertThat(CatchUpCodec.decodeApplied(ByteBuffer.wrap(CatchUpCodec.encodeApplied(applied)))).isEqualTo(applied);
        UUID before = UUID.randomUUID();
        ByteBuffer query = ByteBuffer.wrap(CatchUpCodec.appendsQuery(5, 900, 4096, before));
        assertThat(query.get()).isEqualTo(CatchUpCodec.QUERY_APPENDS);
        assertThat(CatchUpCodec.decodeAppendsQuery(query))
                .isEqualTo(new CatchUpCodec.AppendsQuery(5, 900, 4096, before));
        assertThatThrownBy(() -> CatchUpCodec.decodeAppendsQuery(ByteBuffer.allocate(3)))
                .isInstanceOf(InvalidCommandException.class);
    }
}
