package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.CorruptionException;
import io.rewind.api.Direction;
import io.rewind.api.RecordedEvent;
import io.rewind.log.crash.CrashWriter;
import io.rewind.testkit.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acceptance test of "acknowledged data is never cut": a writer process is SIGKILLed after
 * it saw appends acknowledged; then, for each of the last acknowledged records (none of them
 * covered by an index file), on a copy of the directory, one byte of that record is flipped and
 * the log reopened. Every case must refuse to open with a {@link CorruptionException} naming the
 * file and the record's offset, and change no file. The same directory as the kill left it, and
 * with a half-written batch after its end, still opens with every acknowledged event. The random
 * seed (which byte of each record is flipped) is logged.
 *
 * <p>Killed while idle, the newest acknowledged append is the last record on disk: nothing valid
 * follows it, so only the durable-end checkpoint tells its damage from a torn write (without it,
 * recovery cut it). Killed under load, records the writer had not acknowledged yet follow.
 */
class AcknowledgedDamageAfterKillTest {

    private static final Logger LOG = LoggerFactory.getLogger(AcknowledgedDamageAfterKillTest.class);
    /** How many of the newest acknowledged records are damaged, each in its own copy. */
    private static final int DAMAGED_RECORDS = 24;
    private static final int ACKS_BEFORE_KILL = 400;
    private static final int SEGMENT_SIZE = 256 * 1024; // as CrashWriter opens the log

    @TempDir
    Path root;

    /** One record on disk. */
    private record Record(Path segment, long offset, int size, long position, UUID id) {
    }

    @Test
    void killedWhileIdleDamageToAnyOfTheLastAcknowledgedRecordsRefusesToOpenAndNothingIsCut() throws Exception {
        Path killed = root.resolve("killed-idle");
        Set<UUID> acknowledged = runWriterAndKill(killed, true);
        List<Record> records = records(killed);
        assertThat(acknowledged).as("the last record on disk was acknowledged")
                .contains(records.get(records.size() - 1).id());
        damageEachOfTheLastAcknowledged(killed, acknowledged, records);
    }

    @Test
    void killedUnderLoadDamageToAnyOfTheLastAcknowledgedRecordsRefusesToOpenAndNothingIsCut() throws Exception {
        Path killed = root.resolve("killed-busy");
        Set<UUID> acknowledged = runWriterAndKill(killed, false);
        damageEachOfTheLastAcknowledged(killed, acknowledged, records(killed));
    }

    private void damageEachOfTheLastAcknowledged(Path killed, Set<UUID> acknowledged, List<Record> records)
            throws IOException {
        assertThat(Fixtures.filesEndingWith(killed, IndexGeneration.SUFFIX)).as("no index file covers the records")
                .isEmpty();
        List<Record> lastAcknowledged = new ArrayList<>();
        for (int i = records.size() - 1; i >= 0 && lastAcknowledged.size() < DAMAGED_RECORDS; i--) {
            if (acknowledged.contains(records.get(i).id())) {
                lastAcknowledged.add(records.get(i));
            }
        }
        assertThat(lastAcknowledged).hasSize(DAMAGED_RECORDS);

        long seed = System.nanoTime();
        LOG.info("acknowledged-damage test seed {}: {} acknowledged, {} records on disk", seed, acknowledged.size(),
                records.size());
        Random random = new Random(seed);
        for (int i = 0; i < lastAcknowledged.size(); i++) {
            Record record = lastAcknowledged.get(i);
            Path copy = Fixtures.crashCopy(killed, root.resolve(killed.getFileName() + "-damaged-" + i));
            Path segment = copy.resolve(record.segment().getFileName());
            long flipped = record.offset() + random.nextInt(record.size());
            Fixtures.flipByte(segment, flipped);
            Map<String, String> before = Fixtures.snapshot(copy);

            assertThatThrownBy(() -> LogEventStore.open(LogConfig.builder(copy).segmentSize(SEGMENT_SIZE).build()))
                    .as("position %d (byte %d of the record at offset %d), seed %d", record.position(),
                            flipped - record.offset(), record.offset(), seed)
                    .isInstanceOf(CorruptionException.class)
                    .hasMessageContaining(segment.toString())
                    .hasMessageContaining("offset " + record.offset());
            assertThat(Fixtures.snapshot(copy)).as("a refused open changes nothing (seed %d)", seed).isEqualTo(before);
        }

        // Undamaged, the killed directory opens with every acknowledged event; so does it with a
        // never-acknowledged, half-written batch after its end, which is cut as a torn tail.
        assertHoldsEveryAcknowledged(Fixtures.crashCopy(killed, root.resolve(killed.getFileName() + "-as-killed")),
                acknowledged);
        Path torn = Fixtures.crashCopy(killed, root.resolve(killed.getFileName() + "-torn"));
        Record last = records.get(records.size() - 1);
        Path lastSegment = torn.resolve(last.segment().getFileName());
        byte[] halfRecord = Files.readAllBytes(last.segment());
        Files.write(lastSegment, java.util.Arrays.copyOfRange(halfRecord, (int) last.offset(),
                (int) (last.offset() + last.size() / 2)), StandardOpenOption.APPEND);
        assertHoldsEveryAcknowledged(torn, acknowledged);
        assertThat(Fixtures.filesContaining(torn, ".torn-")).hasSize(1);
    }

    private static void assertHoldsEveryAcknowledged(Path directory, Set<UUID> acknowledged) {
        try (LogEventStore store = LogEventStore.open(LogConfig.builder(directory).segmentSize(SEGMENT_SIZE).build())) {
            Set<UUID> stored = new HashSet<>();
            for (long from = 0; ; ) {
                List<RecordedEvent> page = store.readAll(from, Direction.FORWARD, 1000);
                if (page.isEmpty()) {
                    break;
                }
                page.forEach(event -> stored.add(event.id()));
                from = page.get(page.size() - 1).position() + 1;
            }
            assertThat(stored).containsAll(acknowledged);
        }
    }

    /**
     * Runs {@link CrashWriter} until it printed enough acknowledgements (or, {@code idle}, until it
     * made its appends and waits), SIGKILLs it, returns the acknowledged ids.
     */
    private static Set<UUID> runWriterAndKill(Path directory, boolean idle) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), directory.toString(), "1", "4", "60"));
        if (idle) {
            command.add(Integer.toString(ACKS_BEFORE_KILL / 4));
        }
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                LOG.debug("writer output closed: {}", e.toString());
            }
        }, "acknowledged-damage-output");
        reader.setDaemon(true);
        reader.start();
        try {
            Await.until(() -> (idle ? lines.contains("IDLE") : lines.size() > ACKS_BEFORE_KILL) || !process.isAlive(),
                    Duration.ofSeconds(60), () -> "the writer printed " + (idle ? "IDLE" : ACKS_BEFORE_KILL
                            + " acknowledgements") + " (" + lines.size() + " lines so far)");
            assertThat(process.isAlive()).as("the writer is still running when it is killed").isTrue();
        } finally {
            process.destroyForcibly(); // SIGKILL
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("killed writer exited").isTrue();
            reader.join(30_000);
        }
        Set<UUID> acknowledged = new HashSet<>();
        for (String line : lines) {
            if (line.startsWith("ACK ") && line.endsWith(" .")) { // a line the kill cut short is ignored
                acknowledged.add(UUID.fromString(line.split(" ")[4]));
            }
        }
        return acknowledged;
    }

    /** Every valid record of the directory's segments, in order. */
    private static List<Record> records(Path directory) {
        List<Record> records = new ArrayList<>();
        try {
            for (Path segment : Fixtures.filesEndingWith(directory, Segment.SUFFIX)) {
                ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
                for (long offset : Fixtures.recordOffsets(segment)) {
                    int at = (int) offset;
                    if (RecordCodec.check(bytes, at, bytes.limit(), new java.util.zip.CRC32C())
                            != RecordCodec.Check.VALID) {
                        break; // what the kill left half-written
                    }
                    records.add(new Record(segment, offset, RecordCodec.totalSize(bytes, at),
                            RecordCodec.position(bytes, at),
                            new UUID(RecordCodec.idMost(bytes, at), RecordCodec.idLeast(bytes, at))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return records;
    }
}
