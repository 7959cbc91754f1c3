package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.client.ClientConfig;
import io.rewind.client.RemoteGroups;
import io.rewind.client.RewindClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer groups across SIGKILLs of the server and of consumers, all real processes on 127.0.0.1
 * (issue 14, "Tests: Processes"). A {@code rewind serve} on a log store; a group over the writers'
 * streams; three consumer JVMs ({@link GroupKillConsumer}) that record every delivery to a file of
 * their own before they ack it; two writer threads appending one event at a time to 16 streams
 * through the Java client, retrying an append whose outcome is unknown with the same event id. In
 * each of {@value #DEFAULT_ROUNDS} rounds ({@code -Drewind.groupsKill.rounds=N}) the server is
 * killed with SIGKILL and started again on the same data directory and command port, and one
 * consumer chosen at random is killed with SIGKILL — before the server kill, while the server is
 * down, or after its restart, at random — and replaced by a new one (with a new name). The
 * writers run through all of it. Checked, in both strategies:
 *
 * <ul>
 *   <li><b>The checkpoint never passes an unacknowledged event:</b> every round, and right after
 *       every restart, the group's checkpoint and durable checkpoint ({@code describe}) are at or
 *       below a position only if every event of the writers' streams up to there has an E line
 *       (processed, written before the ack) in some consumer's file; the durable checkpoint never
 *       goes back.</li>
 *   <li><b>At-least-once:</b> at the end the group's checkpoint reaches the last written event,
 *       nothing is parked, and every stored event — every acknowledged append among them, stored
 *       once at the position its answer gave — was processed (E) by some consumer.</li>
 *   <li><b>Pinned mode, one consumer per stream:</b> no two consumers' processing intervals of the
 *       same stream overlap. An interval runs from the B line to the E line; one a killed consumer
 *       left open ends when the test saw that process dead. Sound across server kills because,
 *       before starting the server again, the test waits until every live consumer has noted (an
 *       L line, timed after the kill) that its client lost its membership or that a JOIN failed:
 *       the client hands it no delivery of the dead server after that, so nothing of the old
 *       server's life is processed once the new one runs. Within one life the server hands a
 *       stream on only after its delivery is settled, or its consumer left; the ack timeout
 *       (10 s) is far above the handler's few milliseconds.</li>
 *   <li><b>Pinned mode, per-stream order.</b> Defined as: (1) when a consumer begins an event of a
 *       stream, every earlier event of that stream has already been processed (E) by some
 *       consumer; and (2) within one life of the server the deliveries of a stream, in the order
 *       they began (across consumers, since they never overlap), go version by version: each one
 *       is the same event again (a redelivery after a failure: its consumer died) or the next
 *       event. So within one holding a consumer sees a stream in version order without gaps;
 *       across a server restart the stream starts again at the first event after the durable
 *       checkpoint, which may repeat events (the at-least-once cost), never skip one.</li>
 * </ul>
 *
 * The redeliveries (deliveries beyond the first of an event, and events processed more than once)
 * are counted and logged with the run's other counts.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class GroupsKillTest {

    private static final Logger LOG = LoggerFactory.getLogger(GroupsKillTest.class);
    static final int DEFAULT_ROUNDS = 3;
    private static final int ROUNDS = Integer.getInteger("rewind.groupsKill.rounds", DEFAULT_ROUNDS);
    private static final long START_TIMEOUT_MS = 90_000;
    private static final int CONSUMERS = 3;
    private static final int WRITERS = 2;
    private static final int STREAMS_PER_WRITER = 8;
    private static final String PREFIX = "s-";
    private static final String GROUP = "kill";
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);
    /** Paces each writer (about 100 events a second), so the consumers keep up on a loaded machine. */
    private static final long WRITE_PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** The consumer and server JVMs start quicker and take less of a shared machine this way. */
    private static final List<String> CONSUMER_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Xmx128m");
    private static final List<String> SERVER_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    /**
     * What a consumer notes (L lines: the client's log, or its own first JOIN failing) once it has
     * given up a membership: after that its client hands it no delivery of that membership.
     */
    private static final List<String> MEMBERSHIP_GONE = List.of("lost its membership", "could not join again",
            "JOIN-FAILED");

    @TempDir
    Path temp;

    private final List<ConsumerJvm> consumers = new ArrayList<>();
    /** {@link System#nanoTime()} just before each start of the server: life i began at launches[i]. */
    private final List<Long> launches = new ArrayList<>();
    private final ConcurrentLinkedQueue<Acked> acknowledged = new ConcurrentLinkedQueue<>();
    private final List<RecordedEvent> stored = new ArrayList<>();
    private RewindProcess server;
    private String endpoint;
    private EventStore client;
    private RemoteGroups groups;
    private int consumerCount;
    private long lastDurable = -1;

    @AfterEach
    void stopEverything() {
        for (ConsumerJvm consumer : consumers) {
            consumer.process.close();
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ROUND_ROBIN", "PINNED_BY_STREAM"})
    void everyEventIsProcessedAndTheCheckpointNeverPassesAnUnprocessedOneAcrossSigkills(String strategy)
            throws Exception {
        try {
            run(strategy);
        } catch (Exception | AssertionError e) {
            logTails();
            throw e;
        }
    }

    private void run(String strategy) throws Exception {
        long seed = Long.getLong("rewind.groupsKill.seed", System.nanoTime());
        Random random = new Random(seed);
        long began = System.nanoTime();
        LOG.info("{}: {} rounds, seed {} (-Drewind.groupsKill.seed={} repeats the choices)", strategy, ROUNDS, seed,
                seed);
        endpoint = "tcp://127.0.0.1:" + freePort();
        startServer();
        client = RewindClient.connect(clientConfig());
        groups = RemoteGroups.of(client);
        groups.create(RemoteGroups.Spec.named(GROUP).withStrategy(strategy).streamPrefix(PREFIX).withMaxInFlight(4)
                .withAckTimeout(ACK_TIMEOUT).withMaxRetries(1000).withRetryBackoff(Duration.ofMillis(10)));
        for (int i = 0; i < CONSUMERS; i++) {
            startConsumer();
        }
        for (ConsumerJvm consumer : live()) {
            awaitJoined(consumer);
        }
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                running.add(writers.submit(() -> write(writer, stop)));
            }
            for (int round = 0; round < ROUNDS; round++) {
                runRound(round, random.nextInt(3), random);
            }
            awaitProcessedMore(50, "after the last round");
            stop.set(true);
            for (Future<?> writer : running) {
                writer.get(120, TimeUnit.SECONDS);
            }
        } finally {
            stop.set(true);
            writers.shutdownNow();
        }
        finish(strategy, began);
    }

    /** On a failure: what the processes logged last, to tell why. */
    private void logTails() {
        for (ConsumerJvm consumer : consumers) {
            LOG.warn("consumer {} (pid {}{}) logged:\n{}", consumer.name, consumer.process.pid(),
                    consumer.diedAt == Long.MAX_VALUE ? "" : ", killed", tail(consumer.process.stderr()));
        }
        if (server != null) {
            LOG.warn("the server logged:\n{}", tail(server.stderr()));
        }
    }

    private static String tail(String text) {
        return text.length() <= 6000 ? text : "..." + text.substring(text.length() - 6000);
    }

    /**
     * One round: some processing, a check of the checkpoint, SIGKILL of the server and its restart,
     * and SIGKILL of a random consumer and its replacement at {@code phase} 0 (before the server
     * kill), 1 (while the server is down) or 2 (after the restart).
     */
    private void runRound(int round, int phase, Random random) throws Exception {
        awaitProcessedMore(50, "in round " + round);
        checkCheckpoint("round " + round);
        if (phase == 0) {
            replaceConsumer(random, round);
        }
        // Every live consumer has joined once and is a member now (the server lists it), so each one
        // gives up that membership, and notes it, once the server is gone.
        for (ConsumerJvm consumer : live()) {
            awaitJoined(consumer);
        }
        pollUntil(() -> describe().consumers().containsAll(names(live())), Duration.ofSeconds(60),
                () -> "the group lists every live consumer " + names(live()) + ": " + describe().consumers());
        List<ConsumerJvm> members = live();
        long killedAt = System.nanoTime();
        server.kill(START_TIMEOUT_MS);
        LOG.info("round {}: killed the server (SIGKILL)", round);
        if (phase == 1) {
            replaceConsumer(random, round);
        }
        for (ConsumerJvm consumer : members) {
            pollUntil(() -> consumer.diedAt != Long.MAX_VALUE || consumer.gaveUpMembershipAfter(killedAt),
                    Duration.ofSeconds(60), () -> consumer.name + " notes that it gave up its membership once the"
                            + " server is gone; its log: " + consumer.process.stderr());
        }
        startServer();
        refreshStoredFromScratch();
        // The durable checkpoint as the new server read it back: never beyond an unprocessed event.
        checkCheckpoint("restart " + round);
        if (phase == 2) {
            replaceConsumer(random, round);
        }
    }

    private void startServer() throws IOException, InterruptedException {
        launches.add(System.nanoTime());
        server = RewindProcess.startWithJvmOptions(SERVER_JVM, "serve", "--store", "log:" + temp.resolve("data"),
                "--command-endpoint", endpoint, "--stream-endpoint", "tcp://127.0.0.1:*", "--http-endpoint", "off");
        server.awaitCommandEndpoint(START_TIMEOUT_MS);
    }

    private void startConsumer() throws IOException {
        String name = "c" + (++consumerCount);
        Path file = temp.resolve(name + ".records");
        RewindProcess process = RewindProcess.startMain(CONSUMER_JVM, GroupKillConsumer.class.getName(), endpoint,
                GROUP, name, file.toString());
        consumers.add(new ConsumerJvm(name, file, process));
    }

    private void awaitJoined(ConsumerJvm consumer) throws InterruptedException {
        boolean joined = consumer.process.awaitStdout(out -> out.contains("JOINED " + consumer.name + " "),
                START_TIMEOUT_MS);
        assertThat(joined).as("%s joined; stdout: %s stderr: %s", consumer.name, consumer.process.stdout(),
                consumer.process.stderr()).isTrue();
    }

    /** SIGKILLs a random live consumer and starts a new one (whose JOIN the next server kill awaits). */
    private void replaceConsumer(Random random, int round) throws Exception {
        List<ConsumerJvm> live = live();
        ConsumerJvm victim = live.get(random.nextInt(live.size()));
        kill(victim);
        LOG.info("round {}: killed consumer {} (SIGKILL)", round, victim.name);
        startConsumer();
    }

    private static void kill(ConsumerJvm consumer) throws InterruptedException {
        consumer.process.kill(START_TIMEOUT_MS);
        // Dead now: an interval it left open ends no later than this.
        consumer.diedAt = System.nanoTime();
    }

    private List<ConsumerJvm> live() {
        return consumers.stream().filter(c -> c.diedAt == Long.MAX_VALUE).toList();
    }

    private static List<String> names(List<ConsumerJvm> list) {
        return list.stream().map(c -> c.name).toList();
    }

    /** Waits until the consumers together recorded {@code more} processed deliveries (E lines) than now. */
    private void awaitProcessedMore(int more, String when) {
        long before = processedCount();
        pollUntil(() -> processedCount() >= before + more, Duration.ofSeconds(90),
                () -> more + " more deliveries processed " + when + " (" + processedCount() + ", " + before
                        + " before)");
    }

    private long processedCount() {
        long count = 0;
        for (ConsumerJvm consumer : consumers) {
            consumer.refresh();
            count += consumer.deliveries.stream().filter(d -> d.end >= 0).count();
        }
        return count;
    }

    /**
     * The checkpoint (and the durable one) of the group now: every event of the writers' streams at
     * or below it was processed by some consumer, whose E line was written before its ack. The
     * files and the store are read after DESCRIBE answered, so they hold every such line and event.
     */
    private void checkCheckpoint(String when) {
        RemoteGroups.Description description = describe();
        assertThat(description.durableCheckpoint()).as("%s: the durable checkpoint never goes back", when)
                .isGreaterThanOrEqualTo(lastDurable);
        assertThat(description.checkpoint()).as("%s: the checkpoint is at or above the durable one", when)
                .isGreaterThanOrEqualTo(description.durableCheckpoint());
        lastDurable = description.durableCheckpoint();
        refreshStored();
        Map<Long, UUID> processed = processedPositions();
        long passed = 0;
        for (RecordedEvent event : stored) {
            if (event.position() > description.checkpoint()) {
                break;
            }
            passed++;
            assertThat(processed.get(event.position())).as("%s: the checkpoint %d (durable %d) passed %s@%d at position"
                    + " %d: some consumer recorded it processed before acking it", when, description.checkpoint(),
                    description.durableCheckpoint(), event.stream(), event.version(), event.position())
                    .isEqualTo(event.id());
        }
        LOG.info("{}: checkpoint {} (durable {}) passes {} events, each processed before its ack", when,
                description.checkpoint(), description.durableCheckpoint(), passed);
    }

    /** Position to event id of every delivery some consumer recorded as processed (E). */
    private Map<Long, UUID> processedPositions() {
        Map<Long, UUID> processed = new HashMap<>();
        for (ConsumerJvm consumer : consumers) {
            consumer.refresh();
            for (Delivery delivery : consumer.deliveries) {
                if (delivery.end >= 0) {
                    UUID previous = processed.put(delivery.position, delivery.eventId);
                    assertThat(previous == null || previous.equals(delivery.eventId))
                            .as("one event id at position %d: %s and %s", delivery.position, previous,
                                    delivery.eventId).isTrue();
                }
            }
        }
        return processed;
    }

    private void finish(String strategy, long began) throws Exception {
        refreshStored();
        long last = stored.get(stored.size() - 1).position();
        pollUntil(() -> describe().checkpoint() >= last, Duration.ofSeconds(120),
                () -> "the group's checkpoint reaches the last written event, at " + last + ": " + describe());
        assertThat(groups.parked(GROUP)).as("nothing was parked").isEmpty();
        checkCheckpoint("the end");
        for (ConsumerJvm consumer : live()) {
            kill(consumer);
        }
        server.terminate(START_TIMEOUT_MS);
        client.close();
        client = null;
        List<Delivery> all = new ArrayList<>();
        for (ConsumerJvm consumer : consumers) {
            consumer.refresh();
            for (Delivery delivery : consumer.deliveries) {
                if (delivery.end < 0) {
                    delivery.end = consumer.diedAt; // open when its consumer died
                    delivery.open = true;
                }
                all.add(delivery);
            }
        }
        checkAtLeastOnce(all);
        if (strategy.equals("PINNED_BY_STREAM")) {
            checkNoStreamHeldTwice(all);
            checkStreamOrder(all);
        }
        report(strategy, all, began);
    }

    /**
     * Every stored event of the writers' streams was processed; every acknowledged append is
     * stored, once, where its answer said.
     */
    private void checkAtLeastOnce(List<Delivery> all) {
        Map<Long, UUID> processed = new HashMap<>();
        for (Delivery delivery : all) {
            if (!delivery.open) {
                processed.put(delivery.position, delivery.eventId);
            }
        }
        Map<UUID, RecordedEvent> byId = new HashMap<>();
        for (RecordedEvent event : stored) {
            assertThat(byId.put(event.id(), event)).as("event %s is stored once", event.id()).isNull();
            assertThat(processed.get(event.position())).as("%s@%d at position %d was processed by some consumer",
                    event.stream(), event.version(), event.position()).isEqualTo(event.id());
        }
        for (Acked acked : acknowledged) {
            RecordedEvent event = byId.get(acked.id);
            assertThat(event).as("acknowledged append %s to %s is stored", acked.id, acked.stream).isNotNull();
            assertThat(event.position()).as("where its answer said").isEqualTo(acked.position);
        }
    }

    /** Pinned: no two consumers' intervals of one stream overlap. */
    private static void checkNoStreamHeldTwice(List<Delivery> all) {
        Map<String, List<Delivery>> byStream = byStreamInBeginOrder(all);
        for (Map.Entry<String, List<Delivery>> entry : byStream.entrySet()) {
            List<Delivery> list = entry.getValue();
            for (int i = 0; i < list.size(); i++) {
                Delivery a = list.get(i);
                for (int j = i + 1; j < list.size() && list.get(j).begin < a.end; j++) {
                    Delivery b = list.get(j);
                    assertThat(b.consumer).as("stream %s is processed by two consumers at once: %s and %s",
                            entry.getKey(), a, b).isEqualTo(a.consumer);
                }
            }
        }
    }

    /** Pinned: the per-stream order of the class comment. */
    private void checkStreamOrder(List<Delivery> all) {
        Map<String, List<Delivery>> byStream = byStreamInBeginOrder(all);
        for (Map.Entry<String, List<Delivery>> entry : byStream.entrySet()) {
            List<Delivery> list = entry.getValue();
            // The earliest time each version was done (E).
            TreeMap<Long, Long> firstDone = new TreeMap<>();
            for (Delivery delivery : list) {
                if (!delivery.open) {
                    firstDone.merge(delivery.version, delivery.end, Math::min);
                }
            }
            Delivery previous = null;
            for (Delivery delivery : list) {
                for (long version = 0; version < delivery.version; version++) {
                    Long done = firstDone.get(version);
                    assertThat(done != null && done < delivery.begin).as("%s began after every earlier event of %s"
                            + " was processed; version %d was %s", delivery, entry.getKey(), version,
                            done == null ? "never processed" : "processed only later").isTrue();
                }
                if (previous != null && life(previous.begin) == life(delivery.begin)) {
                    assertThat(delivery.version).as("within one server life %s follows %s: the same event again or"
                            + " the next one", delivery, previous).isBetween(previous.version, previous.version + 1);
                }
                previous = delivery;
            }
        }
    }

    /** Which start of the server a delivery that began at {@code nanos} came from. */
    private int life(long nanos) {
        int life = -1;
        for (int i = 0; i < launches.size(); i++) {
            if (launches.get(i) - nanos <= 0) {
                life = i;
            }
        }
        return life;
    }

    private static Map<String, List<Delivery>> byStreamInBeginOrder(List<Delivery> all) {
        Map<String, List<Delivery>> byStream = new TreeMap<>();
        for (Delivery delivery : all) {
            byStream.computeIfAbsent(delivery.stream, s -> new ArrayList<>()).add(delivery);
        }
        byStream.values().forEach(list -> list.sort(Comparator.comparingLong((Delivery d) -> d.begin)));
        return byStream;
    }

    private void report(String strategy, List<Delivery> all, long began) {
        Map<Long, Integer> begun = new HashMap<>();
        Map<Long, Integer> processed = new HashMap<>();
        int acksAnswered = 0;
        int acksRefused = 0;
        int open = 0;
        for (Delivery delivery : all) {
            begun.merge(delivery.position, 1, Integer::sum);
            if (delivery.open) {
                open++;
            } else {
                processed.merge(delivery.position, 1, Integer::sum);
            }
            if (Boolean.TRUE.equals(delivery.acked)) {
                acksAnswered++;
            } else if (Boolean.FALSE.equals(delivery.acked)) {
                acksRefused++;
            }
        }
        long twice = processed.values().stream().filter(n -> n > 1).count();
        long extra = processed.values().stream().mapToLong(n -> n - 1).sum();
        LOG.info("{}: {} events ({} acknowledged appends), {} deliveries begun, {} redeliveries (deliveries beyond"
                + " an event's first), {} events processed more than once ({} extra processings), {} left open by"
                + " killed consumers, {} acks answered, {} refused or lost; {} server kills, {} consumer JVMs;"
                + " {} ms", strategy, stored.size(), acknowledged.size(), all.size(), all.size() - begun.size(), twice,
                extra, open, acksAnswered, acksRefused, launches.size() - 1, consumers.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    }

    /** Appends one event at a time, to its streams in turn; an unknown outcome is retried with the same id. */
    private void write(int writer, AtomicBoolean stop) {
        try (EventStore store = RewindClient.connect(clientConfig())) {
            for (int n = 0; n < 100_000 && !stop.get(); n++) {
                String stream = PREFIX + (writer * STREAMS_PER_WRITER + n % STREAMS_PER_WRITER);
                EventData event = EventData.of(UUID.randomUUID(), "Written",
                        (stream + "/" + n).getBytes(StandardCharsets.UTF_8));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (true) {
                    try {
                        AppendResult result = store.append(stream, ExpectedVersion.any(), event);
                        acknowledged.add(new Acked(event.id(), stream, result.firstPosition()));
                        break;
                    } catch (EventStoreException e) {
                        if (System.nanoTime() - deadline > 0) {
                            throw new AssertionError(stream + ": event " + n + " not acknowledged within 120 s", e);
                        }
                        LOG.debug("{}: event {} not acknowledged ({}); retrying it", stream, n, e.getMessage());
                    }
                }
                LockSupport.parkNanos(WRITE_PACE_NANOS);
            }
        }
    }

    private ClientConfig clientConfig() {
        return ClientConfig.builder().endpoint(endpoint).connectTimeout(Duration.ofSeconds(60))
                .requestTimeout(Duration.ofSeconds(5)).reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(300))
                .build();
    }

    /** DESCRIBE, retried while the server is starting or the client reconnects. */
    private RemoteGroups.Description describe() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                return groups.describe(GROUP);
            } catch (EventStoreException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("no DESCRIBE of the group within 60 s", e);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // the pause between attempts
            }
        }
    }

    /** Reads the writers' streams' events appended since the last read, in global order. */
    private void refreshStored() {
        long from = stored.isEmpty() ? 0 : stored.get(stored.size() - 1).position() + 1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            List<RecordedEvent> page;
            try {
                page = client.readAll(ReadOptions.from(from, Direction.FORWARD).withMaxEvents(1000)).events();
            } catch (EventStoreException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("cannot read the store", e);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // the pause between attempts
                continue;
            }
            if (page.isEmpty()) {
                return;
            }
            for (RecordedEvent event : page) {
                if (event.stream().startsWith(PREFIX)) {
                    stored.add(event);
                }
            }
            from = page.get(page.size() - 1).position() + 1;
        }
    }

    /** Reads the store again from the start after a kill: what was read before is still there, the same. */
    private void refreshStoredFromScratch() {
        List<RecordedEvent> before = new ArrayList<>(stored);
        stored.clear();
        refreshStored();
        assertThat(stored.size()).as("the events read before the kill are still stored").isGreaterThanOrEqualTo(
                before.size());
        assertThat(stored.subList(0, before.size())).as("the events read before the kill, unchanged")
                .isEqualTo(before);
    }

    /** A poll loop with a deadline, for conditions that read files (slower than {@code Await}'s). */
    private static void pollUntil(BooleanSupplier condition, Duration timeout, Supplier<String> description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting until "
                        + description.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private record Acked(UUID id, String stream, long position) {
    }

    /** One delivery as a consumer recorded it. */
    private static final class Delivery {
        final String consumer;
        final long pid;
        final long deliveryId;
        final int attempt;
        final long position;
        final String stream;
        final long version;
        final UUID eventId;
        final long begin;
        /** When the handler was done (E); or, once analysed, when its killed consumer was seen dead. */
        long end = -1;
        boolean open;
        /** The ack answered (true), refused or lost (false), or not known (null: killed before it said). */
        Boolean acked;
        final String key;

        Delivery(String key, String[] f, long begin) {
            this.key = key;
            this.consumer = f[1];
            this.pid = Long.parseLong(f[2]);
            this.deliveryId = Long.parseLong(f[3]);
            this.attempt = Integer.parseInt(f[4]);
            this.position = Long.parseLong(f[5]);
            this.stream = f[6];
            this.version = Long.parseLong(f[7]);
            this.eventId = UUID.fromString(f[8]);
            this.begin = begin;
        }

        @Override
        public String toString() {
            return stream + "@" + version + " (position " + position + ") by " + consumer + " (pid " + pid
                    + "), delivery " + deliveryId + " attempt " + attempt + ", [" + begin + ", " + end + "]"
                    + (open ? " left open" : "");
        }
    }

    /** A consumer JVM, its record file read as it grows, and when it was seen dead. */
    private static final class ConsumerJvm {
        final String name;
        final Path file;
        final RewindProcess process;
        final List<Delivery> deliveries = new ArrayList<>();
        volatile long diedAt = Long.MAX_VALUE;
        private long readBytes;
        private final StringBuilder partial = new StringBuilder();
        /** The times of its L lines saying it gave up a membership. */
        private final List<Long> givenUp = new ArrayList<>();

        ConsumerJvm(String name, Path file, RewindProcess process) {
            this.name = name;
            this.file = file;
            this.process = process;
        }

        /** Reads the lines added to the file since the last call; a line without its newline waits. */
        void refresh() {
            if (!Files.exists(file)) {
                return;
            }
            byte[] bytes;
            try (var channel = java.nio.channels.FileChannel.open(file)) {
                long size = channel.size();
                if (size <= readBytes) {
                    return;
                }
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) (size - readBytes));
                while (buffer.hasRemaining() && channel.read(buffer, readBytes + buffer.position()) >= 0) {
                    // reads what is there up to size
                }
                bytes = new byte[buffer.position()];
                buffer.flip();
                buffer.get(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            readBytes += bytes.length;
            partial.append(new String(bytes, StandardCharsets.UTF_8));
            int newline;
            while ((newline = partial.indexOf("\n")) >= 0) {
                String line = partial.substring(0, newline);
                partial.delete(0, newline + 1);
                parse(line);
            }
        }

        /** Whether an L line later than {@code nanos} says the consumer gave up its membership. */
        boolean gaveUpMembershipAfter(long nanos) {
            refresh();
            return givenUp.stream().anyMatch(time -> time - nanos > 0);
        }

        private void parse(String line) {
            if (line.startsWith("L ")) {
                String[] l = line.split(" ", 3);
                if (MEMBERSHIP_GONE.stream().anyMatch(marker -> l[2].contains(marker))) {
                    givenUp.add(Long.parseLong(l[1]));
                }
                return;
            }
            String[] f = line.split(" ", 11);
            assertThat(f.length).as("a record line of %s: %s", name, line).isGreaterThanOrEqualTo(10);
            String key = String.join(" ", java.util.Arrays.copyOfRange(f, 1, 9));
            long nanos = Long.parseLong(f[9]);
            Delivery last = deliveries.isEmpty() ? null : deliveries.get(deliveries.size() - 1);
            switch (f[0]) {
                case "B" -> {
                    assertThat(last == null || last.end >= 0).as("%s begins a delivery only after the last one"
                            + " was done: %s", name, line).isTrue();
                    deliveries.add(new Delivery(key, f, nanos));
                }
                case "E" -> {
                    assertThat(last != null && last.key.equals(key) && last.end < 0)
                            .as("%s: E follows its B: %s", name, line).isTrue();
                    last.end = nanos;
                }
                case "A", "F" -> {
                    assertThat(last != null && last.key.equals(key) && last.end >= 0 && last.acked == null)
                            .as("%s: the ack's outcome follows its E: %s", name, line).isTrue();
                    last.acked = f[0].equals("A");
                }
                default -> throw new AssertionError(name + ": unknown record line " + line);
            }
        }
    }
}
