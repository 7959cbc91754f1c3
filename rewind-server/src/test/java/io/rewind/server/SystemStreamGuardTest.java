package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Clients cannot write the reserved '$rewind.' streams, and listings hide them unless asked (docs/GROUPS.md). */
class SystemStreamGuardTest {

    private TestServer server;
    private CommandClient client;

    @BeforeEach
    void start() {
        server = TestServer.start();
        client = new CommandClient(server.dealer());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static EventData event() {
        return EventData.of("Forged", "x".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anAppendToASystemStreamIsRefusedAndNothingIsWritten() {
        CommandReply.Error error = client.call(id -> new CommandRequest.Append(id,
                AppendRequest.to("$rewind.checkpoint.orders", ExpectedVersion.any(), event())),
                CommandReply.Error.class);
        assertThat(error.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(error.reason()).contains("'$rewind.checkpoint.orders' is reserved").contains("'$rewind.'");

        AppendRequest mixed = AppendRequest.builder().append("orders-1", ExpectedVersion.any(), event())
                .append("$rewind.group.orders", ExpectedVersion.any(), event()).build();
        CommandReply.Error second = client.call(id -> new CommandRequest.Append(id, mixed), CommandReply.Error.class);
        assertThat(second.reason()).contains("'$rewind.group.orders' is reserved");
        assertThat(server.store.headPosition()).as("nothing of either append was stored").isEqualTo(-1);

        CommandReply.Appended fine = client.call(id -> new CommandRequest.Append(id,
                AppendRequest.to("$rewind-not-reserved", ExpectedVersion.any(), event())), CommandReply.Appended.class);
        assertThat(fine.result().firstPosition()).isZero();
    }

    @Test
    void aLegacyPublishToASystemStreamIsRefusedToo() {
        TestClient legacy = server.dealer();
        legacy.sendDelimited(List.of(bytes("PUBLISH"), bytes("$rewind.parked.orders"), bytes("forged")));
        assertThat(legacy.receiveText()).singleElement().asString().startsWith("ERROR")
                .contains("'$rewind.parked.orders' is reserved");
        assertThat(server.store.headPosition()).isEqualTo(-1);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void listingsLeaveSystemStreamsOutUnlessTheirPrefixAsksForThem() {
        server.store.append("$rewind.group.orders", ExpectedVersion.any(), event());
        server.store.append("orders-1", ExpectedVersion.any(), event());
        server.store.append("$rewind.checkpoint.orders", ExpectedVersion.any(), event());

        CommandReply.Streams all = client.call(id -> new CommandRequest.ListStreams(id, "", "", 100),
                CommandReply.Streams.class);
        assertThat(all.streams()).extracting(s -> s.stream()).containsExactly("orders-1");

        CommandReply.Streams firstPage = client.call(id -> new CommandRequest.ListStreams(id, "", "", 1),
                CommandReply.Streams.class);
        assertThat(firstPage.streams()).as("the first stream in name order is a system one").isEmpty();
        assertThat(firstPage.nextAfter()).as("but the cursor lets the client go on").isPresent();

        CommandReply.Streams system = client.call(id -> new CommandRequest.ListStreams(id, "$rewind.", "", 100),
                CommandReply.Streams.class);
        assertThat(system.streams()).extracting(s -> s.stream())
                .containsExactly("$rewind.checkpoint.orders", "$rewind.group.orders");
    }
}
