package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreOverloadedException;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.command.ErrorReplies;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over real sockets: with the log's writer held inside an fsync and its queue full (bound: 2
 * events), the next append of every dialect is answered at once with the overload error, while
 * the appends already admitted are answered, in the order they were sent, once the fsync returns.
 */
class AppendOverloadTest {

    @TempDir
    Path directory;

    private static CommandRequest.Append append(long id, String data) {
        return new CommandRequest.Append(id, AppendRequest.to("pipelined", ExpectedVersion.any(),
                EventData.of("t", data.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void aFullStoreAnswersOverloadAtOnceAndTheAdmittedAppendsKeepTheirOrder() throws Exception {
        HeldForceFileIO files = new HeldForceFileIO();
        LogEventStore store = LogEventStore.open(LogConfig.builder(directory).fileIO(files).appendQueueEvents(2).build());
        try (TestServer server = TestServer.start(store, b -> b)) {
            TestClient client = server.dealer();
            files.holdNextForce();
            client.sendCommand(append(1, "first"));
            assertThat(files.awaitForceEntered(10_000)).as("the writer reached the held fsync").isTrue();
            client.sendCommand(append(2, "second"));
            client.sendCommand(append(3, "third"));

            client.sendCommand(append(4, "refused"));

            // Answered while the fsync is still held: an overload never waits for the writer.
            CommandReply refused = client.receiveReply();
            assertThat(refused).isInstanceOf(CommandReply.Error.class);
            CommandReply.Error error = (CommandReply.Error) refused;
            assertThat(error.requestId()).hasValue(4);
            assertThat(error.code()).isEqualTo(ErrorCode.OVERLOADED);
            assertThat(ErrorReplies.toException(error)).isInstanceOf(StoreOverloadedException.class)
                    .hasMessageContaining("overloaded");
            // Sent only now: the server reads different connections in no fixed order.
            TestClient goRewind = server.dealer();
            goRewind.sendDelimited(TestClient.texts("PUBLISH", "pipelined", "refused too"));
            TestClient rewind = server.req();
            rewind.sendText("PUBLISH", "refused as well");
            List<String> goReply = goRewind.receiveText();
            assertThat(goReply).hasSize(1);
            assertThat(goReply.get(0)).startsWith("ERROR ").contains("overloaded");
            List<String> rewindReply = rewind.receiveText();
            assertThat(rewindReply).hasSize(1);
            assertThat(rewindReply.get(0)).startsWith("ERROR ").contains("overloaded");

            files.release();
            long expectedPosition = 0;
            for (long id = 1; id <= 3; id++) {
                CommandReply reply = client.receiveReply();
                assertThat(reply).as("reply %d", id).isInstanceOf(CommandReply.Appended.class);
                CommandReply.Appended appended = (CommandReply.Appended) reply;
                assertThat(appended.requestId()).isEqualTo(id);
                AppendResult result = appended.result();
                assertThat(result.firstPosition()).as("position of append %d", id).isEqualTo(expectedPosition++);
            }
            List<String> stored = store.readAll(0, Direction.FORWARD, 10).stream()
                    .map(e -> new String(e.data(), StandardCharsets.UTF_8)).toList();
            assertThat(stored).containsExactly("first", "second", "third");

            client.sendCommand(append(5, "after"));
            assertThat(client.receiveReply()).isInstanceOf(CommandReply.Appended.class);
            assertThat(store.readAll(3, Direction.FORWARD, 10)).extracting(RecordedEvent::version).containsExactly(3L);
        }
    }
}
