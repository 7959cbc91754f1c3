package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.SubscriptionRequest;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.security.CurveKeys;
import io.rewind.testkit.TestEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;

/** CURVE on the command endpoint and both PUB endpoints, with keys mapped to principals through ZAP. */
class CurveServerTest {

    /** How long a refused client is given to get an answer it must not get. */
    private static final int REFUSED_WAIT_MS = 1_500;

    @TempDir
    Path dir;

    private SecureTestServer secure;

    @BeforeEach
    void start() throws IOException {
        secure = new SecureTestServer(dir, """
                orders read:orders-* write:orders-*
                auditor read:$all
                """);
    }

    @AfterEach
    void stop() {
        secure.close();
    }

    @Test
    void aClientWithAnAcceptedKeyIsServedAsItsPrincipal() {
        TestClient orders = secure.dealer("orders");

        orders.sendText("", "PUBLISH", "orders-1", "an order");
        assertThat(orders.receiveText()).first().isEqualTo("PUBLISHED");
        orders.sendText("", "PUBLISH", "invoices-1", "an invoice");
        assertThat(orders.receiveText()).containsExactly("ERROR principal 'orders' may not append to stream 'invoices-1'");

        assertThat(secure.store.readAll(0, Direction.FORWARD, 10)).extracting(e -> e.stream()).containsExactly("orders-1");
    }

    @Test
    void theRewindDialectOverCurveIsServedAsThePrincipalOfTheKey() {
        secure.store.append("orders-1", ExpectedVersion.any(), TestEvents.event("x"));
        TestClient auditor = secure.req("auditor");
        auditor.sendText("QUERY", "", "");
        assertThat(auditor.receiveText()).hasSize(3).last().isEqualTo("END");
        auditor.sendText("PUBLISH", "to the default stream");
        assertThat(auditor.receiveText()).containsExactly("ERROR principal 'auditor' may not append to stream 'default'");

        TestClient orders = secure.req("orders");
        orders.sendText("QUERY", "", "");
        assertThat(orders.receiveText()).containsExactly(
                "ERROR principal 'orders' may not read $all (every stream in global order): it needs read:$all");
        assertThat(secure.store.headPosition()).isZero();
    }

    @Test
    void aClientWithAnUnknownKeyOrWithoutCurveGetsNoAnswerAndStoresNothing() {
        TestClient stranger = secure.client(SocketType.DEALER, secure.server.commandEndpoint(), CurveKeys.generate(),
                REFUSED_WAIT_MS);
        TestClient plain = secure.client(SocketType.DEALER, secure.server.commandEndpoint(), null, REFUSED_WAIT_MS);

        stranger.sendText("", "PUBLISH", "orders-1", "from a stranger");
        plain.sendText("", "PUBLISH", "orders-1", "in clear text");

        assertThat(stranger.receiveOrNull()).isNull();
        assertThat(plain.receiveOrNull()).isNull();
        assertThat(secure.store.headPosition()).isEqualTo(-1);
    }

    @Test
    void thePubEndpointsAcceptOnlyPrincipalsThatMayReadAll() {
        TestClient auditor = secure.client(SocketType.SUB, secure.server.streamEndpoint(), secure.keysOf("auditor"), 200);
        auditor.socket.subscribe(new byte[0]);
        TestClient legacyAuditor = secure.client(SocketType.SUB, secure.server.legacyStreamEndpoint().orElseThrow(),
                secure.keysOf("auditor"), 200);
        legacyAuditor.socket.subscribe(new byte[0]);
        TestClient orders = secure.client(SocketType.SUB, secure.server.streamEndpoint(), secure.keysOf("orders"),
                REFUSED_WAIT_MS);
        orders.socket.subscribe(new byte[0]);
        TestClient writer = secure.dealer("orders");

        // A PUB drops what it sends before a subscriber is connected: publish until both have heard one.
        boolean heard = false;
        boolean legacyHeard = false;
        for (int i = 0; i < 100 && !(heard && legacyHeard); i++) {
            writer.sendText("", "PUBLISH", "orders-1", "broadcast " + i);
            writer.receive();
            heard |= auditor.receiveOrNull() != null;
            legacyHeard |= legacyAuditor.receiveOrNull() != null;
        }

        assertThat(heard).as("the auditor hears the stream PUB").isTrue();
        assertThat(legacyHeard).as("and the legacy PUB").isTrue();
        assertThat(orders.receiveOrNull()).as("a principal without read:$all hears nothing").isNull();
    }

    @Test
    void aSubscriptionEndsWhenItsKeyIsRemovedOrItsGrantIsDenied() throws IOException {
        TestClient orders = secure.dealer("orders");
        orders.sendCommand(new CommandRequest.Subscribe(1, SubscriptionRequest.fromBeginning(), 100));
        assertThat(orders.receiveReply()).isInstanceOf(CommandReply.Error.class)
                .satisfies(r -> assertThat(((CommandReply.Error) r).code()).isEqualTo(ErrorCode.ACCESS_DENIED));
        orders.sendCommand(new CommandRequest.Subscribe(2, SubscriptionRequest.fromBeginning().withStreamPrefix("orders-"),
                100));
        assertThat(orders.receiveReply()).isInstanceOf(CommandReply.Subscribed.class);

        Files.delete(secure.clientsDirectory.resolve("orders.key"));

        CommandReply ended;
        do {
            ended = orders.receiveReply(); // a CAUGHT_UP may come first
        } while (!(ended instanceof CommandReply.Error));
        assertThat(((CommandReply.Error) ended).code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(((CommandReply.Error) ended).requestId()).hasValue(2);
    }

    @Test
    void aRemovedKeyStopsWorkingForAnOpenConnectionWithinTheRescanPeriod() throws IOException {
        TestClient orders = secure.dealer("orders");
        CommandClient commands = new CommandClient(orders);
        commands.call(CommandRequest.Ping::new, CommandReply.Pong.class);

        Files.delete(secure.clientsDirectory.resolve("orders.key"));
        long removed = System.nanoTime();
        Await.until("the open connection is refused", Duration.ofSeconds(10), () -> {
            long id = commands.nextId();
            orders.sendCommand(new CommandRequest.Ping(id));
            CommandReply reply = orders.receiveReply();
            return reply instanceof CommandReply.Error error && error.code() == ErrorCode.UNAUTHENTICATED;
        });
        assertThat(Duration.ofNanos(System.nanoTime() - removed)).as("within a few rescan periods")
                .isLessThan(Duration.ofSeconds(5));

        TestClient again = secure.client(SocketType.DEALER, secure.server.commandEndpoint(), secure.keysOf("orders"),
                REFUSED_WAIT_MS);
        again.sendText("", "PUBLISH", "orders-1", "after removal");
        assertThat(again.receiveOrNull()).as("a new connection with the removed key").isNull();
        assertThat(secure.store.headPosition()).isEqualTo(-1);
    }
}
