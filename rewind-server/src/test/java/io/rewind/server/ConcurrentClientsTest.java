package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Many clients, each with many requests in flight, on one server; every reply reaches its asker. */
class ConcurrentClientsTest {

    private static final int DEALERS = 6;
    private static final int APPENDS_PER_DEALER = 400;
    private static final int WINDOW = 64;

    @Test
    void pipelinedDealersAndLegacyClientsAllGetTheirOwnReplies() throws Exception {
        try (TestServer server = TestServer.start()) {
            ExecutorService clients = Executors.newFixedThreadPool(DEALERS + 2);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int d = 0; d < DEALERS; d++) {
                    String stream = "dealer-" + d;
                    done.add(clients.submit(() -> pipelinedAppends(server.dealer(), stream)));
                }
                done.add(clients.submit(() -> goRewindPublishes(server.dealer(), "gorewind", 200)));
                done.add(clients.submit(() -> rewindPublishes(server.req(), 200)));
                for (Future<?> future : done) {
                    future.get();
                }
            } finally {
                clients.shutdownNow();
            }
            for (int d = 0; d < DEALERS; d++) {
                List<RecordedEvent> events = server.store.readStream("dealer-" + d, 0, Direction.FORWARD, 10_000);
                assertThat(events).hasSize(APPENDS_PER_DEALER);
                for (int i = 0; i < events.size(); i++) {
                    assertThat(events.get(i).version()).isEqualTo(i);
                    assertThat(new String(events.get(i).data(), StandardCharsets.UTF_8))
                            .startsWith("dealer-" + d + "/");
                }
            }
            assertThat(server.store.readStream("gorewind", 0, Direction.FORWARD, 10_000)).hasSize(200);
            assertThat(server.store.readStream("default", 0, Direction.FORWARD, 10_000)).hasSize(200);
        }
    }

    /** Keeps {@link #WINDOW} appends in flight and matches every reply to its request by id. */
    private static Void pipelinedAppends(TestClient dealer, String stream) {
        Map<Long, String> outstanding = new HashMap<>();
        long nextId = 1;
        int sent = 0;
        int answered = 0;
        while (answered < APPENDS_PER_DEALER) {
            while (sent < APPENDS_PER_DEALER && outstanding.size() < WINDOW) {
                String data = stream + "/" + sent;
                long id = nextId++;
                outstanding.put(id, data);
                dealer.sendCommand(new CommandRequest.Append(id, AppendRequest.to(stream, ExpectedVersion.any(),
                        EventData.of("t", data.getBytes(StandardCharsets.UTF_8)))));
                sent++;
            }
            CommandReply reply = dealer.receiveReply();
            assertThat(reply).isInstanceOf(CommandReply.Appended.class);
            CommandReply.Appended appended = (CommandReply.Appended) reply;
            assertThat(outstanding.remove(appended.requestId())).as("reply matches a request of this client")
                    .isNotNull();
            assertThat(appended.result().events()).singleElement()
                    .satisfies(w -> assertThat(w.stream()).isEqualTo(stream));
            answered++;
        }
        return null;
    }

    private static Void goRewindPublishes(TestClient dealer, String stream, int count) {
        for (int i = 0; i < count; i++) {
            dealer.sendDelimited(TestClient.texts("PUBLISH", stream, "g" + i));
        }
        for (int i = 0; i < count; i++) {
            List<String> reply = dealer.receiveText();
            assertThat(reply).hasSize(2);
            assertThat(reply.get(0)).isEqualTo("PUBLISHED");
        }
        return null;
    }

    private static Void rewindPublishes(TestClient req, int count) {
        for (int i = 0; i < count; i++) {
            req.sendText("PUBLISH", "r" + i);
            assertThat(req.receiveText()).containsExactly("PUBLISHED");
        }
        return null;
    }
}
