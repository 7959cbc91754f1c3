package io.rewind.protocol.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.RecordedEvent;
import io.rewind.protocol.MalformedMessageException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The GROUP command and its replies (docs/PROTOCOL.md §5.6), byte for byte. */
class GroupCodecTest {

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> texts(List<byte[]> frames) {
        return frames.stream().map(f -> new String(f, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aGroupRequestIsItsNameIdOperationAndTextArguments() {
        CommandRequest.Group request = new CommandRequest.Group(7, CommandRequest.GroupOperation.NACK,
                List.of("billing", "w-1", "42", "PARK", "bad invoice"));
        List<byte[]> frames = request.toFrames();
        assertThat(frames).hasSize(8);
        assertThat(new String(frames.get(0), StandardCharsets.US_ASCII)).isEqualTo("GROUP");
        assertThat(frames.get(1)).containsExactly(0, 0, 0, 0, 0, 0, 0, 7);
        assertThat(texts(frames.subList(2, 8))).containsExactly("NACK", "billing", "w-1", "42", "PARK", "bad invoice");
        assertThat(CommandRequest.decode(frames)).isEqualTo(request);
        CommandRequest.Group list = (CommandRequest.Group) CommandRequest.decode(
                new CommandRequest.Group(8, CommandRequest.GroupOperation.LIST, List.of()).toFrames());
        assertThat(list.arguments()).isEmpty();
    }

    @Test
    void anUpdateCarriesTheNameAndFiveSettingsOfWhichEmptyOnesAreKept() {
        CommandRequest.Group update = new CommandRequest.Group(11, CommandRequest.GroupOperation.UPDATE,
                List.of("billing", "", "3", "", "", "250"));
        List<byte[]> frames = update.toFrames();
        assertThat(texts(frames.subList(2, frames.size()))).containsExactly("UPDATE", "billing", "", "3", "", "",
                "250");
        assertThat(CommandRequest.decode(frames)).isEqualTo(update);
    }

    @Test
    void aGroupRequestWithoutAnOperationOrWithAnUnknownOneIsMalformed() {
        byte[] id = RequestIds.encode(3);
        assertThatThrownBy(() -> CommandRequest.decode(List.of(text("GROUP"), id)))
                .isInstanceOf(MalformedMessageException.class).hasMessage("Wrong number of frames for GROUP: no operation");
        assertThatThrownBy(() -> CommandRequest.decode(List.of(text("GROUP"), id, text("RENAME"))))
                .isInstanceOf(MalformedMessageException.class).hasMessage("GROUP: operation must be one of CREATE,"
                        + " UPDATE, DELETE, LIST, DESCRIBE, PARKED, REPLAY, JOIN, ACK, NACK, LEAVE, was 'RENAME'");
        assertThat(CommandRequest.requestIdOf(List.of(text("GROUP"), id, text("RENAME")))).isEqualTo(3L);
    }

    @Test
    void groupResultAndGroupDeliveryRoundTrip() {
        CommandReply.GroupResult result = new CommandReply.GroupResult(9, List.of("a", "", "ü"));
        assertThat(texts(result.toFrames().subList(2, 5))).containsExactly("a", "", "ü");
        assertThat(CommandReply.decode(result.toFrames())).isEqualTo(result);

        RecordedEvent event = new RecordedEvent("invoice-1", 3, 17, UUID.randomUUID(), "Issued",
                Instant.parse("2026-01-02T03:04:05.123456789Z"), new byte[] {1, 2}, new byte[0]);
        CommandReply.GroupDelivery delivery = new CommandReply.GroupDelivery(9, 55, 2, true, event);
        List<byte[]> frames = delivery.toFrames();
        assertThat(texts(frames.subList(0, 1))).containsExactly("GROUP_DELIVER");
        assertThat(texts(frames.subList(2, 5))).containsExactly("55", "2", "1");
        CommandReply.GroupDelivery decoded = (CommandReply.GroupDelivery) CommandReply.decode(frames);
        assertThat(decoded.requestId()).isEqualTo(9);
        assertThat(decoded.deliveryId()).isEqualTo(55);
        assertThat(decoded.attempt()).isEqualTo(2);
        assertThat(decoded.replay()).isTrue();
        assertThat(decoded.event().id()).isEqualTo(event.id());
        assertThat(decoded.event().data()).containsExactly(1, 2);
        assertThat(decoded.event().position()).isEqualTo(17);

        assertThatThrownBy(() -> CommandReply.decode(frames.subList(0, 5)))
                .isInstanceOf(MalformedMessageException.class);
    }
}
