package io.rewind.client;

import static io.rewind.testkit.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.rewind.api.AccessDeniedException;
import io.rewind.api.Direction;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.StreamInfo;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionRequest;
import io.rewind.memory.MemoryEventStore;
import io.rewind.security.AccessPolicy;
import io.rewind.security.ClientKeys;
import io.rewind.security.CurveKeys;
import io.rewind.security.GrantsFile;
import io.rewind.security.Principal;
import io.rewind.server.RewindServer;
import io.rewind.server.ServerSecurity;
import io.rewind.testkit.RecordingListener;
import io.rewind.testkit.TestEvents;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every command of Rewind's own protocol (through the Java client, over CURVE) as each kind of
 * caller: anonymous (no CURVE), a wrong key, a principal without the grant, a principal with it.
 * Exactly the allowed calls succeed; the denied ones get a clear error (or, for a lookup by id, the
 * answer an unknown id gets), store nothing and reveal no event data or stream name outside the grant.
 */
class SecureAccessMatrixTest {

    private static final String SECRET = "invoice-payload-not-for-orders";

    private MemoryEventStore store;
    private RewindServer server;
    private final CurveKeys serverKeys = CurveKeys.generate();
    private final Map<String, CurveKeys> keys = new LinkedHashMap<>();
    private UUID orderId;
    private UUID invoiceId;

    @BeforeEach
    void start() {
        store = MemoryEventStore.create();
        orderId = store.append("orders-1", ExpectedVersion.any(), event("order one")).events().get(0).id();
        invoiceId = store.append("invoices-1", ExpectedVersion.any(), event(SECRET)).events().get(0).id();
        Map<String, Principal> principals = GrantsFile.parse("""
                orders read:orders-* write:orders-*
                auditor read:$all
                nobody
                """.getBytes(StandardCharsets.UTF_8), "grants");
        Map<String, String> principalByKey = new LinkedHashMap<>();
        for (String name : principals.keySet()) {
            CurveKeys pair = CurveKeys.generate();
            keys.put(name, pair);
            principalByKey.put(pair.publicKeyZ85(), name);
        }
        server = RewindServer.start(InProcessServer.defaults().build(), store, ServerSecurity.curve(serverKeys,
                ClientKeys.of(principalByKey), AccessPolicy.of(principals.values())));
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    private EventStore connect(CurveKeys own) {
        ClientConfig.Builder config = ClientConfig.builder().endpoint(server.commandEndpoint())
                .connectTimeout(Duration.ofMillis(1500));
        if (own != null) {
            config.curve(CurveKeys.ofPublic(serverKeys.publicKey()), own);
        }
        return RewindClient.connect(config.build());
    }

    /** One command of the protocol, as the Java client sends it, and the principal whose grant allows it. */
    private record Command(String name, String allowedFor, Function<EventStore, Object> call) {
    }

    private List<Command> commands() {
        return List.of(
                new Command("APPEND", "orders", s -> s.append("orders-2", ExpectedVersion.any(), event("new order"))),
                new Command("READ_STREAM", "orders", s -> s.readStream("orders-1", 0, Direction.FORWARD, 10)),
                new Command("READ_ALL", "auditor", s -> s.readAll(0, Direction.FORWARD, 10)),
                new Command("STREAM_INFO", "orders", s -> s.streamInfo("orders-1")),
                new Command("HEAD", "orders", EventStore::headPosition),
                new Command("POSITION_AT", "orders", s -> s.firstPositionAtOrAfter(Instant.EPOCH)),
                new Command("SUBSCRIBE stream", "orders", s -> subscribeAndReceive(s,
                        SubscriptionRequest.fromBeginning().toStream("orders-1"))),
                new Command("SUBSCRIBE all", "auditor", s -> subscribeAndReceive(s, SubscriptionRequest.fromBeginning())));
    }

    private static List<RecordedEvent> subscribeAndReceive(EventStore store, SubscriptionRequest request) {
        RecordingListener listener = new RecordingListener();
        Subscription subscription = store.subscribe(request, listener);
        try {
            return listener.awaitCount(1).stream().map(e -> e.event()).toList();
        } finally {
            subscription.close();
        }
    }

    @Test
    void anonymousCallersAndWrongKeysAreNeverServed() {
        Throwable anonymous = catchThrowable(() -> connect(null));
        Throwable wrongKey = catchThrowable(() -> connect(CurveKeys.generate()));

        assertThat(anonymous).isInstanceOf(StoreUnavailableException.class);
        assertThat(wrongKey).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("with CURVE: check the server's public key, and that the server accepts this client's key");
        assertThat(store.headPosition()).as("nothing stored").isEqualTo(1);
    }

    @Test
    void aPrincipalWithoutTheGrantIsDeniedEveryCommandAndLearnsNothing() {
        try (EventStore nobody = connect(keys.get("nobody"))) {
            for (Command command : commands()) {
                Throwable denied = catchThrowable(() -> command.call().apply(nobody));

                assertThat(denied).as(command.name()).isExactlyInstanceOf(AccessDeniedException.class)
                        .hasMessageStartingWith("principal 'nobody' may not");
                assertThat(denied.getMessage()).as(command.name()).doesNotContain(SECRET).doesNotContain("invoices");
            }
            assertThat(nobody.readEvent(orderId)).as("READ_EVENT: as an unknown id").isEmpty();
            assertThat(nobody.listStreams("", null, 100).streams()).as("LIST_STREAMS").isEmpty();
        }
        try (EventStore orders = connect(keys.get("orders"))) {
            assertDenied(() -> orders.readStream("invoices-1", 0, Direction.FORWARD, 10));
            assertDenied(() -> orders.append("invoices-1", ExpectedVersion.any(), event("forged invoice")));
            assertDenied(() -> orders.readAll(0, Direction.FORWARD, 10));
            assertDenied(() -> orders.subscribe(SubscriptionRequest.fromBeginning(), new RecordingListener()));
            assertThat(orders.readEvent(invoiceId)).isEmpty();
            assertThat(orders.listStreams("", null, 100).streams()).extracting(StreamInfo::stream)
                    .containsExactly("orders-1");
        }
        assertThat(store.headPosition()).as("nothing stored").isEqualTo(1);
    }

    private static void assertDenied(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        Throwable denied = catchThrowable(call);
        assertThat(denied).isExactlyInstanceOf(AccessDeniedException.class);
        assertThat(((EventStoreException) denied).getMessage()).doesNotContain(SECRET);
    }

    @Test
    void aPrincipalWithTheGrantIsServedEveryCommand() {
        Map<String, EventStore> clients = Map.of("orders", connect(keys.get("orders")),
                "auditor", connect(keys.get("auditor")));
        try {
            for (Command command : commands()) {
                Object result = command.call().apply(clients.get(command.allowedFor()));
                assertThat(result).as(command.name()).isNotNull();
            }
            assertThat(clients.get("orders").readEvent(orderId)).as("READ_EVENT").isPresent();
            assertThat(clients.get("auditor").readEvent(invoiceId)).as("READ_EVENT with read:$all").isPresent();
            assertThat(clients.get("auditor").listStreams("", null, 100).streams()).hasSize(3);
            assertThat(TestEvents.text(store.readStream("orders-2", 0, Direction.FORWARD, 1).get(0)))
                    .isEqualTo("new order");
        } finally {
            clients.values().forEach(EventStore::close);
        }
    }
}
