package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.RecordedEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LogEventStore#readAppends} and {@link LogEventStore#appendRecorded}: a log copied append
 * by append is the same log, record for record and byte for byte; an append is never split.
 */
class RecordedAppendTest {

    @TempDir
    Path directory;

    private LogConfig config(String name) {
        // Small segments, so that the copy rolls segments too.
        return LogConfig.builder(directory.resolve(name)).segmentSize(64 * 1024).build();
    }

    /** Appends of 1 to 7 events over several streams, with refused ones among them. */
    private static void fill(LogEventStore store, int appends) {
        for (int i = 0; i < appends; i++) {
            int size = 1 + i % 7;
            List<EventData> events = new ArrayList<>();
            for (int e = 0; e < size; e++) {
                events.add(EventData.of(UUID.randomUUID(), "type-" + (e % 3), new byte[100 + (i * 31 + e) % 300])
                        .withMetadata(new byte[] {(byte) i, (byte) e}));
            }
            AppendRequest.Builder request = AppendRequest.builder().append("s-" + (i % 5), ExpectedVersion.any(),
                    events.subList(0, (size + 1) / 2));
            if (size > 1) {
                request.append("t-" + (i % 3), ExpectedVersion.any(), events.subList((size + 1) / 2, size));
            }
            store.append(request.build());
            if (i % 10 == 3) {
                assertThatThrownBy(() -> store.append(AppendRequest.to("s-0", ExpectedVersion.exactly(10_000),
                        EventData.of(UUID.randomUUID(), "refused", new byte[1]))))
                        .isInstanceOf(EventStoreException.class);
            }
        }
    }

    private static AppendResult appendRecorded(LogEventStore store, RecordedAppend append) {
        CompletableFuture<AppendResult> outcome = new CompletableFuture<>();
        store.appendRecorded(append, (result, error) -> {
            if (error != null) {
                outcome.completeExceptionally(error);
            } else {
                outcome.complete(result);
            }
        });
        try {
            return outcome.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the recorded append did not complete", e);
        }
    }

    private static List<RecordedEvent> all(LogEventStore store) {
        return store.readAll(0, Direction.FORWARD, io.rewind.api.Limits.MAX_READ_LIMIT);
    }

    private static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")
                    || f.getFileName().toString().endsWith(".seg")).sorted().toList();
        }
    }

    @Test
    void aLogCopiedAppendByAppendIsTheSameLogByteForByte() throws IOException {
        List<List<Long>> pageEnds = new ArrayList<>();
        try (LogEventStore source = LogEventStore.open(config("source"));
                LogEventStore copy = LogEventStore.open(config("copy"))) {
            fill(source, 300);
            long end = source.headPosition() + 1;
            long next = 0;
            int pages = 0;
            while (next < end) {
                // A budget smaller than most appends: each page still ends at the end of an append.
                List<RecordedAppend> page = source.readAppends(next, end, 900);
                assertThat(page).isNotEmpty();
                List<Long> ends = new ArrayList<>();
                for (RecordedAppend append : page) {
                    assertThat(append.firstPosition()).isEqualTo(next);
                    AppendResult result = appendRecorded(copy, append);
                    assertThat(result.firstPosition()).isEqualTo(append.firstPosition());
                    assertThat(result.lastPosition()).isEqualTo(append.lastPosition());
                    next = append.lastPosition() + 1;
                    ends.add(append.lastPosition());
                }
                pageEnds.add(ends);
                pages++;
            }
            assertThat(pages).isGreaterThan(100);
            assertThat(all(copy)).hasSize((int) end).isEqualTo(all(source));
            assertThat(copy.headPosition()).isEqualTo(source.headPosition());
        }
        // The same appends, in the same order, with the same fields and append boundaries: the
        // segment files are the same bytes (after both stores closed).
        List<Path> sourceSegments = segments(directory.resolve("source"));
        List<Path> copySegments = segments(directory.resolve("copy"));
        assertThat(sourceSegments).hasSizeGreaterThan(1);
        assertThat(copySegments.stream().map(p -> p.getFileName().toString()))
                .containsExactlyElementsOf(sourceSegments.stream().map(p -> p.getFileName().toString()).toList());
        for (int i = 0; i < sourceSegments.size(); i++) {
            assertThat(Files.readAllBytes(copySegments.get(i))).as(copySegments.get(i).toString())
                    .isEqualTo(Files.readAllBytes(sourceSegments.get(i)));
        }
        // Reopened (recovery reads the COMMIT flags), the copy is whole, indexed and idempotent.
        try (LogEventStore source = LogEventStore.open(config("source"));
                LogEventStore copy = LogEventStore.open(config("copy"))) {
            assertThat(all(copy)).isEqualTo(all(source));
            RecordedEvent some = all(source).get(777);
            assertThat(copy.readEvent(some.id())).contains(some);
            assertThat(copy.readStream(some.stream(), io.rewind.api.ReadOptions.from(0, Direction.FORWARD)).events())
                    .isEqualTo(source.readStream(some.stream(), io.rewind.api.ReadOptions.from(0, Direction.FORWARD))
                            .events());
            // A retry of a copied append (same ids) is answered with the original positions.
            AppendResult retried = copy.append(AppendRequest.to(some.stream(), ExpectedVersion.any(),
                    new EventData(some.id(), some.type(), some.data(), some.metadata())));
            assertThat(retried.firstPosition()).isEqualTo(some.position());
            assertThat(copy.headPosition()).isEqualTo(source.headPosition());
        }
    }

    @Test
    void aPageNeverEndsInsideAnAppendAndNeverStartsInsideOne() {
        try (LogEventStore source = LogEventStore.open(config("source"))) {
            List<EventData> seven = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                seven.add(EventData.of(UUID.randomUUID(), "t", new byte[500]));
            }
            source.append(AppendRequest.to("one", ExpectedVersion.any(), EventData.of(UUID.randomUUID(), "t", new byte[1])));
            source.append(AppendRequest.to("seven", ExpectedVersion.any(), seven));
            source.append(AppendRequest.to("one", ExpectedVersion.any(), EventData.of(UUID.randomUUID(), "t", new byte[1])));
            // A budget of 1 byte: each page is one whole append, the seven-event one included.
            List<RecordedAppend> first = source.readAppends(0, 100, 1);
            assertThat(first).hasSize(1);
            assertThat(first.get(0).size()).isEqualTo(1);
            List<RecordedAppend> second = source.readAppends(1, 100, 1);
            assertThat(second).hasSize(1);
            assertThat(second.get(0).size()).isEqualTo(7);
            assertThat(second.get(0).firstPosition()).isEqualTo(1);
            assertThat(second.get(0).lastPosition()).isEqualTo(7);
            // A budget that ends in the middle of the seven: the page stops before them.
            List<RecordedAppend> cut = source.readAppends(0, 100, 1200);
            assertThat(cut).hasSize(1);
            // An end inside the seven leaves them out whole.
            assertThat(source.readAppends(0, 5, 1_000_000)).hasSize(1);
            assertThat(source.readAppends(1, 5, 1_000_000)).isEmpty();
            assertThat(source.readAppends(0, 100, 1_000_000)).extracting(RecordedAppend::size).containsExactly(1, 7, 1);
            assertThatThrownBy(() -> source.readAppends(3, 100, 1_000_000))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("inside an append");
            assertThat(source.readAppends(9, 100, 1_000_000)).isEmpty();
        }
    }

    @Test
    void aRecordedAppendThatDoesNotContinueTheLogExactlyIsRefusedWhole() {
        try (LogEventStore source = LogEventStore.open(config("source"));
                LogEventStore copy = LogEventStore.open(config("copy"))) {
            fill(source, 6);
            List<RecordedAppend> appends = source.readAppends(0, Long.MAX_VALUE, Long.MAX_VALUE);
            appendRecorded(copy, appends.get(0));
            long head = copy.headPosition();
            // A gap: the third append before the second.
            assertThatThrownBy(() -> appendRecorded(copy, appends.get(2)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("next position " + (head + 1));
            // The first again: its position is taken.
            assertThatThrownBy(() -> appendRecorded(copy, appends.get(0)))
                    .isInstanceOf(InvalidRequestException.class);
            RecordedAppend second = appends.get(1);
            List<RecordedEvent> events = second.events();
            assertThat(events).hasSizeGreaterThan(1);
            // Its last event with a wrong version: nothing of it is written.
            List<RecordedEvent> badVersion = new ArrayList<>(events);
            RecordedEvent last = events.get(events.size() - 1);
            badVersion.set(events.size() - 1, new RecordedEvent(last.stream(), last.version() + 5, last.position(),
                    last.id(), last.type(), last.timestamp(), last.data(), last.metadata()));
            assertThatThrownBy(() -> appendRecorded(copy, new RecordedAppend(badVersion)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("version");
            // Its last event with an id stored already.
            RecordedEvent stored = appends.get(0).events().get(0);
            List<RecordedEvent> badId = new ArrayList<>(events);
            badId.set(events.size() - 1, new RecordedEvent(last.stream(), last.version(), last.position(),
                    stored.id(), last.type(), last.timestamp(), last.data(), last.metadata()));
            assertThatThrownBy(() -> appendRecorded(copy, new RecordedAppend(badId)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("stored already");
            // A timestamp before the last one stored.
            List<RecordedEvent> early = new ArrayList<>();
            for (RecordedEvent e : events) {
                early.add(new RecordedEvent(e.stream(), e.version(), e.position(), e.id(), e.type(),
                        Instant.EPOCH, e.data(), e.metadata()));
            }
            assertThatThrownBy(() -> appendRecorded(copy, new RecordedAppend(early)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("timestamp");
            assertThat(copy.headPosition()).isEqualTo(head);
            // The real one still goes in, and the rest after it.
            for (int i = 1; i < appends.size(); i++) {
                appendRecorded(copy, appends.get(i));
            }
            assertThat(all(copy)).isEqualTo(all(source));
        }
    }

    @Test
    void forceCompletesUnderEveryDurabilityAndForcesWhatWasWritten() {
        TestFileIO io = new TestFileIO();
        try (LogEventStore store = LogEventStore.open(LogConfig.builder(directory.resolve("never"))
                .durability(Durability.NEVER).fileIO(io).build())) {
            store.append(AppendRequest.to("s", ExpectedVersion.any(), EventData.of("t", new byte[10])));
            int before = io.segmentForces.get();
            assertThat(store.force()).succeedsWithin(Duration.ofSeconds(30));
            assertThat(io.segmentForces.get()).isGreaterThan(before);
            int after = io.segmentForces.get();
            // Nothing new written: nothing to force.
            assertThat(store.force()).succeedsWithin(Duration.ofSeconds(30));
            assertThat(io.segmentForces.get()).isEqualTo(after);
        }
    }
}
