package io.rewind.server;

import static io.rewind.testkit.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.ExpectedVersion;
import io.rewind.memory.MemoryEventStore;
import io.rewind.security.AccessPolicy;
import io.rewind.security.GrantsFile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A plain endpoint for clients that cannot authenticate, served as one configured principal: an
 * old client confined to the orders streams can use both legacy dialects and both PUBs on them,
 * and nothing else.
 */
class LegacyEndpointTest {

    private MemoryEventStore store;
    private AccessPolicy policy;
    private RewindServer server;
    private ZContext clients;

    @BeforeEach
    void start() {
        store = MemoryEventStore.create();
        store.append("invoices-1", ExpectedVersion.any(), event("an invoice"));
        policy = AccessPolicy.of(GrantsFile.parse("legacy-orders read:orders-* write:orders-*\n"
                .getBytes(StandardCharsets.UTF_8), "grants").values());
        server = RewindServer.start(ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*")
                .streamEndpoint("tcp://127.0.0.1:*").legacyStreamEndpoint("tcp://127.0.0.1:*")
                .linger(Duration.ofMillis(100)).build(), store, ServerSecurity.asPrincipal(policy, "legacy-orders"));
        clients = new ZContext(1);
    }

    @AfterEach
    void stop() {
        clients.close();
        server.close();
        store.close();
    }

    private TestClient client(SocketType type, String endpoint) {
        ZMQ.Socket socket = clients.createSocket(type);
        socket.setReceiveTimeOut(TestServer.RECEIVE_TIMEOUT_MS);
        socket.setLinger(0);
        socket.setHandshakeIvl(TestServer.HANDSHAKE_INTERVAL_MS);
        socket.connect(endpoint);
        return new TestClient(socket);
    }

    @Test
    void goRewindIsConfinedToTheGrantedStreams() {
        TestClient dealer = client(SocketType.DEALER, server.commandEndpoint());

        dealer.sendText("", "PUBLISH", "orders-1", "an order");
        assertThat(dealer.receiveText()).first().isEqualTo("PUBLISHED");
        dealer.sendText("", "PUBLISH", "invoices-1", "a forged invoice");
        assertThat(dealer.receiveText()).containsExactly(
                "ERROR principal 'legacy-orders' may not append to stream 'invoices-1'");
        dealer.sendText("", "QUERY", "orders-1", "", "");
        assertThat(dealer.receiveText()).element(0).isEqualTo("EVENT");
        assertThat(dealer.receiveText()).containsExactly("END");
        dealer.sendText("", "QUERY", "invoices-1", "", "");
        assertThat(dealer.receiveText()).containsExactly("ERROR principal 'legacy-orders' may not read stream 'invoices-1'");

        assertThat(store.readAll(0, Direction.FORWARD, 10)).extracting(e -> e.stream())
                .containsExactly("invoices-1", "orders-1");
    }

    @Test
    void theRewindDialectNeedsWhatItsCommandsTouch() {
        TestClient req = client(SocketType.REQ, server.commandEndpoint());

        req.sendText("PUBLISH", "to the default stream");
        assertThat(req.receiveText()).containsExactly("ERROR principal 'legacy-orders' may not append to stream 'default'");
        req.sendText("QUERY", "", "");
        assertThat(req.receiveText()).containsExactly(
                "ERROR principal 'legacy-orders' may not read $all (every stream in global order): it needs read:$all");
        assertThat(store.headPosition()).isZero();
    }

    @Test
    void bothPubsPublishOnlyWhatThePrincipalMayReadWithAnUnbrokenLegacyChain() {
        TestClient streams = client(SocketType.SUB, server.streamEndpoint());
        streams.socket.subscribe(new byte[0]);
        TestClient legacy = client(SocketType.SUB, server.legacyStreamEndpoint().orElseThrow());
        legacy.socket.subscribe(new byte[0]);
        streams.socket.setReceiveTimeOut(200);
        legacy.socket.setReceiveTimeOut(200);

        // Until both subscribers are connected a PUB drops what it sends: append pairs until both hear one.
        List<byte[]> firstStream = null;
        List<byte[]> firstLegacy = null;
        for (int i = 0; i < 100 && (firstStream == null || firstLegacy == null); i++) {
            store.append("invoices-" + i, ExpectedVersion.any(), event("invoice " + i));
            store.append("orders-" + i, ExpectedVersion.any(), event("order " + i));
            firstStream = firstStream == null ? streams.receiveOrNull() : firstStream;
            firstLegacy = firstLegacy == null ? legacy.receiveOrNull() : firstLegacy;
        }
        assertThat(firstStream).as("the stream PUB publishes the orders").isNotNull();
        assertThat(firstLegacy).as("the legacy PUB too").isNotNull();

        store.append("invoices-last", ExpectedVersion.any(), event("the last invoice"));
        UUID lastOrder = store.append("orders-last", ExpectedVersion.any(), event("the last order")).events().get(0).id();
        streams.socket.setReceiveTimeOut(TestServer.RECEIVE_TIMEOUT_MS);
        legacy.socket.setReceiveTimeOut(TestServer.RECEIVE_TIMEOUT_MS);
        List<String> streamNames = new java.util.ArrayList<>();
        List<String> received;
        do {
            received = streams.receiveText();
            streamNames.add(received.get(0));
        } while (!received.get(0).equals("orders-last"));
        assertThat(streamNames).allMatch(name -> name.startsWith("orders-"));

        UUID previous = null;
        List<byte[]> message;
        do {
            message = legacy.receive();
            UUID id = UUID.fromString(new String(message.get(0), StandardCharsets.UTF_8));
            assertThat(store.readEvent(id).orElseThrow().stream()).startsWith("orders-");
            String named = new String(message.get(1), StandardCharsets.UTF_8);
            if (previous != null) {
                assertThat(named).as("each legacy message names the previous one published").isEqualTo(previous.toString());
            }
            previous = id;
        } while (!previous.equals(lastOrder));
    }
}
