package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.groups.GroupService;
import io.rewind.groups.GroupServiceOptions;
import io.rewind.groups.NackAction;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.command.CommandRequest.GroupOperation;
import io.rewind.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** The GROUP command (docs/PROTOCOL.md §5.6) over real sockets, against a log store and a real GroupService. */
class GroupCommandTest {

    @TempDir
    Path dir;

    private EventStore store;
    private GroupService groups;
    private RewindServer server;
    private final ZContext clients = new ZContext(1);
    private CommandClient client;

    private void start(boolean withGroups) {
        store = LogEventStore.open(LogConfig.builder(dir).build());
        groups = withGroups ? GroupService.open(store, GroupServiceOptions.defaults()
                .withFlushInterval(Duration.ofMillis(20))) : null;
        server = RewindServer.start(ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*")
                .streamEndpoint("tcp://127.0.0.1:*").linger(Duration.ofMillis(200)).build(), store,
                ServerSecurity.none(), Optional.ofNullable(groups));
        ZMQ.Socket socket = clients.createSocket(SocketType.DEALER);
        socket.setReceiveTimeOut(TestServer.RECEIVE_TIMEOUT_MS);
        socket.setLinger(0);
        socket.setHandshakeIvl(TestServer.HANDSHAKE_INTERVAL_MS);
        socket.connect(server.commandEndpoint());
        client = new CommandClient(new TestClient(socket));
    }

    private void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
        if (groups != null) {
            groups.close();
            groups = null;
        }
        if (store != null) {
            store.close();
            store = null;
        }
    }

    @AfterEach
    void tearDown() {
        stop();
        clients.close();
    }

    private List<String> ok(GroupOperation operation, String... arguments) {
        return client.call(id -> new CommandRequest.Group(id, operation, List.of(arguments)),
                CommandReply.GroupResult.class).values();
    }

    private CommandReply.Error error(GroupOperation operation, String... arguments) {
        return client.call(id -> new CommandRequest.Group(id, operation, List.of(arguments)),
                CommandReply.Error.class);
    }

    private static String[] create(String name, String strategy, String scope, String target) {
        return new String[] {name, strategy, "5", "30000", "2", "0", scope, target, "BEGINNING", "-1"};
    }

    private void append(String stream, int count) {
        for (int i = 0; i < count; i++) {
            store.append(AppendRequest.to(stream, ExpectedVersion.any(),
                    EventData.of("Made", ("e" + i).getBytes(StandardCharsets.UTF_8))));
        }
    }

    @Test
    void createListDescribeDeleteOverTheWire() {
        start(true);
        assertThat(ok(GroupOperation.LIST)).isEmpty();
        assertThat(ok(GroupOperation.CREATE, create("billing", "PINNED_BY_STREAM", "PREFIX", "invoice-")))
                .containsExactly("billing");
        String[] typed = {"audit", "ROUND_ROBIN", "1", "1000", "0", "0", "ALL", "", "AFTER", "7", "B", "A"};
        ok(GroupOperation.CREATE, typed);
        assertThat(ok(GroupOperation.LIST)).containsExactlyInAnyOrder("billing", "audit");

        List<String> billing = ok(GroupOperation.DESCRIBE, "billing");
        assertThat(billing.subList(0, 9)).containsExactly("billing", "PINNED_BY_STREAM", "5", "30000", "2", "0",
                "PREFIX", "invoice-", "-1");
        assertThat(billing.get(15)).as("consumer count").isEqualTo("0");
        assertThat(billing).hasSize(16);
        List<String> audit = ok(GroupOperation.DESCRIBE, "audit");
        assertThat(audit.get(8)).as("start after").isEqualTo("7");
        assertThat(audit.subList(16, audit.size())).as("types, sorted").containsExactly("A", "B");

        assertThat(ok(GroupOperation.DELETE, "audit")).containsExactly("audit");
        assertThat(ok(GroupOperation.LIST)).containsExactly("billing");
    }

    @Test
    void badInputGetsAnErrorNamingItAndTheServerKeepsServing() {
        start(true);
        ok(GroupOperation.CREATE, create("billing", "ROUND_ROBIN", "ALL", ""));

        CommandReply.Error duplicate = error(GroupOperation.CREATE, create("billing", "ROUND_ROBIN", "ALL", ""));
        assertThat(duplicate.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(duplicate.reason()).contains("billing");
        CommandReply.Error unknown = error(GroupOperation.DESCRIBE, "nope");
        assertThat(unknown.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(unknown.reason()).contains("'nope'");
        assertThat(error(GroupOperation.DELETE, "nope").code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(error(GroupOperation.PARKED, "nope").code()).isEqualTo(ErrorCode.NOT_FOUND);
        CommandReply.Error notParked = error(GroupOperation.REPLAY, "billing", "42");
        assertThat(notParked.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(notParked.reason()).contains("42");
        CommandReply.Error number = error(GroupOperation.CREATE,
                new String[] {"x", "ROUND_ROBIN", "many", "30000", "2", "0", "ALL", "", "BEGINNING", "-1"});
        assertThat(number.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(number.reason()).contains("max in flight").contains("'many'");
        CommandReply.Error strategy = error(GroupOperation.CREATE, create("x", "RANDOM", "ALL", ""));
        assertThat(strategy.reason()).contains("strategy").contains("'RANDOM'");
        CommandReply.Error name = error(GroupOperation.CREATE, create("bad name", "ROUND_ROBIN", "ALL", ""));
        assertThat(name.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        CommandReply.Error arity = error(GroupOperation.DESCRIBE);
        assertThat(arity.reason()).isEqualTo("GROUP DESCRIBE takes 1 argument(s), got 0");

        long id = client.nextId();
        client.dealer.sendDelimited(List.of(bytes("GROUP"), new CommandRequest.Ping(id).toFrames().get(1),
                bytes("RENAME")));
        CommandReply.Error op = (CommandReply.Error) client.dealer.receiveReply();
        assertThat(op.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(op.reason()).contains("operation must be one of").contains("'RENAME'");

        assertThat(ok(GroupOperation.LIST)).as("still serving, nothing changed").containsExactly("billing");
        client.call(CommandRequest.Ping::new, CommandReply.Pong.class);
    }

    @Test
    void anUpdateChangesTheGivenSettingsKeepsTheOthersAndSurvivesARestart() {
        start(true);
        ok(GroupOperation.CREATE, create("billing", "PINNED_BY_STREAM", "PREFIX", "invoice-"));
        // create(): max in flight 5, ack timeout 30000 ms, max retries 2, backoff 0.
        assertThat(ok(GroupOperation.UPDATE, "billing", "", "1", "", "7", "250"))
                .containsExactly("billing", "PINNED_BY_STREAM", "1", "30000", "7", "250");
        assertThat(ok(GroupOperation.UPDATE, "billing", "PINNED_BY_STREAM", "", "45000", "", ""))
                .as("the same strategy is accepted").containsExactly("billing", "PINNED_BY_STREAM", "1", "45000", "7",
                        "250");
        assertThat(ok(GroupOperation.DESCRIBE, "billing").subList(0, 8)).containsExactly("billing",
                "PINNED_BY_STREAM", "1", "45000", "7", "250", "PREFIX", "invoice-");

        stop();
        start(true);
        assertThat(ok(GroupOperation.DESCRIBE, "billing").subList(0, 6)).as("durable across a restart")
                .containsExactly("billing", "PINNED_BY_STREAM", "1", "45000", "7", "250");
        assertThat(groups.describe("billing").definition().settings().ackTimeout()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void badUpdatesGetAnErrorNamingWhatIsWrongAndChangeNothing() {
        start(true);
        ok(GroupOperation.CREATE, create("billing", "ROUND_ROBIN", "ALL", ""));
        CommandReply.Error unknown = error(GroupOperation.UPDATE, "nope", "", "3", "", "", "");
        assertThat(unknown.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(unknown.reason()).isEqualTo("there is no group named 'nope'; groups: [billing]");
        CommandReply.Error strategy = error(GroupOperation.UPDATE, "billing", "PINNED_BY_STREAM", "", "", "", "");
        assertThat(strategy.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(strategy.reason()).isEqualTo("group 'billing': the strategy cannot change (from ROUND_ROBIN to"
                + " PINNED_BY_STREAM) on a live group: the deliveries already out follow the old one; delete the"
                + " group and create it again (starting after its checkpoint -1) to switch");
        CommandReply.Error range = error(GroupOperation.UPDATE, "billing", "", "0", "", "", "");
        assertThat(range.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(range.reason()).isEqualTo("group setting max in flight per consumer must be 1 to 10000, was 0");
        CommandReply.Error timeout = error(GroupOperation.UPDATE, "billing", "", "", "0", "", "");
        assertThat(timeout.reason()).isEqualTo("group setting ack timeout must be 1 ms to 1 day, was PT0S");
        CommandReply.Error number = error(GroupOperation.UPDATE, "billing", "", "", "", "lots", "");
        assertThat(number.reason()).isEqualTo("GROUP: max retries must be a decimal number, was 'lots'");
        CommandReply.Error word = error(GroupOperation.UPDATE, "billing", "RANDOM", "", "", "", "");
        assertThat(word.reason()).isEqualTo("GROUP: strategy must be one of [ROUND_ROBIN, PINNED_BY_STREAM], was"
                + " 'RANDOM'");
        CommandReply.Error nothing = error(GroupOperation.UPDATE, "billing", "", "", "", "", "");
        assertThat(nothing.reason()).isEqualTo("GROUP UPDATE: give at least one setting to change (strategy, max in"
                + " flight, ack timeout ms, max retries, retry backoff ms); all five were empty");
        CommandReply.Error arity = error(GroupOperation.UPDATE, "billing", "3");
        assertThat(arity.reason()).isEqualTo("GROUP UPDATE takes 6 argument(s), got 2");

        assertThat(ok(GroupOperation.DESCRIBE, "billing").subList(0, 6)).as("nothing changed")
                .containsExactly("billing", "ROUND_ROBIN", "5", "30000", "2", "0");
        client.call(CommandRequest.Ping::new, CommandReply.Pong.class);
    }

    @Test
    void parkedEventsAreListedAndReplayedOverTheWire() {
        start(true);
        ok(GroupOperation.CREATE, create("billing", "ROUND_ROBIN", "PREFIX", "invoice-"));
        AtomicBoolean fail = new AtomicBoolean(true);
        groups.join("billing", "worker", delivery -> {
            if (fail.get()) {
                groups.nack("billing", "worker", delivery.id(), NackAction.PARK, "no customer");
            } else {
                groups.ack("billing", "worker", delivery.id());
            }
        });
        append("invoice-1", 2);
        Await.until(() -> ok(GroupOperation.PARKED, "billing").size() == 10, "both events parked");
        List<io.rewind.api.RecordedEvent> invoices = events("invoice-1");
        List<String> parked = ok(GroupOperation.PARKED, "billing");
        assertThat(parked.subList(0, 5)).containsExactly(Long.toString(invoices.get(0).position()), "invoice-1",
                invoices.get(0).id().toString(), "1", "no customer");
        assertThat(parked.get(5)).isEqualTo(Long.toString(invoices.get(1).position()));

        fail.set(false);
        assertThat(ok(GroupOperation.REPLAY, "billing", Long.toString(invoices.get(1).position())))
                .containsExactly("1");
        Await.until(() -> ok(GroupOperation.PARKED, "billing").size() == 5, "the second event replayed and acked");
        assertThat(ok(GroupOperation.PARKED, "billing").get(0)).isEqualTo(Long.toString(invoices.get(0).position()));
        assertThat(ok(GroupOperation.REPLAY, "billing", "ALL")).containsExactly("1");
        Await.until(() -> ok(GroupOperation.PARKED, "billing").isEmpty(), "all replayed and acked");
    }

    private List<io.rewind.api.RecordedEvent> events(String stream) {
        return store.readStream(stream, io.rewind.api.ReadOptions.from(0, io.rewind.api.Direction.FORWARD)
                .withMaxEvents(100)).events();
    }

    @Test
    void aGroupSurvivesAServerRestartWithItsCheckpoint() {
        start(true);
        ok(GroupOperation.CREATE, create("billing", "ROUND_ROBIN", "ALL", ""));
        groups.join("billing", "worker", delivery -> groups.ack("billing", "worker", delivery.id()));
        append("orders-1", 3);
        String last = Long.toString(events("orders-1").get(2).position());
        Await.until(() -> ok(GroupOperation.DESCRIBE, "billing").get(10).equals(last), Await.DEFAULT_TIMEOUT,
                () -> "durable checkpoint at " + last + ", described " + ok(GroupOperation.DESCRIBE, "billing"));
        stop();

        start(true);
        List<String> described = ok(GroupOperation.DESCRIBE, "billing");
        assertThat(described.get(9)).as("checkpoint").isEqualTo(last);
        assertThat(described.get(10)).as("durable checkpoint").isEqualTo(last);
        assertThat(described.get(15)).as("no consumers after the restart").isEqualTo("0");
    }

    @Test
    void aServerWithoutGroupsSaysSo() {
        start(false);
        CommandReply.Error error = error(GroupOperation.LIST);
        assertThat(error.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(error.reason()).contains("no consumer groups");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
