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
import io.rewind.client.RewindClient;
import io.rewind.testkit.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three {@code rewind serve --node} processes on 127.0.0.1, writers appending through the Java
 * client (each given every node's endpoint, starting at a different one) and one legacy GoRewind
 * writer (a DEALER socket sending PUBLISH, moving to the next node when a reply does not come);
 * in each round a node is killed with SIGKILL — the leader, except every fifth round a follower
 * — the writers go on (a Java writer retries an append whose outcome is unknown with the same
 * event id; the client moves to another node when its node dies), and the killed node is started
 * again. A live subscription through a client that starts on the first leader follows the whole
 * log across the kills. At the end every acknowledged event is on every node exactly once, in its
 * writer's order, byte for byte; the three logs are identical event for event; and the subscriber
 * saw every stored event once, in order.
 *
 * <p>{@value #DEFAULT_ROUNDS} rounds unless {@code -Drewind.clusterKill.rounds=N} says otherwise
 * (docs/BENCHMARKS.md quotes the election times this test logs, from a CI run).
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ClusterKillTest {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterKillTest.class);
    private static final long START_TIMEOUT_MS = 90_000;
    private static final int NODES = 3;
    private static final int WRITERS = 4;
    static final int DEFAULT_ROUNDS = 20;
    private static final int ROUNDS = Integer.getInteger("rewind.clusterKill.rounds", DEFAULT_ROUNDS);
    /** How long the GoRewind writer waits for a PUBLISHED before it moves to the next node. */
    private static final int LEGACY_REPLY_TIMEOUT_MS = 10_000;
    /** The nodes' log level (REWIND_LOG_LEVEL): {@code -Drewind.clusterKill.nodeLogLevel=DEBUG} to look closer. */
    private static final String NODE_LOG_LEVEL = System.getProperty("rewind.clusterKill.nodeLogLevel", "INFO");
    private static final Pattern LEADER = Pattern.compile("cluster leader is now (\\S+) \\(seen by (\\S+)\\)");

    @TempDir
    Path temp;

    private final Map<String, String> members = new LinkedHashMap<>();
    private final RewindProcess[] nodes = new RewindProcess[NODES];
    private final String[] endpoints = new String[NODES];
    private final List<RecordedEvent> subscribed = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Every node process started, killed ones included, by node id and start: their logs, kept for a failure. */
    private final Map<String, RewindProcess> everyStart = new LinkedHashMap<>();

    @Test
    void everyAcknowledgedEventSurvivesKillsOfTheLeaderOnEveryNodeOnceAndInOrder() throws Exception {
        for (int i = 0; i < NODES; i++) {
            members.put(id(i), "127.0.0.1:" + freePort());
            // Fixed, so that a restarted node is where the clients' endpoint lists say it is.
            endpoints[i] = "tcp://127.0.0.1:" + freePort();
        }
        Acknowledged acknowledged = new Acknowledged();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS + 1);
        List<Long> electionMillis = new ArrayList<>();
        EventStore subscriber = null;
        try {
            for (int i = 0; i < NODES; i++) {
                start(i);
            }
            for (int i = 0; i < NODES; i++) {
                nodes[i].awaitCommandEndpoint(START_TIMEOUT_MS);
            }
            subscriber = client(awaitLeader(-1));
            subscriber.subscribe(io.rewind.api.SubscriptionRequest.fromBeginning(),
                    event -> subscribed.add(event.event()));
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                running.add(writers.submit(() -> write(writer, acknowledged, stop)));
            }
            running.add(writers.submit(() -> writeLegacy(acknowledged, stop)));
            for (int r = 0; r < ROUNDS; r++) {
                int round = r;
                long before = acknowledged.count.get();
                long legacyBefore = acknowledged.legacy.get();
                Await.until(() -> acknowledged.count.get() >= before + 100 && acknowledged.legacy.get() > legacyBefore,
                        Duration.ofSeconds(120), () -> "100 more appends acknowledged in round " + round
                                + ", one of them the GoRewind writer's (" + acknowledged.count.get() + ")");
                int leader = awaitLeader(-1);
                boolean killLeader = round % 5 != 4;
                int victim = killLeader ? leader : (leader + 1) % NODES;
                long killedAt = System.nanoTime();
                nodes[victim].kill(START_TIMEOUT_MS);
                if (killLeader) {
                    int next = awaitLeader(leader);
                    long elected = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                    electionMillis.add(elected);
                    LOG.info("round {}: killed leader {}, {} leads after {} ms", round, id(leader), id(next), elected);
                } else {
                    LOG.info("round {}: killed follower {} (leader {})", round, id(victim), id(leader));
                }
                long afterKill = acknowledged.count.get();
                Await.until(() -> acknowledged.count.get() >= afterKill + 50, Duration.ofSeconds(120),
                        "writers go on after " + id(victim) + " was killed");
                start(victim);
                nodes[victim].awaitCommandEndpoint(START_TIMEOUT_MS);
            }
            stop.set(true);
            for (Future<?> writer : running) {
                writer.get(120, TimeUnit.SECONDS);
            }
            List<Long> sorted = new ArrayList<>(electionMillis);
            java.util.Collections.sort(sorted);
            LOG.info("election after SIGKILL of the leader, ms per kill: {}; {} kills, median {} ms, worst {} ms",
                    electionMillis, sorted.size(), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
            List<RecordedEvent> stored = verifyNodes(acknowledged);
            Await.until(() -> subscribed.size() >= stored.size(), Duration.ofSeconds(60),
                    () -> "the subscriber saw " + subscribed.size() + " of " + stored.size() + " events");
            assertThat(new ArrayList<>(subscribed)).as("the subscription across the kills").isEqualTo(stored);
        } catch (Throwable failure) {
            keepNodeLogs(failure);
            throw failure;
        } finally {
            stop.set(true);
            if (subscriber != null) {
                subscriber.close();
            }
            writers.shutdownNow();
            for (RewindProcess node : nodes) {
                if (node != null) {
                    node.close();
                }
            }
        }
    }

    private void start(int i) throws IOException {
        nodes[i] = RewindProcess.startWithEnvironment(Map.of("REWIND_LOG_LEVEL", NODE_LOG_LEVEL), "serve",
                "--store", "log:" + temp.resolve(id(i)), "--node", id(i), "--cluster", cluster(), "--command-endpoint", endpoints[i], "--stream-endpoint",
                "tcp://127.0.0.1:*", "--http-endpoint", "off");
        everyStart.put(id(i) + "-start-" + (everyStart.size() + 1), nodes[i]);
    }

    /** Writes the log of every node process this test started to target/ClusterKillTest-logs, for a failure. */
    private void keepNodeLogs(Throwable failure) {
        Path directory = Path.of("target", "ClusterKillTest-logs", String.valueOf(System.currentTimeMillis()));
        try {
            java.nio.file.Files.createDirectories(directory);
            StringBuilder trace = new StringBuilder();
            for (Throwable t = failure; t != null; t = t.getCause()) {
                trace.append(t == failure ? "" : "caused by: ").append(t).append('\n');
                for (StackTraceElement frame : t.getStackTrace()) {
                    trace.append("    at ").append(frame).append('\n');
                }
            }
            java.nio.file.Files.writeString(directory.resolve("failure.txt"), trace);
            // This JVM's threads as the failure is reported (the clients' I/O threads, JeroMQ's).
            StringBuilder threads = new StringBuilder();
            for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
                threads.append('"').append(thread.getKey().getName()).append("\" ").append(thread.getKey().getState())
                        .append('\n');
                for (StackTraceElement frame : thread.getValue()) {
                    threads.append("    at ").append(frame).append('\n');
                }
            }
            java.nio.file.Files.writeString(directory.resolve("test-jvm-threads.txt"), threads);
            for (Map.Entry<String, RewindProcess> start : everyStart.entrySet()) {
                java.nio.file.Files.writeString(directory.resolve(start.getKey() + ".log"), start.getValue().stderr());
            }
            LOG.error("the test failed; the logs of its {} node processes are in {}", everyStart.size(),
                    directory.toAbsolutePath());
        } catch (IOException e) {
            LOG.error("could not keep the node logs in {}: {}", directory.toAbsolutePath(), e.toString());
        }
    }

    private String cluster() {
        StringBuilder text = new StringBuilder();
        members.forEach((id, address) -> text.append(text.length() == 0 ? "" : ",").append(id).append('=')
                .append(address));
        return text.toString();
    }

    private static String id(int i) {
        return "n" + (i + 1);
    }

    /** The node that the running nodes (other than {@code not}) last reported as leader, once they agree. */
    private int awaitLeader(int not) {
        int[] found = {-1};
        Await.until(() -> {
            String agreed = null;
            for (int i = 0; i < NODES; i++) {
                if (i == not || nodes[i] == null) {
                    continue;
                }
                String seen = lastLeaderSeen(nodes[i].stderr());
                if (seen == null || (agreed != null && !agreed.equals(seen))) {
                    return false;
                }
                agreed = seen;
            }
            if (agreed == null || agreed.equals(not < 0 ? null : id(not))) {
                return false;
            }
            found[0] = Integer.parseInt(agreed.substring(1)) - 1;
            return true;
        }, Duration.ofSeconds(60), "the running nodes agree on a leader other than " + (not < 0 ? "none" : id(not)));
        return found[0];
    }

    private static String lastLeaderSeen(String log) {
        Matcher matcher = LEADER.matcher(log);
        String last = null;
        while (matcher.find()) {
            last = matcher.group(1);
        }
        return last;
    }

    /** A client given every node's endpoint, starting with node {@code first}'s. */
    private EventStore client(int first) {
        List<String> order = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            order.add(endpoints[(first + i) % NODES]);
        }
        return RewindClient.connect(ClientConfig.builder().endpoints(order).connectTimeout(Duration.ofSeconds(30))
                .heartbeat(Duration.ofMillis(500), Duration.ofSeconds(2)).build());
    }

    /**
     * Appends one event at a time to its own stream, through a client that starts at a node of
     * its own; on an unknown outcome it retries the same event (same id) until it is answered.
     */
    private void write(int writer, Acknowledged acknowledged, AtomicBoolean stop) {
        String stream = "writer-" + writer;
        EventStore client = null;
        try {
            for (int n = 0; n < 1_000_000 && !stop.get(); n++) {
                EventData event = EventData.of(UUID.randomUUID(), "Written",
                        (stream + "/" + n + "/" + "x".repeat(n % 50)).getBytes(StandardCharsets.UTF_8));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                EventStoreException last = null;
                int attempts = 0;
                while (true) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError(stream + ": no node acknowledged event " + n + " (" + event.id()
                                + ") within 120 s; " + attempts + " attempts, the last failed with " + last, last);
                    }
                    attempts++;
                    try {
                        if (client == null) {
                            client = client(writer % NODES);
                        }
                        AppendResult result = client.append(stream, ExpectedVersion.any(), event);
                        acknowledged.add(stream, event, result);
                        break;
                    } catch (EventStoreException e) {
                        last = e;
                        LOG.debug("{}: event {} not acknowledged ({}); retrying it", stream, n, e.getMessage());
                    }
                }
            }
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    /**
     * The legacy GoRewind writer: PUBLISH over a DEALER socket to one node, one event at a time
     * with unique bytes. GoRewind's PUBLISH carries no event id, so an event whose reply does not
     * come (or comes as an ERROR) is not retried: the socket is closed (a late reply must not be
     * taken for the next one's) and the writer moves to the next node with a new event. Only
     * acknowledged events are checked; an unacknowledged one may or may not be stored.
     */
    private void writeLegacy(Acknowledged acknowledged, AtomicBoolean stop) {
        String stream = "gorewind";
        try (ZContext context = new ZContext()) {
            ZMQ.Socket dealer = null;
            int node = 0;
            for (int n = 0; n < 1_000_000 && !stop.get(); n++) {
                byte[] data = (stream + "/" + n).getBytes(StandardCharsets.UTF_8);
                if (dealer == null) {
                    dealer = context.createSocket(SocketType.DEALER);
                    dealer.setReceiveTimeOut(LEGACY_REPLY_TIMEOUT_MS);
                    dealer.setLinger(0);
                    // JeroMQ 0.6.0: a fresh connection occasionally stalls before its handshake.
                    dealer.setHandshakeIvl(500);
                    dealer.connect(endpoints[node]);
                }
                ZMsg request = new ZMsg();
                request.add(new byte[0]);
                request.add("PUBLISH");
                request.add(stream);
                request.add(data);
                request.send(dealer);
                ZMsg reply = ZMsg.recvMsg(dealer);
                String status = reply == null ? null : reply.popString();
                if ("PUBLISHED".equals(status)) {
                    acknowledged.addLegacy(stream, UUID.fromString(reply.popString()), data);
                } else {
                    LOG.debug("GoRewind writer: event {} through {} answered {}; moving on", n, endpoints[node],
                            status == null ? "nothing" : status);
                    dealer.close();
                    dealer = null;
                    node = (node + 1) % NODES;
                }
            }
        }
    }

    /** Checks every node holds the same events and every acknowledged one; returns the events. */
    private List<RecordedEvent> verifyNodes(Acknowledged acknowledged) {
        List<EventStore> clients = new ArrayList<>();
        try {
            for (int i = 0; i < NODES; i++) {
                clients.add(RewindClient.connect(endpoints[i]));
            }
            long head = clients.stream().mapToLong(EventStore::headPosition).max().orElseThrow();
            for (EventStore client : clients) {
                Await.until(() -> client.headPosition() == head, Duration.ofSeconds(60), "every node applied up to "
                        + head);
            }
            List<RecordedEvent> first = readAll(clients.get(0));
            for (int i = 1; i < NODES; i++) {
                List<RecordedEvent> other = readAll(clients.get(i));
                assertThat(other).as("node " + id(i) + " holds what node n1 holds").hasSize(first.size());
                for (int e = 0; e < first.size(); e++) {
                    assertEquivalent(other.get(e), first.get(e), id(i));
                }
            }
            Map<UUID, RecordedEvent> byId = new HashMap<>();
            for (RecordedEvent event : first) {
                assertThat(byId.put(event.id(), event)).as("event " + event.id() + " is stored once").isNull();
            }
            for (Map.Entry<String, List<Acked>> stream : acknowledged.byStream.entrySet()) {
                long lastVersion = -1;
                for (Acked acked : stream.getValue()) {
                    RecordedEvent stored = byId.get(acked.id);
                    assertThat(stored).as("acknowledged event " + acked.id + " of " + stream.getKey()).isNotNull();
                    assertThat(stored.data()).as("its bytes").isEqualTo(acked.data);
                    if (acked.position >= 0) {
                        assertThat(stored.position()).as("where it was acknowledged").isEqualTo(acked.position);
                    }
                    assertThat(stored.version()).as("in the writer's order").isGreaterThan(lastVersion);
                    lastVersion = stored.version();
                }
            }
            LOG.info("{} acknowledged events ({} by the GoRewind writer), {} stored, identical on {} nodes",
                    acknowledged.count.get(), acknowledged.legacy.get(), first.size(), NODES);
            return first;
        } finally {
            clients.forEach(EventStore::close);
        }
    }

    private static void assertEquivalent(RecordedEvent actual, RecordedEvent expected, String node) {
        assertThat(actual).as("position " + expected.position() + " on " + node).isEqualTo(expected);
        assertThat(Arrays.equals(actual.data(), expected.data())).isTrue();
        assertThat(actual.timestamp()).isEqualTo(expected.timestamp());
    }

    private static List<RecordedEvent> readAll(EventStore store) {
        List<RecordedEvent> all = new ArrayList<>();
        long from = 0;
        while (true) {
            List<RecordedEvent> page = store.readAll(ReadOptions.from(from, Direction.FORWARD).withMaxEvents(1000))
                    .events();
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            from = page.get(page.size() - 1).position() + 1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** An acknowledged event; {@code position} is -1 when the dialect does not say (GoRewind). */
    private record Acked(UUID id, byte[] data, long position) {
    }

    /** The acknowledged events of every writer, in the order they were acknowledged. */
    private static final class Acknowledged {
        final Map<String, List<Acked>> byStream = new ConcurrentHashMap<>();
        final AtomicLong count = new AtomicLong();

        void add(String stream, EventData event, AppendResult result) {
            byStream.computeIfAbsent(stream, s -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add(new Acked(event.id(), event.data(), result.firstPosition()));
            count.incrementAndGet();
        }

        final AtomicLong legacy = new AtomicLong();

        void addLegacy(String stream, UUID id, byte[] data) {
            byStream.computeIfAbsent(stream, s -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add(new Acked(id, data, -1));
            count.incrementAndGet();
            legacy.incrementAndGet();
        }
    }
}
