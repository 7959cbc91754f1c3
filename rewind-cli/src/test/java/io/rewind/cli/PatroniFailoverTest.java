package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionRequest;
import io.rewind.client.RewindClient;
import io.rewind.testkit.RecordingListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewind over a Patroni cluster losing its primary (docs/SQL.md, "Over a Patroni cluster"): two real
 * {@code rewind serve} processes over the cluster's multi-host URL, four writers through the Java
 * client (two per server) that retry an append whose outcome they could not learn with the same
 * event ids, and a live subscription on the second server. Round 1 is a planned switchover
 * ({@code patronictl failover}), round 2 the loss of the primary (SIGKILL of its postmaster and of
 * its Patroni agent, so that the standby is promoted). Afterwards every acknowledged event is stored
 * exactly once, in the order each writer had it acknowledged, nothing unacknowledged is stored, and
 * the subscription delivered exactly the stored events, in position order, without a gap or a
 * repeat. The longest time without any acknowledgement in each round is logged (and written to
 * {@code target/failover-figures.txt}).
 *
 * <p>Needs the cluster of {@code .ci/pg-ha start} ({@code REWIND_PG_HA_URL}, {@code REWIND_PG_HA_HOME}):
 * skipped without it, failed without it in CI ({@code CI=true}; {@code .ci/run} starts it).
 */
class PatroniFailoverTest {

    private static final Logger LOG = LoggerFactory.getLogger(PatroniFailoverTest.class);
    private static final long START_TIMEOUT_MS = 60_000;
    private static final int WRITERS = 4;
    /** Acknowledgements to see before a round, and again after it, to know writes go on. */
    private static final int ACKS_AROUND_A_ROUND = 150;
    private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(150);
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(120);
    private static final long RETRY_PAUSE_MS = 100;

    private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger ackCount = new AtomicInteger();
    private final AtomicInteger unknownOutcomes = new AtomicInteger();
    private final AtomicReference<Throwable> writerFailure = new AtomicReference<>();

    @Test
    void acknowledgedEventsSurviveASwitchoverAndTheLossOfThePrimaryExactlyOnceInOrder() throws Exception {
        String base = System.getenv("REWIND_PG_HA_URL");
        String home = System.getenv("REWIND_PG_HA_HOME");
        if (!"true".equals(System.getenv("CI"))) {
            assumeTrue(base != null && home != null,
                    "REWIND_PG_HA_URL is not set (start a Patroni cluster: eval \"$(.ci/pg-ha start)\")");
        }
        assertThat(base).as("REWIND_PG_HA_URL must be set in CI (.ci/run starts the Patroni cluster)").isNotNull();
        assertThat(home).as("REWIND_PG_HA_HOME must be set in CI").isNotNull();
        String store = base + (base.contains("?") ? "&" : "?") + "currentSchema=failover_"
                + UUID.randomUUID().toString().replace("-", "");
        pgHa("wait-healthy", "120");

        try (RewindProcess first = serve(store); RewindProcess second = serve(store)) {
            List<String> endpoints = List.of(first.awaitCommandEndpoint(START_TIMEOUT_MS),
                    second.awaitCommandEndpoint(START_TIMEOUT_MS));
            List<EventStore> clients = new ArrayList<>();
            try {
                for (int w = 0; w < WRITERS; w++) {
                    clients.add(RewindClient.connect(endpoints.get(w % 2)));
                }
                EventStore watcher = RewindClient.connect(endpoints.get(1));
                clients.add(watcher);
                long start = watcher.headPosition();
                RecordingListener listener = new RecordingListener();
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> writers = new ArrayList<>();
                try (Subscription subscription = watcher.subscribe(
                        SubscriptionRequest.after(start).withStreamPrefix("ha-"), listener)) {
                    for (int w = 0; w < WRITERS; w++) {
                        EventStore client = clients.get(w);
                        String stream = "ha-" + w;
                        Thread writer = new Thread(() -> write(client, stream, stop), "failover-writer-" + w);
                        writer.start();
                        writers.add(writer);
                    }
                    List<String> figures = new ArrayList<>();
                    figures.add(round("switchover (patronictl failover)", "failover"));
                    pgHa("wait-healthy", "120");
                    figures.add(round("loss of the primary (SIGKILL of postmaster and Patroni agent)", "kill-primary"));
                    stop.set(true);
                    for (Thread writer : writers) {
                        writer.join(TimeUnit.SECONDS.toMillis(60));
                        assertThat(writer.isAlive()).as("%s stopped", writer.getName()).isFalse();
                    }
                    assertThat(writerFailure.get()).as("a writer failed").isNull();
                    pgHa("rejoin");

                    List<RecordedEvent> stored = storedEvents(watcher, start);
                    assertEveryAcknowledgedEventIsStoredOnceInOrder(stored);
                    List<RecordedEvent> delivered = recorded(listener, stored.size());
                    assertThat(delivered).as("the subscription delivered exactly the stored events, in order")
                            .isEqualTo(stored);
                    listener.assertUnbrokenChainFrom(start);
                    assertThat(subscription.isClosed()).as("the subscription is still live").isFalse();
                    figures.add(String.format("%d events acknowledged, %d appends answered unavailable"
                            + " (outcome unknown, or rolled back) and retried with the same ids",
                            ackCount.get(), unknownOutcomes.get()));
                    report(figures);
                }
            } finally {
                for (EventStore client : clients) {
                    client.close();
                }
                pgHa("rejoin");
            }
            first.terminate(30_000);
            second.terminate(30_000);
        }
    }

    /**
     * Waits for some acknowledgements, runs {@code .ci/pg-ha ACTION}, waits for as many more, and
     * returns the longest time without any acknowledgement from the action's start to then.
     */
    private String round(String name, String action) throws Exception {
        awaitAcks(ackCount.get() + ACKS_AROUND_A_ROUND, "before the " + name);
        long started = System.nanoTime();
        pgHa(action);
        long commandDone = System.nanoTime();
        awaitAcks(ackCount.get() + ACKS_AROUND_A_ROUND, "after the " + name);
        long gapNanos = longestGapSince(started);
        String figure = String.format("%s: longest time without an acknowledgement %.1f s (the command took %.1f s)",
                name, gapNanos / 1e9, (commandDone - started) / 1e9);
        LOG.info(figure);
        return figure;
    }

    private void write(EventStore client, String stream, AtomicBoolean stop) {
        try {
            int n = 0;
            while (!stop.get()) {
                UUID id = UUID.randomUUID();
                AppendRequest request = AppendRequest.to(stream, ExpectedVersion.any(),
                        EventData.of(id, "Failover", (stream + " #" + n++).getBytes(StandardCharsets.UTF_8)));
                AppendResult result = appendUntilAnswered(client, request);
                acks.add(new Ack(stream, id, result.firstPosition(), System.nanoTime()));
                ackCount.incrementAndGet();
            }
        } catch (RuntimeException | InterruptedException e) {
            writerFailure.compareAndSet(null, e);
        }
    }

    /**
     * Appends, and after an unknown outcome (unavailable: the server, the database or the
     * connection failed) or an overload, appends the same request again: its event ids make a
     * second copy impossible, a retry of a stored append answers the original result.
     */
    private AppendResult appendUntilAnswered(EventStore client, AppendRequest request) throws InterruptedException {
        long deadline = System.nanoTime() + ROUND_TIMEOUT.toNanos();
        while (true) {
            try {
                return client.append(request);
            } catch (EventStoreException e) {
                if ((e.code() != ErrorCode.UNAVAILABLE && e.code() != ErrorCode.OVERLOADED)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                unknownOutcomes.incrementAndGet();
                LOG.debug("append to {} answered {}; retrying with the same ids", request.appends().get(0).stream(),
                        e.getMessage());
                Thread.sleep(RETRY_PAUSE_MS);
            }
        }
    }

    private void awaitAcks(int target, String when) throws InterruptedException {
        long deadline = System.nanoTime() + ROUND_TIMEOUT.toNanos();
        while (ackCount.get() < target && writerFailure.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(writerFailure.get()).as("a writer failed " + when).isNull();
        assertThat(ackCount.get()).as("acknowledgements %s (within %s)", when, ROUND_TIMEOUT).isGreaterThanOrEqualTo(target);
    }

    /** The longest interval without an acknowledgement, among those that end after {@code since}. */
    private long longestGapSince(long since) {
        List<Long> times = new ArrayList<>(acks.stream().map(Ack::nanos).sorted().toList());
        long longest = 0;
        for (int i = 1; i < times.size(); i++) {
            if (times.get(i) > since) {
                longest = Math.max(longest, times.get(i) - Math.max(times.get(i - 1), since));
            }
        }
        return longest;
    }

    private void assertEveryAcknowledgedEventIsStoredOnceInOrder(List<RecordedEvent> stored) {
        List<UUID> storedIds = stored.stream().map(RecordedEvent::id).toList();
        assertThat(Set.copyOf(storedIds)).as("no event is stored twice").hasSameSizeAs(storedIds);
        Map<UUID, RecordedEvent> byId = new HashMap<>();
        stored.forEach(event -> byId.put(event.id(), event));
        List<Ack> acknowledged = List.copyOf(acks);
        assertThat(stored).as("every stored event was acknowledged (writers retry until answered)")
                .hasSameSizeAs(acknowledged);
        Map<String, Long> lastPositionByStream = new HashMap<>();
        for (Ack ack : acknowledged.stream().sorted((a, b) -> Long.compare(a.nanos, b.nanos)).toList()) {
            RecordedEvent event = byId.get(ack.id());
            assertThat(event).as("acknowledged event %s of %s is stored", ack.id(), ack.stream()).isNotNull();
            assertThat(event.position()).as("stored where its acknowledgement said").isEqualTo(ack.position());
            assertThat(event.stream()).isEqualTo(ack.stream());
            long previous = lastPositionByStream.getOrDefault(ack.stream(), -1L);
            assertThat(event.position()).as("%s's events are stored in the order they were acknowledged", ack.stream())
                    .isGreaterThan(previous);
            lastPositionByStream.put(ack.stream(), event.position());
        }
        for (int i = 1; i < stored.size(); i++) {
            assertThat(stored.get(i).position()).isGreaterThan(stored.get(i - 1).position());
        }
    }

    /** The events of the writers' streams after {@code start}, in position order, read through a client. */
    private static List<RecordedEvent> storedEvents(EventStore client, long start) {
        List<RecordedEvent> events = new ArrayList<>();
        long from = start + 1;
        while (true) {
            List<RecordedEvent> page = client.readAll(from, Direction.FORWARD, 1_000);
            if (page.isEmpty()) {
                return events;
            }
            page.stream().filter(event -> event.stream().startsWith("ha-")).forEach(events::add);
            from = page.get(page.size() - 1).position() + 1;
        }
    }

    private static List<RecordedEvent> recorded(RecordingListener listener, int count) {
        return listener.awaitCount(count, DELIVERY_TIMEOUT).stream().map(io.rewind.api.SubscriptionEvent::event)
                .toList();
    }

    private static void report(List<String> figures) throws IOException {
        figures.forEach(LOG::info);
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.write(target.resolve("failover-figures.txt"), figures, StandardCharsets.UTF_8);
        }
    }

    private static RewindProcess serve(String store) throws Exception {
        return RewindProcess.start("serve", "--store", store, "--command-endpoint", "tcp://127.0.0.1:*",
                "--stream-endpoint", "tcp://127.0.0.1:*");
    }

    /** Runs {@code .ci/pg-ha ARGS} from the repository root; fails the test if it fails. */
    private static void pgHa(String... args) throws IOException, InterruptedException {
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.isExecutable(root.resolve(".ci/pg-ha"))) {
            root = root.getParent();
        }
        assertThat(root).as(".ci/pg-ha above " + Path.of("").toAbsolutePath()).isNotNull();
        List<String> command = new ArrayList<>(List.of(root.resolve(".ci/pg-ha").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(180, TimeUnit.SECONDS)).as(".ci/pg-ha %s finished", String.join(" ", args)).isTrue();
        assertThat(process.exitValue()).as(".ci/pg-ha %s: %s", String.join(" ", args), output).isZero();
        LOG.info(".ci/pg-ha {}: {}", String.join(" ", args), output.strip());
    }

    private record Ack(String stream, UUID id, long position, long nanos) {
    }
}
