package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.security.CurveKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * What crosses the network, captured by a recording proxy between client and server: with CURVE no
 * event payload (nor stream name) appears in it, in either direction, on the command endpoint or
 * the PUB; without CURVE it does, which shows the capture would catch a leak.
 */
class OnTheWireTest {

    @TempDir
    Path dir;

    @Test
    void withCurveNoPayloadCrossesInClear() throws IOException {
        try (SecureTestServer secure = new SecureTestServer(dir, "orders read:orders-* write:orders-* read:$all\n");
                RecordingProxy commands = new RecordingProxy(secure.server.commandEndpoint());
                RecordingProxy stream = new RecordingProxy(secure.server.streamEndpoint())) {
            CurveKeys keys = secure.keysOf("orders");
            TestClient dealer = secure.client(SocketType.DEALER, commands.endpoint(), keys, 10_000);
            TestClient sub = secure.client(SocketType.SUB, stream.endpoint(), keys, 200);
            sub.socket.subscribe(new byte[0]);

            String payload = exchange(dealer, sub);

            assertThat(commands.captured().length).as("bytes crossed the command proxy").isGreaterThan(500);
            assertThat(stream.captured().length).as("bytes crossed the PUB proxy").isGreaterThan(100);
            byte[] needle = payload.getBytes(StandardCharsets.UTF_8);
            assertThat(commands.sawBytes(needle)).as("the payload on the command endpoint's wire").isFalse();
            assertThat(stream.sawBytes(needle)).as("the payload on the PUB's wire").isFalse();
            assertThat(commands.sawBytes("orders-wire".getBytes(StandardCharsets.UTF_8))).as("the stream name").isFalse();
        }
    }

    @Test
    void withoutCurveThePayloadCrossesInClearSoTheCaptureWorks() throws IOException {
        try (TestServer plain = TestServer.start();
                RecordingProxy commands = new RecordingProxy(plain.server.commandEndpoint());
                RecordingProxy stream = new RecordingProxy(plain.server.streamEndpoint());
                ZContext context = new ZContext(1)) {
            TestClient dealer = client(context, SocketType.DEALER, commands.endpoint(), 10_000);
            TestClient sub = client(context, SocketType.SUB, stream.endpoint(), 200);
            sub.socket.subscribe(new byte[0]);

            String payload = exchange(dealer, sub);

            byte[] needle = payload.getBytes(StandardCharsets.UTF_8);
            assertThat(commands.sawBytes(needle)).isTrue();
            assertThat(stream.sawBytes(needle)).isTrue();
        }
    }

    private static TestClient client(ZContext context, SocketType type, String endpoint, int timeoutMs) {
        ZMQ.Socket socket = context.createSocket(type);
        socket.setReceiveTimeOut(timeoutMs);
        socket.setLinger(0);
        socket.connect(endpoint);
        return new TestClient(socket);
    }

    /** Publishes, reads back and receives on the PUB an event with a unique payload, which it returns. */
    private static String exchange(TestClient dealer, TestClient sub) {
        String payload = "wire-payload-" + UUID.randomUUID();
        boolean broadcastSeen = false;
        for (int i = 0; i < 100 && !broadcastSeen; i++) {
            dealer.sendText("", "PUBLISH", "orders-wire", payload);
            assertThat(dealer.receiveText()).first().isEqualTo("PUBLISHED");
            java.util.List<byte[]> broadcast = sub.receiveOrNull();
            broadcastSeen = broadcast != null && new String(broadcast.get(2), StandardCharsets.UTF_8).equals(payload);
        }
        assertThat(broadcastSeen).as("the PUB delivered the event through the proxy").isTrue();
        dealer.sendText("", "QUERY", "orders-wire", "", "");
        assertThat(new String(dealer.receive().get(2), StandardCharsets.UTF_8)).isEqualTo(payload);
        return payload;
    }
}
