package io.rewind.log.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.EventStore;
import io.rewind.api.RecordedEvent;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills a real writer process with SIGKILL at random moments, again and again on the same
 * directory, and after every kill reopens the log and checks that every event the writer saw
 * acknowledged is there exactly once, in order and byte-exact, that no stored event is corrupt,
 * and that no multi-event append is there only in part.
 *
 * <p>Some rounds kill the writer at a random moment after it is ready (mid-append, mid-fsync,
 * mid-roll); some kill it at a random moment after launch, which may be during recovery itself.
 * The random seed is logged so a failing run can be replayed.
 */
class CrashRecoveryTest {

    private static final Logger LOG = LoggerFactory.getLogger(CrashRecoveryTest.class);
    private static final int ROUNDS = 20;
    private static final int WRITER_THREADS = 8;
    private static final long WRITER_LIFETIME_SECONDS = 60;
    private static final long READY_TIMEOUT_MS = 30_000;

    @TempDir
    Path directory;

    /** One acknowledged event, as the writer printed it. */
    private record Ack(String stream, long version, long position, UUID id) {
    }

    @Test
    void everyAcknowledgedEventSurvivesRepeatedSigkill() throws Exception {
        long seed = System.nanoTime();
        LOG.info("crash test seed {}", seed);
        Random random = new Random(seed);
        Map<UUID, Ack> acknowledged = new HashMap<>();
        int killsDuringStartUp = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            boolean killEarly = round % 5 == 0;
            List<Ack> acks = runAndKill(round, killEarly, random);
            killsDuringStartUp += killEarly ? 1 : 0;
            for (Ack ack : acks) {
                Ack previous = acknowledged.put(ack.id(), ack);
                assertThat(previous).as("event %s acknowledged twice", ack.id()).isNull();
            }
            Verification result = verify(acknowledged);
            LOG.info("round {}: {} acknowledged this round, {} in all, {} stored; lost {}, duplicated {},"
                    + " corrupted {}, partial appends {}", round, acks.size(), acknowledged.size(), result.stored,
                    result.lost, result.duplicated, result.corrupted, result.partialAppends);
            assertThat(result.lost).as("lost acknowledged events (seed %d, round %d)", seed, round).isZero();
            assertThat(result.duplicated).as("duplicated events (seed %d, round %d)", seed, round).isZero();
            assertThat(result.corrupted).as("corrupted events (seed %d, round %d)", seed, round).isZero();
            assertThat(result.partialAppends).as("partly stored appends (seed %d, round %d)", seed, round).isZero();
        }
        assertThat(acknowledged).as("the writers acknowledged events at all").hasSizeGreaterThan(ROUNDS);
        assertThat(killsDuringStartUp).isPositive();
    }

    private List<Ack> runAndKill(int round, boolean killEarly, Random random) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), directory.toString(), Integer.toString(round),
                Integer.toString(WRITER_THREADS), Long.toString(WRITER_LIFETIME_SECONDS))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        OutputCollector output = new OutputCollector(process.getInputStream());
        output.start();
        try {
            // These sleeps choose the moment of the kill at random; nothing waits on them for a result.
            if (killEarly) {
                Thread.sleep(random.nextInt(800));
            } else {
                assertThat(output.awaitReady(READY_TIMEOUT_MS)).as("writer of round %d became ready", round).isTrue();
                Thread.sleep(50 + random.nextInt(450));
            }
        } finally {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("killed writer exited").isTrue();
            output.join(30_000);
        }
        return parseAcks(output.text());
    }

    private static List<Ack> parseAcks(String text) {
        List<Ack> acks = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            if (!line.startsWith("ACK ") || !line.endsWith(" .")) {
                continue; // READY, or the line the kill cut short: the writer never finished printing it
            }
            String[] fields = line.split(" ");
            acks.add(new Ack(fields[1], Long.parseLong(fields[2]), Long.parseLong(fields[3]),
                    UUID.fromString(fields[4])));
        }
        return acks;
    }

    private static final class Verification {
        long stored;
        long lost;
        long duplicated;
        long corrupted;
        long partialAppends;
    }

    private Verification verify(Map<UUID, Ack> acknowledged) {
        Verification result = new Verification();
        try (EventStore store = LogEventStore.open(LogConfig.builder(directory).segmentSize(256 * 1024).build())) {
            Set<UUID> seen = new HashSet<>();
            Map<String, Long> nextVersion = new HashMap<>();
            long expectedPosition = 0;
            long from = 0;
            while (true) {
                List<RecordedEvent> page = store.readAll(from, Direction.FORWARD, 1000);
                if (page.isEmpty()) {
                    break;
                }
                for (RecordedEvent event : page) {
                    result.stored++;
                    if (!seen.add(event.id())) {
                        result.duplicated++;
                    }
                    if (!CrashEvents.intact(event) || event.position() != expectedPosition) {
                        result.corrupted++;
                    }
                    long version = nextVersion.getOrDefault(event.stream(), 0L);
                    if (event.version() != version) {
                        result.corrupted++;
                    }
                    nextVersion.put(event.stream(), event.version() + 1);
                    expectedPosition = event.position() + 1;
                    Ack ack = acknowledged.get(event.id());
                    if (ack != null && !ack.equals(new Ack(event.stream(), event.version(), event.position(),
                            event.id()))) {
                        result.corrupted++;
                    }
                }
                from = page.get(page.size() - 1).position() + 1;
            }
            assertThat(store.headPosition()).isEqualTo(expectedPosition - 1);
            for (UUID id : acknowledged.keySet()) {
                if (!seen.contains(id)) {
                    result.lost++;
                }
            }
            for (UUID id : seen) {
                for (int member = 0; member < CrashEvents.groupSize(id); member++) {
                    if (!seen.contains(CrashEvents.sibling(id, member))) {
                        result.partialAppends++;
                    }
                }
            }
            for (Ack ack : acknowledged.values()) {
                Optional<RecordedEvent> byId = store.readEvent(ack.id());
                if (byId.isEmpty() || byId.get().position() != ack.position()) {
                    result.lost++;
                }
            }
        }
        return result;
    }

    /** Reads the writer's stdout on its own thread, so the writer never blocks on a full pipe. */
    private static final class OutputCollector extends Thread {
        private final InputStream input;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private volatile boolean ready;

        OutputCollector(InputStream input) {
            super("crash-output-collector");
            this.input = input;
            setDaemon(true);
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = input.read(buffer)) >= 0) {
                    synchronized (bytes) {
                        bytes.write(buffer, 0, n);
                        if (!ready && bytes.toString(StandardCharsets.US_ASCII).startsWith("READY\n")) {
                            ready = true;
                        }
                        bytes.notifyAll();
                    }
                }
            } catch (IOException e) {
                LOG.debug("writer output closed: {}", e.toString());
            }
        }

        boolean awaitReady(long timeoutMs) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMs;
            synchronized (bytes) {
                while (!ready && System.currentTimeMillis() < deadline) {
                    bytes.wait(Math.max(1, deadline - System.currentTimeMillis()));
                }
                return ready;
            }
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.US_ASCII);
            }
        }
    }
}
