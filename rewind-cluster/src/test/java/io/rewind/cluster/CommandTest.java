package io.rewind.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.IdempotencyConflictException;
import io.rewind.api.WrongExpectedVersionException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The command and reply codecs: what is encoded decodes the same; damage is refused by name. */
class CommandTest {

    private static final AppendRequest REQUEST = AppendRequest.builder()
            .append("orders-1", ExpectedVersion.exactly(3), List.of(
                    new EventData(UUID.randomUUID(), "Placed", new byte[] {0, 1, (byte) 255}, new byte[] {9}),
                    new EventData(UUID.randomUUID(), "", new byte[0], new byte[0])))
            .append("ünïcode", ExpectedVersion.noStream(), EventData.of(UUID.randomUUID(), "t", new byte[] {7}))
            .check("customers-2", ExpectedVersion.streamExists())
            .build();

    @Test
    void aCommandDecodesToTheRequestItEncodesAndTheLeadersStamp() {
        byte[] proposed = new Command(0, REQUEST).encode();
        Command decoded = Command.decode(ByteBuffer.wrap(Command.stamp(proposed, 1_234_567L)));
        assertThat(decoded.timestampMicros()).isEqualTo(1_234_567L);
        assertThat(decoded.requests()).containsExactly(REQUEST);
        assertThat(Command.decode(ByteBuffer.wrap(proposed)).timestampMicros()).as("stamping copies").isZero();
    }

    @Test
    void aBatchDecodesToItsAppendsInOrderAndItsReplySplitsInOrder() {
        AppendRequest second = AppendRequest.builder()
                .append("s", ExpectedVersion.any(), EventData.of(UUID.randomUUID(), "t", new byte[] {1})).build();
        byte[] proposed = Command.encodeAppends(List.of(Command.encodeAppend(REQUEST), Command.encodeAppend(second),
                Command.encodeAppend(REQUEST)));
        assertThat(Command.decode(ByteBuffer.wrap(proposed)).requests()).containsExactly(REQUEST, second, REQUEST);
        AppendResult result = new AppendResult(List.of(new AppendResult.Written("s", 0, 9, UUID.randomUUID())));
        byte[] entry = Reply.entry(List.of(Reply.result(result),
                Reply.refusal(new WrongExpectedVersionException("s", ExpectedVersion.noStream(), 0))));
        List<ByteBuffer> replies = Reply.split(ByteBuffer.wrap(entry), 2);
        assertThat(Reply.decode(replies.get(0))).isEqualTo(result);
        assertThatThrownBy(() -> Reply.decode(replies.get(1))).isInstanceOf(WrongExpectedVersionException.class);
        assertThatThrownBy(() -> Reply.split(ByteBuffer.wrap(entry), 3)).isInstanceOf(InvalidCommandException.class)
                .hasMessageContaining("2 outcomes for 3 appends");
        assertThatThrownBy(() -> Reply.split(ByteBuffer.wrap(entry, 0, entry.length - 1), 2))
                .isInstanceOf(InvalidCommandException.class);
    }

    @Test
    void aDamagedOrUnknownCommandIsRefusedByName() {
        byte[] encoded = new Command(0, REQUEST).encode();
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(encoded, 0, encoded.length - 3)))
                .isInstanceOf(InvalidCommandException.class).hasMessageContaining("cut short");
        byte[] newer = encoded.clone();
        newer[0] = 2;
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(newer))).isInstanceOf(InvalidCommandException.class)
                .hasMessageContaining("format version 2");
        byte[] otherType = encoded.clone();
        otherType[1] = 9;
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(otherType)))
                .isInstanceOf(InvalidCommandException.class).hasMessageContaining("command type 9");
        otherType[1] = 1;
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(otherType)))
                .isInstanceOf(InvalidCommandException.class).hasMessageContaining("command type 1");
    }

    @Test
    void repliesCarryTheResultOrTheTypedRefusal() {
        AppendResult result = new AppendResult(List.of(new AppendResult.Written("s", 4, 17, UUID.randomUUID())));
        assertThat(Reply.decode(ByteBuffer.wrap(Reply.result(result)))).isEqualTo(result);
        WrongExpectedVersionException wrong = new WrongExpectedVersionException("s", ExpectedVersion.exactly(2), 5);
        assertThatThrownBy(() -> Reply.decode(ByteBuffer.wrap(Reply.refusal(wrong))))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.stream()).isEqualTo("s");
                    assertThat(e.expected()).isEqualTo(ExpectedVersion.exactly(2));
                    assertThat(e.actualVersion()).isEqualTo(5);
                    assertThat(e.getMessage()).isEqualTo(wrong.getMessage());
                });
        IdempotencyConflictException conflict = new IdempotencyConflictException(UUID.randomUUID(), "other content");
        assertThatThrownBy(() -> Reply.decode(ByteBuffer.wrap(Reply.refusal(conflict))))
                .isInstanceOfSatisfying(IdempotencyConflictException.class, e -> {
                    assertThat(e.eventId()).isEqualTo(conflict.eventId());
                    assertThat(e.getMessage()).isEqualTo(conflict.getMessage());
                });
    }
}
