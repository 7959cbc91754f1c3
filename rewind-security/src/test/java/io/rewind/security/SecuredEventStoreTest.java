package io.rewind.security;

import static io.rewind.testkit.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.rewind.api.AccessDeniedException;
import io.rewind.api.AppendRequest;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamListOptions;
import io.rewind.api.SubscriptionRequest;
import io.rewind.api.UnauthenticatedException;
import io.rewind.memory.MemoryEventStore;
import io.rewind.testkit.RecordingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a principal with some grants can and cannot do through the view, on a real in-memory store. */
class SecuredEventStoreTest {

    @TempDir
    Path dir;

    private MemoryEventStore store;
    private Path grants;
    private AccessPolicy policy;
    private EventStore orders;

    @BeforeEach
    void open() throws IOException {
        store = MemoryEventStore.create();
        store.append("orders-1", ExpectedVersion.any(), event("o1"));
        store.append("invoices-1", ExpectedVersion.any(), event("secret invoice"));
        store.append("orders-2", ExpectedVersion.any(), event("o2"));
        store.append("audit", ExpectedVersion.any(), event("audit entry"));
        grants = Files.writeString(dir.resolve("grants"), """
                orders read:orders-* write:orders-* read:audit
                writer write:orders-*
                reader read:$all
                """);
        policy = AccessPolicy.watch(grants, Duration.ofHours(1));
        orders = SecuredEventStore.view(store, policy, "orders");
    }

    @AfterEach
    void close() {
        policy.close();
        store.close();
    }

    private static void assertDenied(ThrowingCallable call, String message) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).isExactlyInstanceOf(AccessDeniedException.class).hasMessage(message);
        assertThat(((EventStoreException) thrown).code()).isEqualTo(ErrorCode.ACCESS_DENIED);
    }

    @Test
    void appendsNeedWriteOnEveryStreamWrittenAndReadOrWriteOnEveryStreamChecked() {
        long head = store.headPosition();

        orders.append("orders-3", ExpectedVersion.noStream(), event("new order"));
        assertDenied(() -> orders.append(AppendRequest.builder()
                        .append("orders-4", ExpectedVersion.any(), List.of(event("o4")))
                        .append("invoices-2", ExpectedVersion.any(), List.of(event("i2"))).build()),
                "principal 'orders' may not append to stream 'invoices-2'");
        assertDenied(() -> orders.append(AppendRequest.builder()
                        .append("orders-4", ExpectedVersion.any(), List.of(event("o4")))
                        .check("invoices-1", ExpectedVersion.streamExists()).build()),
                "principal 'orders' may not check stream 'invoices-1'");
        orders.append(AppendRequest.builder().append("orders-5", ExpectedVersion.any(), List.of(event("o5")))
                .check("audit", ExpectedVersion.streamExists()).build());

        assertThat(store.readAll(head + 1, Direction.FORWARD, 100)).extracting(RecordedEvent::stream)
                .as("only the allowed appends were stored").containsExactly("orders-3", "orders-5");
        assertThat(policy.audit().denied(Operation.APPEND)).isEqualTo(2);
    }

    @Test
    void theAsyncFormsFailTheirFutureInsteadOfThrowing() {
        Throwable failure = catchThrowable(() -> EventStore.await(
                orders.appendAsync(AppendRequest.to("invoices-9", ExpectedVersion.any(), event("x")))));
        assertThat(failure).isExactlyInstanceOf(AccessDeniedException.class);
        assertThat(orders.readStreamAsync("invoices-1", ReadOptions.from(0, Direction.FORWARD))).isCompletedExceptionally();
        assertThat(orders.readAllAsync(ReadOptions.from(0, Direction.FORWARD))).isCompletedExceptionally();
        EventStoreException[] callback = new EventStoreException[1];
        orders.appendAsync(AppendRequest.to("invoices-9", ExpectedVersion.any(), event("x")),
                (result, error) -> callback[0] = error);
        assertThat(callback[0]).isExactlyInstanceOf(AccessDeniedException.class);
        assertThat(store.streamInfo("invoices-9")).isEmpty();
    }

    @Test
    void readsOfAStreamNeedReadOnItAndReadsOfAllNeedReadAll() {
        assertThat(orders.readStream("orders-1", 0, Direction.FORWARD, 10)).hasSize(1);
        assertThat(orders.streamInfo("orders-1")).isPresent();
        assertDenied(() -> orders.readStream("invoices-1", 0, Direction.FORWARD, 10),
                "principal 'orders' may not read stream 'invoices-1'");
        assertDenied(() -> orders.readStream("invoices-never-written", 0, Direction.FORWARD, 10),
                "principal 'orders' may not read stream 'invoices-never-written'");
        assertDenied(() -> orders.streamInfo("invoices-1"), "principal 'orders' may not read stream 'invoices-1'");
        assertDenied(() -> orders.readAll(0, Direction.FORWARD, 10),
                "principal 'orders' may not read $all (every stream in global order): it needs read:$all");

        EventStore reader = SecuredEventStore.view(store, policy, "reader");
        assertThat(reader.readAll(0, Direction.FORWARD, 10)).hasSize(4);
        assertThat(reader.readStream("invoices-1", 0, Direction.FORWARD, 10)).as("read:$all reads every stream").hasSize(1);
    }

    @Test
    void anEventOfAStreamThePrincipalMayNotReadIsNotFoundByItsId() {
        UUID invoice = store.readStream("invoices-1", 0, Direction.FORWARD, 1).get(0).id();
        UUID order = store.readStream("orders-1", 0, Direction.FORWARD, 1).get(0).id();

        assertThat(orders.readEvent(order)).isPresent();
        assertThat(orders.readEvent(invoice)).as("the same answer as for an id never stored").isEmpty();
        assertThat(orders.readEvent(UUID.randomUUID())).isEmpty();
        assertThat(EventStore.await(orders.readEventAsync(invoice))).isEmpty();
        assertThat(policy.audit().denied(Operation.READ_EVENT)).isEqualTo(2);
    }

    @Test
    void listingsListOnlyReadableStreams() {
        assertThat(names(orders, "")).containsExactly("audit", "orders-1", "orders-2");
        assertThat(names(orders, "orders-")).containsExactly("orders-1", "orders-2");
        assertThat(names(orders, "inv")).isEmpty();
        EventStore writer = SecuredEventStore.view(store, policy, "writer");
        assertThat(names(writer, "")).as("write does not grant read").isEmpty();
        assertThat(names(SecuredEventStore.view(store, policy, "reader"), "")).hasSize(4);
    }

    @Test
    void aSingleNarrowerGrantListsThroughItsPrefixWithTheCallersLimits() throws IOException {
        Files.writeString(grants, "orders read:orders-*\n");
        policy.reload();

        var page = orders.listStreams(StreamListOptions.all().withMaxStreams(1));

        assertThat(page.streams()).extracting(StreamInfo::stream).containsExactly("orders-1");
        assertThat(page.nextAfter()).contains("orders-1");
        assertThat(orders.listStreams(StreamListOptions.all().after("orders-1")).streams())
                .extracting(StreamInfo::stream).containsExactly("orders-2");
    }

    private static List<String> names(EventStore view, String prefix) {
        return view.listStreams(prefix, null, 100).streams().stream().map(StreamInfo::stream).toList();
    }

    @Test
    void subscriptionsToAllNeedReadAllAndToAPrefixAGrantCoveringIt() {
        assertDenied(() -> orders.subscribe(SubscriptionRequest.fromBeginning(), new RecordingListener()),
                "principal 'orders' may not subscribe to $all (every stream): it needs read:$all; "
                        + "subscribe to a stream or a prefix it may read instead");
        assertDenied(() -> orders.subscribe(SubscriptionRequest.fromBeginning().withStreamPrefix("ord"),
                new RecordingListener()), "principal 'orders' may not subscribe to every stream starting with 'ord'");
        assertDenied(() -> orders.subscribe(SubscriptionRequest.fromBeginning().toStream("invoices-1"),
                new RecordingListener()), "principal 'orders' may not subscribe to stream 'invoices-1'");

        RecordingListener prefix = new RecordingListener();
        orders.subscribe(SubscriptionRequest.fromBeginning().withStreamPrefix("orders-"), prefix).close();
        RecordingListener one = new RecordingListener();
        var subscription = orders.subscribe(SubscriptionRequest.fromBeginning().toStream("audit"), one);
        assertThat(one.awaitCount(1)).extracting(e -> e.event().stream()).containsExactly("audit");
        subscription.close();
        assertThat(policy.audit().denied(Operation.SUBSCRIBE)).isEqualTo(3);
    }

    @Test
    void aRunningSubscriptionEndsOnceItsGrantIsRemoved() throws IOException {
        RecordingListener listener = new RecordingListener();
        orders.subscribe(SubscriptionRequest.fromBeginning().withStreamPrefix("orders-"), listener);
        listener.awaitCount(2);

        Files.writeString(grants, "orders read:audit\n");
        policy.reload();
        store.append("orders-1", ExpectedVersion.any(), event("after the grant was removed"));

        Throwable cause = listener.awaitClosed().orElseThrow();
        assertThat(cause).isExactlyInstanceOf(AccessDeniedException.class)
                .hasMessage("principal 'orders' may no longer read what this subscription follows: it ends");
        assertThat(listener.count()).as("nothing delivered after the grant went").isEqualTo(2);
    }

    @Test
    void aPrincipalRemovedFromThePolicyIsUnauthenticatedOnEveryCall() throws IOException {
        Files.writeString(grants, "reader read:$all\n");
        policy.reload();

        List<ThrowingCallable> calls = List.of(
                () -> orders.append("orders-1", ExpectedVersion.any(), event("x")),
                () -> orders.readStream("orders-1", 0, Direction.FORWARD, 1),
                () -> orders.readEvent(UUID.randomUUID()),
                () -> orders.listStreams("", null, 10),
                orders::headPosition,
                () -> orders.firstPositionAtOrAfter(Instant.EPOCH),
                () -> orders.subscribe(SubscriptionRequest.fromBeginning().toStream("orders-1"), new RecordingListener()));
        for (ThrowingCallable call : calls) {
            Throwable thrown = catchThrowable(call);
            assertThat(thrown).isExactlyInstanceOf(UnauthenticatedException.class)
                    .hasMessage("principal 'orders' is not known (its key or token may have been removed)");
            assertThat(((EventStoreException) thrown).code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        }
        assertThat(policy.audit().denied(Operation.AUTHENTICATE)).isEqualTo(calls.size());
    }

    @Test
    void theHeadNeedsSomeReadGrantAndAdminIsItsOwnGrant() {
        assertThat(orders.headPosition()).isEqualTo(store.headPosition());
        EventStore writer = SecuredEventStore.view(store, policy, "writer");
        assertDenied(writer::headPosition, "principal 'writer' may not read the store's head: it has no read grant");
        assertDenied(() -> ((SecuredEventStore) orders).requireAdmin("add a client key"),
                "principal 'orders' may not add a client key: it needs the admin grant");
    }

    @Test
    void closingAViewLeavesTheStoreOpen() {
        orders.close();

        assertThat(store.headPosition()).isEqualTo(3);
        assertThat(orders.readStream("orders-1", 0, Direction.FORWARD, 1)).hasSize(1);
    }
}
