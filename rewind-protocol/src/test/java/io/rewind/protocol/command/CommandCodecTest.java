package io.rewind.protocol.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.AppendRequest;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventStoreException;
import io.rewind.api.EventTooLargeException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.IdempotencyConflictException;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StoreOverloadedException;
import io.rewind.api.WrongExpectedVersionException;
import io.rewind.protocol.Frames;
import io.rewind.protocol.MalformedMessageException;
import io.rewind.protocol.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CommandCodecTest {

    @Test
    void readStreamFramesAreTextExceptTheRequestId() {
        List<byte[]> frames = new CommandRequest.ReadStream(7, "orders-1", 5, Direction.BACKWARD, 20).toFrames();
        assertThat(frames).hasSize(6);
        assertThat(frames.get(1)).containsExactly(0, 0, 0, 0, 0, 0, 0, 7);
        assertThat(frames.subList(2, 6)).extracting(f -> new String(f, StandardCharsets.UTF_8))
                .containsExactly("orders-1", "5", "BACKWARD", "20");
    }

    @Test
    void theByteBudgetIsAnOptionalLastFrameOfReadsAndListings() {
        List<byte[]> budgeted = new CommandRequest.ReadStream(7, "orders-1", 5, Direction.BACKWARD, 20, 4096)
                .toFrames();
        assertThat(budgeted).hasSize(7);
        assertThat(new String(budgeted.get(6), StandardCharsets.UTF_8)).isEqualTo("4096");
        assertThat(CommandRequest.decode(budgeted))
                .isEqualTo(new CommandRequest.ReadStream(7, "orders-1", 5, Direction.BACKWARD, 20, 4096));

        List<byte[]> unbudgeted = new CommandRequest.ReadAll(8, 0, Direction.FORWARD, 10).toFrames();
        assertThat(unbudgeted).as("no budget: the frames a READ_ALL always had").hasSize(5);
        assertThat(CommandRequest.decode(unbudgeted)).isEqualTo(
                new CommandRequest.ReadAll(8, 0, Direction.FORWARD, 10, CommandRequest.NO_BYTE_LIMIT));
        assertThat(CommandRequest.decode(new CommandRequest.ReadAll(8, 0, Direction.FORWARD, 10, 0).toFrames()))
                .isEqualTo(new CommandRequest.ReadAll(8, 0, Direction.FORWARD, 10, 0));
        assertThat(CommandRequest.decode(new CommandRequest.ListStreams(9, "a", "", 5, 300).toFrames()))
                .isEqualTo(new CommandRequest.ListStreams(9, "a", "", 5, 300));
        assertThat(new CommandRequest.ListStreams(9, "a", "", 5).toFrames()).hasSize(5);

        List<byte[]> notAConsistency = new ArrayList<>(budgeted);
        notAConsistency.add(Frames.text("1"));
        assertThatThrownBy(() -> CommandRequest.decode(notAConsistency)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("READ_STREAM").hasMessageContaining("consistency must be LEADER");
        List<byte[]> tooMany = new ArrayList<>(notAConsistency);
        tooMany.add(Frames.text("1"));
        assertThatThrownBy(() -> CommandRequest.decode(tooMany)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("READ_STREAM");
        List<byte[]> notANumber = new ArrayList<>(unbudgeted);
        notANumber.add(Frames.text("lots"));
        assertThatThrownBy(() -> CommandRequest.decode(notANumber)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("max bytes");
    }

    @Test
    void leaderConsistencyIsAnOptionalFrameAfterTheByteBudget() {
        List<byte[]> consistent = new CommandRequest.ReadAll(8, 3, Direction.FORWARD, 10, CommandRequest.NO_BYTE_LIMIT,
                true).toFrames();
        assertThat(consistent).as("the budget frame is sent too, as none").hasSize(7);
        assertThat(new String(consistent.get(5), StandardCharsets.UTF_8)).isEqualTo(
                Long.toString(CommandRequest.NO_BYTE_LIMIT));
        assertThat(new String(consistent.get(6), StandardCharsets.UTF_8)).isEqualTo("LEADER");
        assertThat(CommandRequest.decode(consistent)).isEqualTo(
                new CommandRequest.ReadAll(8, 3, Direction.FORWARD, 10, CommandRequest.NO_BYTE_LIMIT, true));
        List<byte[]> stream = new CommandRequest.ReadStream(7, "s", 0, Direction.BACKWARD, 5, 100, true).toFrames();
        assertThat(CommandRequest.decode(stream)).isEqualTo(
                new CommandRequest.ReadStream(7, "s", 0, Direction.BACKWARD, 5, 100, true));
        assertThat(new CommandRequest.ReadStream(7, "s", 0, Direction.BACKWARD, 5, 100, false).toFrames())
                .as("without it: the frames a budgeted read always had").hasSize(7);
    }

    @Test
    void eventsSayWhetherTheServerOrTheRequestBudgetCutThem() {
        for (boolean[] cut : new boolean[][] {{false, false}, {true, false}, {false, true}}) {
            CommandReply.Events events = new CommandReply.Events(3, List.of(), cut[0], cut[1]);
            List<byte[]> frames = events.toFrames();
            assertThat(new String(frames.get(2), StandardCharsets.UTF_8)).isEqualTo(cut[0] ? "1" : cut[1] ? "2" : "0");
            assertThat(CommandReply.decode(frames)).isEqualTo(events);
        }
        assertThatThrownBy(() -> new CommandReply.Events(3, List.of(), true, true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void appendWithManySmallEventsPacksThemIntoFewFrames() {
        List<EventData> events = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            events.add(EventData.of("t", new byte[100]));
        }
        AppendRequest request = AppendRequest.builder().append("a", ExpectedVersion.any(), events)
                .check("b", ExpectedVersion.noStream()).build();
        List<byte[]> frames = new CommandRequest.Append(1, request).toFrames();
        assertThat(frames.size()).isLessThan(10);
        assertThat(CommandRequest.decode(frames)).isEqualTo(new CommandRequest.Append(1, request));
    }

    @Test
    void appendWhoseSpecDisagreesWithItsEventsIsMalformed() {
        AppendRequest request = AppendRequest.to("a", ExpectedVersion.any(), EventData.of("t", new byte[1]));
        List<byte[]> frames = new ArrayList<>(new CommandRequest.Append(1, request).toFrames());
        frames.add(RecordCodec.pack(List.of(RecordCodec.eventData(EventData.of("u", new byte[2])))).get(0));
        assertThatThrownBy(() -> CommandRequest.decode(frames))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("carries 2 events");
    }

    @Test
    void requestIdOfAMalformedCommandIsStillReadable() {
        List<byte[]> frames = List.of(CommandName.READ_ALL.wire(), RequestIds.encode(42), Frames.text("x"));
        assertThatThrownBy(() -> CommandRequest.decode(frames)).isInstanceOf(MalformedMessageException.class);
        assertThat(CommandRequest.requestIdOf(frames)).isEqualTo(42L);
        assertThat(CommandRequest.requestIdOf(List.of(CommandName.HEAD.wire()))).isNull();
    }

    @Test
    void wrongExpectedVersionTravelsWithItsFields() {
        WrongExpectedVersionException original =
                new WrongExpectedVersionException("orders-1", ExpectedVersion.exactly(3), 5);
        CommandReply.Error reply = ErrorReplies.of(9, original);
        CommandReply decoded = CommandReply.decode(reply.toFrames());
        assertThat(decoded).isEqualTo(reply);
        EventStoreException rebuilt = ErrorReplies.toException((CommandReply.Error) decoded);
        assertThat(rebuilt).isInstanceOf(WrongExpectedVersionException.class).hasMessage(original.getMessage());
        WrongExpectedVersionException wrong = (WrongExpectedVersionException) rebuilt;
        assertThat(wrong.stream()).isEqualTo("orders-1");
        assertThat(wrong.expected()).isEqualTo(ExpectedVersion.exactly(3));
        assertThat(wrong.actualVersion()).isEqualTo(5);

        WrongExpectedVersionException noStream =
                new WrongExpectedVersionException("s", ExpectedVersion.streamExists(), -1);
        assertThat(ErrorReplies.toException(ErrorReplies.of(1, noStream))).hasMessage(noStream.getMessage());
    }

    @Test
    void otherErrorsRebuildTheirExceptionTypes() {
        UUID id = UUID.randomUUID();
        IdempotencyConflictException conflict = new IdempotencyConflictException(id, "other content");
        EventStoreException rebuilt = ErrorReplies.toException(ErrorReplies.of(1, conflict));
        assertThat(rebuilt).isInstanceOf(IdempotencyConflictException.class).hasMessage(conflict.getMessage());
        assertThat(((IdempotencyConflictException) rebuilt).eventId()).isEqualTo(id);

        EventStoreException tooLarge = ErrorReplies.toException(ErrorReplies.of(1, new EventTooLargeException(10, 5)));
        assertThat(tooLarge).isInstanceOf(EventTooLargeException.class);
        assertThat(tooLarge.code()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(ErrorReplies.toException(ErrorReplies.of(OptionalLong.empty(), new StoreClosedException("gone"))))
                .isInstanceOf(StoreClosedException.class).hasMessage("gone");
        assertThat(ErrorReplies.toException(new CommandReply.Error(OptionalLong.of(1), ErrorCode.NOT_FOUND, "x",
                List.of())).code()).isEqualTo(ErrorCode.NOT_FOUND);
    }

    @Test
    void overloadTravelsAsItsOwnCodeAndRebuildsStoreOverloaded() {
        CommandReply.Error reply = ErrorReplies.of(7, new StoreOverloadedException("the log is overloaded"));
        List<byte[]> frames = reply.toFrames();

        assertThat(new String(frames.get(2), StandardCharsets.US_ASCII)).isEqualTo("OVERLOADED");
        EventStoreException rebuilt = ErrorReplies.toException((CommandReply.Error) CommandReply.decode(frames));
        assertThat(rebuilt).isInstanceOf(StoreOverloadedException.class).hasMessage("the log is overloaded");
        assertThat(rebuilt.code()).isEqualTo(ErrorCode.OVERLOADED);
    }

    @Test
    void everyErrorCodeHasTheWireWordOlderVersionsSend() {
        // The code frame is the constant's name; these words are on the wire already and must not change.
        List<String> words = List.of("WRONG_EXPECTED_VERSION", "IDEMPOTENCY_CONFLICT", "BAD_REQUEST", "TOO_LARGE",
                "NOT_FOUND", "CLOSED", "STORE_FAILED", "CORRUPTION", "UNAVAILABLE", "INTERNAL", "OVERLOADED",
                "ACCESS_DENIED", "UNAUTHENTICATED");
        List<String> sent = new ArrayList<>();
        for (ErrorCode code : ErrorCode.values()) {
            List<byte[]> frames = new CommandReply.Error(OptionalLong.of(1), code, "r", List.of()).toFrames();
            sent.add(new String(frames.get(2), StandardCharsets.US_ASCII));
        }
        assertThat(sent).containsExactlyInAnyOrderElementsOf(words);
    }

    @Test
    void errorWithUnreadableRequestIdHasAnEmptyIdFrame() {
        CommandReply.Error error = new CommandReply.Error(OptionalLong.empty(), ErrorCode.BAD_REQUEST, "why", List.of());
        List<byte[]> frames = error.toFrames();
        assertThat(frames.get(1)).isEmpty();
        assertThat(CommandReply.decode(frames)).isEqualTo(error);
    }
}
