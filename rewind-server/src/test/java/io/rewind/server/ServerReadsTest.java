package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventPage;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamListOptions;
import io.rewind.api.StreamPage;
import io.rewind.memory.MemoryEventStore;
import io.rewind.protocol.Frames;
import io.rewind.protocol.command.CommandName;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.testkit.ForwardingEventStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server serves every read (its own commands and both legacy QUERYs) through the store's
 * async reads, under the smaller of the request's byte budget and {@code maxReplyBytes}, and judges
 * bad numbers from the wire with the store's own checks.
 */
class ServerReadsTest {

    /** Three events of 3,000 bytes fit, a fourth does not. */
    private static final int REPLY_BUDGET = 10_000;
    private static final int EVENT_BYTES = 3_000;

    private TestServer server;
    private CommandClient client;

    @BeforeEach
    void start() {
        server = TestServer.start(new AsyncReadsOnly(MemoryEventStore.create()),
                b -> b.defaultStream("rewind").maxReplyBytes(REPLY_BUDGET));
        client = new CommandClient(server.dealer());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A store whose blocking reads fail the test: only the async forms may be used by the server. */
    private static final class AsyncReadsOnly extends ForwardingEventStore {
        AsyncReadsOnly(MemoryEventStore store) {
            super(store);
        }

        private static AssertionError blocking(String method) {
            return new AssertionError("the server called the blocking " + method + "; it must use the async form");
        }

        @Override
        public EventPage readStream(String stream, ReadOptions options) {
            throw blocking("readStream");
        }

        @Override
        public List<RecordedEvent> readStream(String stream, long fromVersion, Direction direction, int limit) {
            throw blocking("readStream");
        }

        @Override
        public EventPage readAll(ReadOptions options) {
            throw blocking("readAll");
        }

        @Override
        public Optional<RecordedEvent> readEvent(UUID id) {
            throw blocking("readEvent");
        }

        @Override
        public StreamPage listStreams(StreamListOptions options) {
            throw blocking("listStreams");
        }

        @Override
        public StreamPage listStreams(String prefix, String after, int limit) {
            throw blocking("listStreams");
        }
    }

    private List<UUID> appendLarge(String stream, int count) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[EVENT_BYTES];
            data[0] = (byte) i;
            ids.add(server.store.append(AppendRequest.to(stream, ExpectedVersion.any(), EventData.of("", data)))
                    .events().get(0).id());
        }
        return ids;
    }

    @Test
    void aReadSaysWhetherTheServerOrTheRequestBudgetCutIt() {
        appendLarge("large", 10);

        CommandReply.Events byServer = client.call(id -> new CommandRequest.ReadStream(id, "large", 0,
                Direction.FORWARD, 100), CommandReply.Events.class);
        assertThat(byServer.events()).extracting(RecordedEvent::version).containsExactly(0L, 1L, 2L);
        assertThat(byServer.truncated()).as("the server's reply budget cut it: continue").isTrue();
        assertThat(byServer.budgetReached()).isFalse();

        CommandReply.Events byRequest = client.call(id -> new CommandRequest.ReadStream(id, "large", 0,
                Direction.FORWARD, 100, 2 * EVENT_BYTES), CommandReply.Events.class);
        assertThat(byRequest.events()).extracting(RecordedEvent::version).containsExactly(0L, 1L);
        assertThat(byRequest.truncated()).isFalse();
        assertThat(byRequest.budgetReached()).as("the request's own budget cut it").isTrue();

        CommandReply.Events backward = client.call(id -> new CommandRequest.ReadAll(id, Long.MAX_VALUE,
                Direction.BACKWARD, 2, 1_000_000), CommandReply.Events.class);
        assertThat(backward.events()).extracting(RecordedEvent::position).containsExactly(9L, 8L);
        assertThat(backward.truncated()).isFalse();
        assertThat(backward.budgetReached()).as("the limit stopped it").isFalse();
    }

    @Test
    void readsByIdAndListingsUseTheAsyncForms() {
        List<UUID> ids = appendLarge("listed-a", 1);
        appendLarge("listed-bb", 1);

        assertThat(client.call(id -> new CommandRequest.ReadEvent(id, ids.get(0)), CommandReply.Events.class)
                .events()).singleElement().extracting(RecordedEvent::stream).isEqualTo("listed-a");
        CommandReply.Streams page = client.call(id -> new CommandRequest.ListStreams(id, "listed-", "", 10, 0),
                CommandReply.Streams.class);
        assertThat(page.streams()).extracting(s -> s.stream()).containsExactly("listed-a");
        assertThat(page.nextAfter()).contains("listed-a");
    }

    @Test
    void aReadWithoutTheBudgetFrameIsTheRequestOlderClientsSend() {
        appendLarge("old", 2);
        List<byte[]> frames = new CommandRequest.ReadStream(7, "old", 0, Direction.FORWARD, 10).toFrames();
        assertThat(frames).as("no budget: the six frames READ_STREAM always had").hasSize(6);
        assertThat(new CommandRequest.ReadStream(7, "old", 0, Direction.FORWARD, 10, 5).toFrames()).hasSize(7);

        CommandReply.Events events = client.call(id -> new CommandRequest.ReadStream(id, "old", 0,
                Direction.FORWARD, 10), CommandReply.Events.class);
        assertThat(events.events()).hasSize(2);
        assertThat(events.truncated()).isFalse();
    }

    @Test
    void badNumbersFromTheWireGetTheStoresOwnMessages() {
        assertRefused(Arrays.asList(CommandName.READ_ALL.wire(), null, Frames.text("0"), Frames.text("FORWARD"),
                Frames.text("0")), "read limit (max events) must be 1 to 10000, was 0");
        assertRefused(Arrays.asList(CommandName.READ_STREAM.wire(), null, Frames.text("s"), Frames.text("-1"),
                Frames.text("FORWARD"), Frames.text("10")),
                "read start must be >= 0 (or EventStore.END for the newest), was -1");
        assertRefused(Arrays.asList(CommandName.READ_ALL.wire(), null, Frames.text("0"), Frames.text("BACKWARD"),
                Frames.text("10"), Frames.text("-1")), "read byte budget (max bytes) must be >= 0, was -1");
        assertRefused(Arrays.asList(CommandName.LIST_STREAMS.wire(), null, Frames.text(""), Frames.text(""),
                Frames.text("10001")), "listing limit (max streams) must be 1 to 10000, was 10001");
        assertThat(client.call(CommandRequest.Ping::new, CommandReply.Pong.class)).as("still serving").isNotNull();
    }

    /** Sends {@code frames} with a fresh request id in place of the null, expects BAD_REQUEST with {@code reason}. */
    private void assertRefused(List<byte[]> frames, String reason) {
        long id = client.nextId();
        List<byte[]> withId = new ArrayList<>(frames.size());
        for (byte[] frame : frames) {
            withId.add(frame == null ? new CommandRequest.Head(id).toFrames().get(1) : frame);
        }
        client.dealer.sendDelimited(withId);
        CommandReply reply = client.dealer.receiveReply();
        assertThat(reply).isInstanceOf(CommandReply.Error.class);
        CommandReply.Error error = (CommandReply.Error) reply;
        assertThat(error.requestId()).hasValue(id);
        assertThat(error.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(error.reason()).isEqualTo(reason);
    }

    @Test
    void rewindQueryPagesAreStillExactlyAHundredEventsWhenTheyExceedTheReplyBudget() {
        List<UUID> ids = appendLarge("rewind", 150);
        TestClient req = server.req();

        req.sendText("QUERY", "", "");
        List<byte[]> first = req.receive();
        assertThat(first).as("100 [id, data] pairs and no END").hasSize(200);
        assertThat(new String(first.get(198), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo(ids.get(99).toString());
        assertThat(first.get(199)[0]).isEqualTo((byte) 99);

        req.sendText("QUERY", ids.get(99).toString(), ids.get(120).toString());
        List<byte[]> second = req.receive();
        assertThat(second).as("21 pairs, then END").hasSize(43);
        assertThat(new String(second.get(42), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("END");
        assertThat(second.get(1)[0]).isEqualTo((byte) 100);
    }

    @Test
    void goRewindQueryStreamsEveryEventInBoundedPages() {
        List<UUID> ids = appendLarge("go", 20);
        TestClient dealer = server.dealer();

        dealer.sendDelimited(TestClient.texts("QUERY", "go", ids.get(2).toString(), ""));
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            List<String> message = dealer.receiveText();
            if (message.equals(List.of("END"))) {
                break;
            }
            assertThat(message.get(0)).isEqualTo("EVENT");
            seen.add(message.get(1));
        }
        assertThat(seen).isEqualTo(ids.subList(3, 20).stream().map(UUID::toString).toList());
    }
}
