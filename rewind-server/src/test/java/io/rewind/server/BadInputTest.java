package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.rewind.api.AppendRequest;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.protocol.Frames;
import io.rewind.protocol.RecordCodec;
import io.rewind.protocol.command.CommandName;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every kind of bad input gets an ERROR where the dialect can carry one, is logged, and the server
 * keeps answering valid requests (checked after each case).
 */
class BadInputTest {

    private static final int MAX_EVENT_SIZE = 1024;
    private static final long MAX_MESSAGE_BYTES = 100 * 1024;

    private TestServer server;
    private ListAppender<ILoggingEvent> log;

    @BeforeEach
    void start() {
        server = TestServer.start(b -> b.maxEventSize(MAX_EVENT_SIZE).maxMessageBytes(MAX_MESSAGE_BYTES));
        log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger("io.rewind.server")).addAppender(log);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger("io.rewind.server")).detachAppender(log);
        server.close();
    }

    /** A fresh REQ client publishes and a fresh DEALER pings: the server still serves. */
    private void assertStillServing() {
        TestClient req = server.req();
        req.sendText("PUBLISH", "still here");
        assertThat(req.receiveText()).containsExactly("PUBLISHED");
        TestClient dealer = server.dealer();
        dealer.sendCommand(new CommandRequest.Ping(42));
        assertThat(dealer.receiveReply()).isEqualTo(new CommandReply.Pong(42));
    }

    private void assertLogged(String text) {
        Await.until("a warning containing '" + text + "' is logged", java.time.Duration.ofSeconds(10),
                () -> List.copyOf(log.list).stream().anyMatch(
                        e -> e.getLevel().isGreaterOrEqual(Level.WARN) && e.getFormattedMessage().contains(text)));
    }

    /** A GoRewind DEALER, known to the server as such by one valid publish. */
    private TestClient goRewindClient() {
        TestClient dealer = server.dealer();
        dealer.sendDelimited(TestClient.texts("PUBLISH", "s", "ok"));
        assertThat(dealer.receiveText().get(0)).isEqualTo("PUBLISHED");
        return dealer;
    }

    @Test
    void missingFrames() {
        TestClient req = server.req();
        req.sendText("PUBLISH");
        assertThat(req.receiveText()).containsExactly("ERROR Wrong number of frames for PUBLISH.");
        req.sendText("QUERY", "");
        assertThat(req.receiveText()).containsExactly("ERROR Wrong number of frames for QUERY.");
        TestClient dealer = server.dealer();
        dealer.sendDelimited(List.of(CommandName.READ_STREAM.wire(), new CommandRequest.Ping(3).toFrames().get(1)));
        CommandReply.Error error = (CommandReply.Error) dealer.receiveReply();
        assertThat(error.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(error.requestId()).hasValue(3);
        assertLogged("Wrong number of frames for QUERY.");
        assertStillServing();
    }

    @Test
    void extraFrames() {
        TestClient goRewind = goRewindClient();
        goRewind.sendDelimited(TestClient.texts("PUBLISH", "s", "a", "b"));
        assertThat(goRewind.receiveText()).containsExactly("ERROR Wrong number of frames for PUBLISH.");
        goRewind.sendDelimited(TestClient.texts("QUERY", "s", "", "", ""));
        assertThat(goRewind.receiveText()).containsExactly("ERROR Wrong number of frames for QUERY.");
        TestClient dealer = server.dealer();
        List<byte[]> head = new ArrayList<>(new CommandRequest.Head(9).toFrames());
        head.add(Frames.text("extra"));
        dealer.sendDelimited(head);
        CommandReply.Error error = (CommandReply.Error) dealer.receiveReply();
        assertThat(error.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(error.reason()).contains("Wrong number of frames for HEAD");
        assertStillServing();
    }

    @Test
    void emptyCommand() {
        TestClient req = server.req();
        req.sendText("");
        assertThat(req.receiveText()).containsExactly("ERROR Empty command");
        TestClient dealer = server.dealer();
        dealer.send(List.of(Frames.EMPTY));
        assertThat(dealer.receiveText()).containsExactly("", "ERROR Empty command");
        assertLogged("Empty command");
        assertStillServing();
    }

    @Test
    void unknownCommand() {
        TestClient req = server.req();
        req.sendText("DELETE", "everything");
        assertThat(req.receiveText()).containsExactly("ERROR Unknown request type");
        TestClient goRewind = goRewindClient();
        goRewind.sendDelimited(TestClient.texts("SUBSCRIBE_ALL"));
        assertThat(goRewind.receiveText()).containsExactly("ERROR Unknown request type");
        assertLogged("Unknown request type");
        assertStillServing();
    }

    @Test
    void nonUtf8AndOverLongStreamNames() {
        TestClient goRewind = goRewindClient();
        goRewind.sendDelimited(List.of(Frames.text("PUBLISH"), new byte[] {(byte) 0xff, (byte) 0xfe}, Frames.text("d")));
        assertThat(goRewind.receiveText()).singleElement().asString().startsWith("ERROR Invalid stream name")
                .contains("UTF-8");
        goRewind.sendDelimited(TestClient.texts("PUBLISH", "x".repeat(256), "d"));
        assertThat(goRewind.receiveText()).singleElement().asString().startsWith("ERROR Invalid stream name")
                .contains("256 bytes");
        goRewind.sendDelimited(TestClient.texts("QUERY", "y".repeat(300), "", ""));
        assertThat(goRewind.receiveText()).singleElement().asString().startsWith("ERROR Invalid stream name");

        TestClient dealer = server.dealer();
        List<byte[]> read = new ArrayList<>(new CommandRequest.StreamInfoRequest(4, "s").toFrames());
        read.set(2, new byte[] {(byte) 0xc3, 0x28});
        dealer.sendDelimited(read);
        CommandReply.Error error = (CommandReply.Error) dealer.receiveReply();
        assertThat(error.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(server.store.headPosition()).isZero();
        assertLogged("Invalid stream name");
        assertStillServing();
    }

    @Test
    void eventsOverTheMaximumSize() {
        TestClient req = server.req();
        req.send(List.of(Frames.text("PUBLISH"), new byte[MAX_EVENT_SIZE + 1]));
        assertThat(req.receiveText()).singleElement().asString()
                .isEqualTo("ERROR event is 1025 bytes (data + metadata), the limit is 1024");
        req.send(List.of(Frames.text("PUBLISH"), new byte[MAX_EVENT_SIZE]));
        assertThat(req.receiveText()).containsExactly("PUBLISHED");

        TestClient goRewind = goRewindClient();
        goRewind.sendDelimited(List.of(Frames.text("PUBLISH"), Frames.text("s"), new byte[50_000]));
        assertThat(goRewind.receiveText()).singleElement().asString().startsWith("ERROR event is 50000 bytes");

        // Over the message limit as a whole: the server discards the rest unread and says so.
        TestClient dealer = server.dealer();
        List<EventData> events = List.of(EventData.of("t", new byte[60_000]), EventData.of("t", new byte[60_000]));
        List<byte[]> append = new ArrayList<>(new CommandRequest.Append(5,
                AppendRequest.to("s", ExpectedVersion.any(), events)).toFrames().subList(0, 3));
        for (EventData event : events) {
            // One frame per event, each under the per-frame limit, together over the message limit.
            append.addAll(RecordCodec.pack(List.of(RecordCodec.eventData(event))));
        }
        dealer.sendDelimited(append);
        CommandReply.Error error = (CommandReply.Error) dealer.receiveReply();
        assertThat(error.code()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(error.requestId()).hasValue(5);
        assertThat(error.reason()).contains("the limit is " + MAX_MESSAGE_BYTES);
        assertLogged("the limit is 1024");
        assertStillServing();
    }

    @Test
    void messagesOfTenThousandFrames() {
        List<byte[]> publish = new ArrayList<>();
        publish.add(Frames.text("PUBLISH"));
        for (int i = 1; i < 10_000; i++) {
            publish.add(Frames.text("x"));
        }
        TestClient req = server.req();
        req.send(publish);
        assertThat(req.receiveText()).containsExactly("ERROR Wrong number of frames for PUBLISH.");

        TestClient dealer = server.dealer();
        List<byte[]> append = new ArrayList<>(new CommandRequest.Head(6).toFrames());
        append.set(0, CommandName.APPEND.wire());
        while (append.size() < 10_000) {
            append.add(Frames.text("y"));
        }
        dealer.sendDelimited(append);
        CommandReply.Error error = (CommandReply.Error) dealer.receiveReply();
        assertThat(error.requestId()).hasValue(6);
        assertThat(error.reason()).isEqualTo("message has 10000 frames, the limit is 1024");

        List<byte[]> junk = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            junk.add(new byte[] {(byte) i});
        }
        dealer.sendDelimited(junk);
        assertThat(dealer.receiveText()).containsExactly("", "ERROR message has 10000 frames, the limit is 1024");
        assertLogged("message has 10000 frames");
        assertStillServing();
    }

    @Test
    void randomFramesWithoutDelimiterAndRandomBytesOnTheTcpPort() throws Exception {
        Random random = new Random(11);
        TestClient dealer = server.dealer();
        for (int i = 0; i < 20; i++) {
            byte[] frame = new byte[1 + random.nextInt(30)];
            random.nextBytes(frame);
            frame[0] = (byte) 0xfe;
            dealer.send(List.of(frame, Frames.text("more")));
            assertThat(dealer.receiveText()).containsExactly("ERROR Unknown request type");
        }

        URI endpoint = URI.create(server.server.commandEndpoint());
        for (int i = 0; i < 5; i++) {
            try (Socket raw = new Socket(endpoint.getHost(), endpoint.getPort())) {
                byte[] garbage = new byte[4096];
                random.nextBytes(garbage);
                OutputStream out = raw.getOutputStream();
                out.write(garbage);
                out.flush();
            }
        }
        assertStillServing();
    }

    @Test
    void malformedNativeBinaryPayloads() {
        TestClient dealer = server.dealer();
        List<byte[]> append = new ArrayList<>(new CommandRequest.Append(8,
                AppendRequest.to("s", ExpectedVersion.any(), EventData.of("t", new byte[3]))).toFrames());
        append.set(2, new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        dealer.sendDelimited(append);
        CommandReply.Error error = (CommandReply.Error) dealer.receiveReply();
        assertThat(error.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(error.requestId()).hasValue(8);
        assertThat(server.store.headPosition()).isEqualTo(-1);
        assertStillServing();
        assertThat(new String(Frames.text("x"), StandardCharsets.UTF_8)).isEqualTo("x");
    }
}
