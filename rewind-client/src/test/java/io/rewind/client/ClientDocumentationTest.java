package io.rewind.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventPage;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamListOptions;
import io.rewind.api.StreamPage;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The examples of docs/CLIENT.md, as written there, run against a live server so that the document
 * cannot drift from the API. Only the endpoint differs, and the application's own objects of the
 * subscription example (checkpoints, projection, alerting) are small stand-ins.
 */
class ClientDocumentationTest {

    private InProcessServer server;
    private EventStore store;

    @BeforeEach
    void start() {
        server = InProcessServer.start();
        store = server.connect();
    }

    @AfterEach
    void stop() {
        store.close();
        server.close();
    }

    @Test
    void connect() {
        ClientConfig config = ClientConfig.builder()
                .endpoint(server.endpoint())
                .connectTimeout(Duration.ofSeconds(5))
                .requestTimeout(Duration.ofSeconds(10))
                .build();
        try (EventStore connected = RewindClient.connect(config)) {
            assertThat(connected.headPosition()).isEqualTo(-1);
        }
        try (EventStore withDefaults = RewindClient.connect(server.endpoint())) {
            assertThat(withDefaults.headPosition()).isEqualTo(-1);
        }
    }

    @Test
    void append() {
        AppendResult placed = store.append("order-42", ExpectedVersion.noStream(),
                EventData.of("OrderPlaced", json("{\"total\": 99}")));

        store.append("order-42", ExpectedVersion.exactly(placed.lastVersion("order-42")),
                EventData.of("ItemAdded", json("{\"sku\": \"A-1\"}")),
                EventData.of("ItemAdded", json("{\"sku\": \"B-2\"}")));

        assertThat(store.readStream("order-42", 0, Direction.FORWARD, 100)).extracting(RecordedEvent::type)
                .containsExactly("OrderPlaced", "ItemAdded", "ItemAdded");
    }

    @Test
    void appendToSeveralStreamsWithChecks() {
        store.append("account-1", ExpectedVersion.noStream(), EventData.of("Opened", json("{}")));
        store.append("customer-7", ExpectedVersion.noStream(), EventData.of("Registered", json("{}")));

        AppendRequest transfer = AppendRequest.builder()
                .append("account-1", ExpectedVersion.exactly(0), EventData.of("Debited", json("{\"amount\": 10}")))
                .append("account-2", ExpectedVersion.any(), EventData.of("Credited", json("{\"amount\": 10}")))
                .check("customer-7", ExpectedVersion.streamExists())
                .build();
        AppendResult result = store.append(transfer);
        long debitPosition = result.events().get(0).position();

        assertThat(debitPosition).isEqualTo(2);
        assertThat(result.lastPosition()).isEqualTo(3);
    }

    @Test
    void retrySafely() {
        List<EventData> events = List.of(
                EventData.of(UUID.randomUUID(), "PaymentReceived", json("{\"amount\": 99}")));
        AppendResult stored = null;
        for (int attempt = 1; stored == null; attempt++) {
            try {
                stored = store.append("payment-9", ExpectedVersion.any(), events);
            } catch (StoreUnavailableException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }

        AppendResult again = store.append("payment-9", ExpectedVersion.any(), events);
        assertThat(again).as("a retry returns the original result").isEqualTo(stored);
        assertThat(store.headPosition()).as("and stores nothing").isZero();
    }

    @Test
    void appendAsync() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<AppendResult> pending = store.appendAsync(
                    AppendRequest.to("audit", ExpectedVersion.any(), EventData.of("LoggedIn", json("{}"))));
            CompletableFuture<Void> printed = pending.thenAcceptAsync(
                    done -> System.out.println("stored at " + done.firstPosition()), executor);

            printed.get(30, TimeUnit.SECONDS);
            assertThat(pending.get().firstPosition()).isZero();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void read() {
        store.append("order-42", ExpectedVersion.noStream(), EventData.of("OrderPlaced", json("{}")));
        for (int i = 0; i < 1_200; i += 400) {
            store.append("bulk", ExpectedVersion.any(), java.util.Collections.nCopies(400, EventData.of("Bulk",
                    new byte[4096])));
        }

        EventPage page = store.readStream("order-42", ReadOptions.forward());   // from version 0
        EventPage newest = store.readAll(ReadOptions.backward().withMaxEvents(10));
        EventPage bounded = store.readAll(ReadOptions.from(1, Direction.FORWARD)
                .withMaxEvents(500).withMaxBytes(1 << 20));                       // at most 500 events, ~1 MiB
        EventPage more = null;
        if (bounded.byteBudgetReached()) {
            more = store.readAll(ReadOptions.from(bounded.next().getAsLong(), Direction.FORWARD));
        }
        Optional<RecordedEvent> byId = store.readEvent(page.events().get(0).id());
        Optional<StreamInfo> info = store.streamInfo("order-42");
        long head = store.headPosition();
        long rewindTo = store.firstPositionAtOrAfter(Instant.parse("2025-01-31T00:00:00Z"));

        assertThat(page.events()).singleElement().satisfies(event -> assertThat(event.type()).isEqualTo("OrderPlaced"));
        assertThat(newest.events()).hasSize(10).first().satisfies(event -> assertThat(event.position()).isEqualTo(1_200));
        assertThat(bounded.events()).as("1 MiB holds 256 events of 4 KiB").hasSize(256);
        assertThat(more).isNotNull();
        assertThat(more.events().get(0).position()).isEqualTo(257);
        assertThat(byId).contains(page.events().get(0));
        assertThat(info).contains(new StreamInfo("order-42", 0, 0, 0));
        assertThat(head).isEqualTo(1_200);
        assertThat(rewindTo).isZero();
        assertThat(store.readStream("order-42", 0, Direction.FORWARD, 100)).isEqualTo(page.events());
    }

    @Test
    void listStreams() {
        for (int i = 0; i < 2500; i += 500) {
            AppendRequest.Builder batch = AppendRequest.builder();
            for (int j = i; j < i + 500; j++) {
                batch.append("order-" + j, ExpectedVersion.noStream(), EventData.of("OrderPlaced", json("{}")));
            }
            store.append(batch.build());
        }
        List<String> listed = new ArrayList<>();

        StreamListOptions options = StreamListOptions.withPrefix("order-");
        while (true) {
            StreamPage page = store.listStreams(options);
            page.streams().forEach(stream -> System.out.println(stream.stream() + ": " + stream.eventCount()));
            page.streams().forEach(stream -> listed.add(stream.stream()));
            if (page.nextAfter().isEmpty()) {
                break;
            }
            options = options.after(page.nextAfter().get());
        }

        assertThat(listed).hasSize(2500).doesNotHaveDuplicates();
    }

    @Test
    void subscribeAndResumeFromASavedPosition() {
        Checkpoints checkpoints = new Checkpoints();
        Projection projection = new Projection();
        AtomicReference<Throwable> raised = new AtomicReference<>();
        store.append("order-1", ExpectedVersion.any(), EventData.of("OrderPlaced", json("{}")));
        store.append("invoice-1", ExpectedVersion.any(), EventData.of("InvoiceSent", json("{}")));

        Subscription first = subscribe(checkpoints, projection, raised);
        Await.until(() -> projection.count() == 1, "the projection has the order");
        first.close();
        store.append("order-2", ExpectedVersion.any(), EventData.of("OrderPlaced", json("{}")));
        Subscription resumed = subscribe(checkpoints, projection, raised);
        Await.until(() -> projection.count() == 2, "the resumed projection has the second order");
        resumed.close();

        assertThat(projection.streams()).containsExactly("order-1", "order-2");
        assertThat(checkpoints.load()).isEqualTo(2);
        assertThat(raised.get()).isNull();
    }

    /** The subscription example of docs/CLIENT.md §5. */
    private Subscription subscribe(Checkpoints checkpoints, Projection projection, AtomicReference<Throwable> alerting) {
        long saved = checkpoints.load();
        Subscription subscription = store.subscribe(
                SubscriptionRequest.after(saved).withStreamPrefix("order-"),
                new SubscriptionListener() {
                    @Override
                    public void onEvent(SubscriptionEvent delivered) {
                        projection.apply(delivered.event());
                        checkpoints.save(delivered.event().position());
                    }

                    @Override
                    public void onCheckpoint(long position) {
                        checkpoints.save(position);            // all that matched up to here was applied
                    }

                    @Override
                    public void onCaughtUp() {
                        System.out.println("projection is live");
                    }

                    @Override
                    public void onClose(Throwable cause) {
                        if (cause != null) {
                            alerting.set(cause);
                        }
                    }
                });
        return subscription;
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Where the example keeps its position. */
    private static final class Checkpoints {
        private final AtomicLong position = new AtomicLong(-1);

        long load() {
            return position.get();
        }

        void save(long newPosition) {
            position.set(newPosition);
        }
    }

    /** The example's read model: the streams of the events it applied. */
    private static final class Projection {
        private final List<String> streams = new ArrayList<>();

        synchronized void apply(RecordedEvent event) {
            streams.add(event.stream());
        }

        synchronized int count() {
            return streams.size();
        }

        synchronized List<String> streams() {
            return List.copyOf(streams);
        }
    }
}
