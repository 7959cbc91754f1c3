package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventStoreException;
import io.rewind.api.EventTooLargeException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.WrongExpectedVersionException;
import io.rewind.protocol.Frames;
import io.rewind.protocol.command.CommandName;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.command.ErrorReplies;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rewind's own commands (docs/PROTOCOL.md) against a running server. */
class CommandProtocolTest {

    private static final int REPLY_BUDGET = 20_000;

    private TestServer server;
    private CommandClient client;

    @BeforeEach
    void start() {
        server = TestServer.start(b -> b.maxEventSize(4096).maxReplyBytes(REPLY_BUDGET));
        client = new CommandClient(server.dealer());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static EventData event(String type, String data, String metadata) {
        return new EventData(UUID.randomUUID(), type, data.getBytes(StandardCharsets.UTF_8),
                metadata.getBytes(StandardCharsets.UTF_8));
    }

    private AppendResult append(AppendRequest request) {
        return client.call(id -> new CommandRequest.Append(id, request), CommandReply.Appended.class).result();
    }

    @Test
    void atomicMultiStreamAppendWithChecksTypesMetadataAndClientIds() {
        append(AppendRequest.to("account-1", ExpectedVersion.noStream(), event("Opened", "a", "")));
        EventData deposit = event("Deposited", "10", "{\"user\":\"x\"}");
        EventData withdrawal = event("Withdrawn", "3", "");
        AppendRequest request = AppendRequest.builder()
                .append("account-2", ExpectedVersion.noStream(), deposit, withdrawal)
                .append("ledger", ExpectedVersion.any(), event("Posted", "7", ""))
                .check("account-1", ExpectedVersion.exactly(0))
                .build();
        AppendResult result = append(request);
        assertThat(result.events()).extracting(AppendResult.Written::stream)
                .containsExactly("account-2", "account-2", "ledger");
        assertThat(result.events().get(0).id()).isEqualTo(deposit.id());
        assertThat(result.lastVersion("account-2")).isEqualTo(1);

        RecordedEvent stored = server.store.readEvent(deposit.id()).orElseThrow();
        assertThat(stored.type()).isEqualTo("Deposited");
        assertThat(stored.metadata()).isEqualTo("{\"user\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(stored.position()).isEqualTo(result.firstPosition());

        assertThat(append(request)).as("a retry returns the original result").isEqualTo(result);
        assertThat(server.store.headPosition()).isEqualTo(3);
    }

    @Test
    void wrongExpectedVersionComesBackWithStreamExpectedAndActual() {
        append(AppendRequest.to("s", ExpectedVersion.any(), event("t", "1", "")));
        CommandReply.Error error = client.call(id -> new CommandRequest.Append(id,
                AppendRequest.to("s", ExpectedVersion.exactly(5), event("t", "2", ""))), CommandReply.Error.class);
        assertThat(error.code()).isEqualTo(ErrorCode.WRONG_EXPECTED_VERSION);
        EventStoreException rebuilt = ErrorReplies.toException(error);
        assertThat(rebuilt).isInstanceOf(WrongExpectedVersionException.class);
        WrongExpectedVersionException wrong = (WrongExpectedVersionException) rebuilt;
        assertThat(wrong.stream()).isEqualTo("s");
        assertThat(wrong.expected()).isEqualTo(ExpectedVersion.exactly(5));
        assertThat(wrong.actualVersion()).isZero();
        assertThat(server.store.headPosition()).isZero();
    }

    @Test
    void readsByVersionAndPositionInBothDirectionsWithLimits() {
        for (int i = 0; i < 10; i++) {
            append(AppendRequest.to(i % 2 == 0 ? "even" : "odd", ExpectedVersion.any(), event("t", "e" + i, "")));
        }
        List<RecordedEvent> forward = client.call(id -> new CommandRequest.ReadStream(id, "even", 1,
                Direction.FORWARD, 3), CommandReply.Events.class).events();
        assertThat(forward).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L);
        assertThat(forward).isEqualTo(server.store.readStream("even", 1, Direction.FORWARD, 3));

        List<RecordedEvent> backward = client.call(id -> new CommandRequest.ReadStream(id, "odd", Long.MAX_VALUE,
                Direction.BACKWARD, 2), CommandReply.Events.class).events();
        assertThat(backward).extracting(RecordedEvent::version).containsExactly(4L, 3L);

        List<RecordedEvent> all = client.call(id -> new CommandRequest.ReadAll(id, 8, Direction.BACKWARD, 100),
                CommandReply.Events.class).events();
        assertThat(all).extracting(RecordedEvent::position).containsExactly(8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L, 0L);
        assertThat(new String(all.get(0).data(), StandardCharsets.UTF_8)).isEqualTo("e8");

        CommandReply.Error badLimit = client.call(id -> new CommandRequest.ReadAll(id, 0, Direction.FORWARD, 0),
                CommandReply.Error.class);
        assertThat(badLimit.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    }

    @Test
    void readsLargerThanTheReplyBudgetAreCutAndContinuedByTheClient() {
        for (int i = 0; i < 30; i++) {
            byte[] data = new byte[3000];
            data[0] = (byte) i;
            append(AppendRequest.to("big", ExpectedVersion.any(), EventData.of("t", data)));
        }
        for (Direction direction : Direction.values()) {
            List<RecordedEvent> all = new java.util.ArrayList<>();
            long from = direction == Direction.FORWARD ? 0 : Long.MAX_VALUE;
            int replies = 0;
            while (true) {
                long start = from;
                CommandReply.Events page = client.call(id -> new CommandRequest.ReadStream(id, "big", start, direction,
                        1000), CommandReply.Events.class);
                replies++;
                assertThat(page.events()).isNotEmpty();
                long bytes = page.events().stream().mapToLong(ReadOptions::sizeOf).sum();
                assertThat(bytes).as("data + metadata of one reply, the store's byte budget")
                        .isLessThanOrEqualTo(REPLY_BUDGET);
                all.addAll(page.events());
                if (!page.truncated()) {
                    break;
                }
                long last = page.events().get(page.events().size() - 1).version();
                from = direction == Direction.FORWARD ? last + 1 : last - 1;
            }
            assertThat(replies).isGreaterThan(4);
            assertThat(all).hasSize(30);
            assertThat(all.get(0).data()[0]).isEqualTo((byte) (direction == Direction.FORWARD ? 0 : 29));
            assertThat(all.get(29).data()[0]).isEqualTo((byte) (direction == Direction.FORWARD ? 29 : 0));
        }
    }

    @Test
    void lookUpsHeadPositionByTimeAndStreamListing() {
        assertThat(client.call(CommandRequest.Head::new, CommandReply.Position.class).position()).isEqualTo(-1);
        Instant before = Instant.now().minusSeconds(60);
        EventData first = event("t", "x", "");
        append(AppendRequest.to("orders-1", ExpectedVersion.any(), first));
        append(AppendRequest.to("orders-2", ExpectedVersion.any(), event("t", "y", "")));
        append(AppendRequest.to("payments-1", ExpectedVersion.any(), event("t", "z", "")));

        assertThat(client.call(id -> new CommandRequest.ReadEvent(id, first.id()), CommandReply.Events.class)
                .events()).singleElement().extracting(RecordedEvent::stream).isEqualTo("orders-1");
        assertThat(client.call(id -> new CommandRequest.ReadEvent(id, UUID.randomUUID()), CommandReply.Events.class)
                .events()).isEmpty();
        assertThat(client.call(CommandRequest.Head::new, CommandReply.Position.class).position()).isEqualTo(2);
        assertThat(client.call(id -> new CommandRequest.PositionAt(id, before), CommandReply.Position.class)
                .position()).isZero();
        assertThat(client.call(id -> new CommandRequest.PositionAt(id, Instant.now().plusSeconds(60)),
                CommandReply.Position.class).position()).isEqualTo(3);

        CommandReply.Streams info = client.call(id -> new CommandRequest.StreamInfoRequest(id, "orders-2"),
                CommandReply.Streams.class);
        assertThat(info.streams()).singleElement().isEqualTo(server.store.streamInfo("orders-2").orElseThrow());
        assertThat(client.call(id -> new CommandRequest.StreamInfoRequest(id, "none"), CommandReply.Streams.class)
                .streams()).isEmpty();

        CommandReply.Streams page = client.call(id -> new CommandRequest.ListStreams(id, "orders-", "", 1),
                CommandReply.Streams.class);
        assertThat(page.streams()).extracting(s -> s.stream()).containsExactly("orders-1");
        assertThat(page.nextAfter()).contains("orders-1");
        CommandReply.Streams next = client.call(id -> new CommandRequest.ListStreams(id, "orders-", "orders-1", 10),
                CommandReply.Streams.class);
        assertThat(next.streams()).extracting(s -> s.stream()).containsExactly("orders-2");
        assertThat(next.nextAfter()).isEmpty();
    }

    @Test
    void tooLargeEventsAndMalformedCommandsGetCodedErrorsWithTheirRequestId() {
        CommandReply.Error tooLarge = client.call(id -> new CommandRequest.Append(id,
                AppendRequest.to("s", ExpectedVersion.any(), EventData.of("t", new byte[4097]))),
                CommandReply.Error.class);
        assertThat(tooLarge.code()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(ErrorReplies.toException(tooLarge)).isInstanceOf(EventTooLargeException.class);

        long id = client.nextId();
        client.dealer.sendDelimited(List.of(CommandName.READ_ALL.wire(),
                new CommandRequest.Head(id).toFrames().get(1), Frames.text("zero"), Frames.text("FORWARD"),
                Frames.text("10")));
        CommandReply reply = client.dealer.receiveReply();
        assertThat(reply).isInstanceOf(CommandReply.Error.class);
        CommandReply.Error malformed = (CommandReply.Error) reply;
        assertThat(malformed.requestId()).hasValue(id);
        assertThat(malformed.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(malformed.reason()).contains("from position");

        assertThat(client.call(CommandRequest.Ping::new, CommandReply.Pong.class)).isNotNull();
    }
}
