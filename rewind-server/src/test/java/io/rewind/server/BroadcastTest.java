package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.protocol.legacy.Broadcast;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Both PUB formats over real TCP SUB sockets. */
class BroadcastTest {

    private static final int WARM_UP_ATTEMPTS = 200;

    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /**
     * A SUB socket receives nothing until its subscription has reached the PUB, so probe events
     * are appended until one arrives; everything after that is received.
     */
    private void warmUp(TestClient sub, String probeStream) {
        sub.socket.setReceiveTimeOut(50);
        List<byte[]> received = null;
        UUID last = null;
        for (int i = 0; i < WARM_UP_ATTEMPTS && received == null; i++) {
            last = server.store.append(probeStream, ExpectedVersion.any(), EventData.of("probe", new byte[0]))
                    .events().get(0).id();
            received = sub.receiveOrNull();
        }
        sub.socket.setReceiveTimeOut(TestServer.RECEIVE_TIMEOUT_MS);
        assertThat(received).as("a probe within " + WARM_UP_ATTEMPTS + " attempts").isNotNull();
        // Consume the probes still in flight, up to the last one appended.
        while (!containsId(received, last)) {
            received = sub.receive();
        }
    }

    private static boolean containsId(List<byte[]> message, UUID id) {
        byte[] text = id.toString().getBytes(StandardCharsets.US_ASCII);
        return message.stream().limit(2).anyMatch(f -> java.util.Arrays.equals(f, text));
    }

    @Test
    void streamEndpointSendsStreamIdAndDataAndFiltersByNamePrefix() {
        TestClient sub = server.sub(server.server.streamEndpoint(), "orders-");
        warmUp(sub, "orders-probe");
        TestClient client = server.dealer();
        List<String> published = new ArrayList<>();
        for (String stream : List.of("orders-1", "payments-1", "orders-2", "ordersX", "orders-1")) {
            client.sendDelimited(TestClient.texts("PUBLISH", stream, "data of " + stream));
            List<String> reply = client.receiveText();
            if (stream.startsWith("orders-")) {
                published.add(stream);
                published.add(reply.get(1));
                published.add("data of " + stream);
            }
        }
        List<String> received = new ArrayList<>();
        while (received.size() < published.size()) {
            received.addAll(sub.receiveText());
        }
        assertThat(received).containsExactlyElementsOf(published);
    }

    @Test
    void legacyEndpointSendsEveryStreamInGlobalOrderChainedByPreviousId() throws Exception {
        TestClient sub = server.sub(server.server.legacyStreamEndpoint().orElseThrow(), "");
        warmUp(sub, "probe");
        ExecutorService writers = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                String stream = "writer-" + w;
                done.add(writers.submit(() -> {
                    TestClient client = server.dealer();
                    for (int i = 0; i < 30; i++) {
                        client.sendDelimited(TestClient.texts("PUBLISH", stream, stream + "/" + i));
                        assertThat(client.receiveText().get(0)).isEqualTo("PUBLISHED");
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            writers.shutdownNow();
        }
        long head = server.store.headPosition();
        UUID previous = server.store.readAll(head - 90, Direction.FORWARD, 1).get(0).id();
        List<RecordedEvent> expected = server.store.readAll(head - 89, Direction.FORWARD, 100);
        assertThat(expected).hasSize(90);
        for (RecordedEvent event : expected) {
            Broadcast.LegacyMessage message = Broadcast.LegacyMessage.decode(sub.receive());
            assertThat(message.event().id()).isEqualTo(event.id());
            assertThat(message.previousId()).isEqualTo(previous);
            assertThat(message.event().data()).isEqualTo(event.data());
            previous = event.id();
        }
    }

    @Test
    void eventsWrittenToTheStoreByAnyoneAreBroadcastWithTheirBytesIntact() {
        TestClient sub = server.sub(server.server.streamEndpoint(), "");
        warmUp(sub, "probe");
        Map<UUID, byte[]> written = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            byte[] data = new byte[i * 7];
            new java.util.Random(i).nextBytes(data);
            UUID id = server.store.append("direct", ExpectedVersion.any(), EventData.of("t", data))
                    .events().get(0).id();
            written.put(id, data);
        }
        for (int i = 0; i < 50; i++) {
            Broadcast.StreamMessage message = Broadcast.StreamMessage.decode(sub.receive());
            assertThat(message.stream()).isEqualTo("direct");
            assertThat(message.event().data()).isEqualTo(written.get(message.event().id()));
        }
    }
}
