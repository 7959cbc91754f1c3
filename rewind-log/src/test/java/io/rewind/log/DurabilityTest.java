package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.log.io.FileIO;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each durability mode does before an acknowledgement, observed through the I/O interface. */
class DurabilityTest {

    @TempDir
    Path directory;
    private final TestFileIO io = new TestFileIO();

    private LogEventStore open(Durability durability) {
        return LogEventStore.open(LogConfig.builder(directory).fileIO(io).durability(durability).build());
    }

    private static AppendRequest append(int n) {
        return AppendRequest.to("s", ExpectedVersion.any(), Fixtures.event(n));
    }

    @Test
    void alwaysForcesBeforeTheAcknowledgement() {
        try (LogEventStore store = open(Durability.ALWAYS)) {
            for (int i = 0; i < 5; i++) {
                int before = io.segmentForces.get();
                int atAcknowledgement = store.appendAsync(append(i)).thenApply(result -> io.segmentForces.get()).join();
                assertThat(atAcknowledgement).isGreaterThan(before);
            }
        }
    }

    @Test
    void theDurableEndIsWrittenBeforeEveryAcknowledgementAndForcedOnceTheWriterIsIdle() throws Exception {
        try (LogEventStore store = open(Durability.ALWAYS)) {
            for (int i = 0; i < 5; i++) {
                store.append(append(i));
                // Written (to the OS at least) before append returned: a process crash now keeps it.
                assertThat(DurableEnd.read(FileIO.real(), directory).nextPosition()).isEqualTo(i + 1);
            }
            // While busy its forces are coalesced; once idle, the writer forces the last one.
            Conditions.await(() -> io.forcedDurableEnd != null && io.forcedDurableEnd.nextPosition() == 5,
                    "the checkpoint forced with position 5");
        }
    }

    @Test
    void neverAcknowledgesWithoutForcingAndForcesOnClose() {
        LogEventStore store = open(Durability.NEVER);
        int before = io.segmentForces.get();
        for (int i = 0; i < 5; i++) {
            store.append(append(i));
        }
        assertThat(io.segmentForces.get()).isEqualTo(before);
        assertThat(store.readAll(0, Direction.FORWARD, 10)).hasSize(5);
        store.close();
        assertThat(io.segmentForces.get()).isGreaterThan(before);
        try (LogEventStore reopened = open(Durability.NEVER)) {
            assertThat(reopened.headPosition()).isEqualTo(4);
        }
    }

    @Test
    void intervalAcknowledgesBeforeTheForceIsDue() {
        try (LogEventStore store = open(Durability.interval(Duration.ofHours(1)))) {
            store.append(append(0));
            store.append(append(1));
            assertThat(io.segmentForces.get()).isZero();
            assertThat(store.readAll(0, Direction.FORWARD, 10)).hasSize(2);
        }
        assertThat(io.segmentForces.get()).isPositive(); // close forces
    }

    @Test
    void intervalForcesOnItsOwnWithoutFurtherAppends() {
        try (LogEventStore store = open(Durability.interval(Duration.ofMillis(200)))) {
            store.append(append(0));
            Conditions.await(() -> io.segmentForces.get() > 0, "the writer's interval force");
        }
    }

    @Test
    void appendsQueuedDuringAForceShareTheNextForce() throws Exception {
        try (LogEventStore store = open(Durability.ALWAYS)) {
            io.resetCounters();
            CountDownLatch forcing = io.holdNextForce();
            CompletableFuture<AppendResult> first = store.appendAsync(append(0));
            assertThat(forcing.await(10, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<AppendResult>> queued = new ArrayList<>();
            for (int i = 1; i <= 50; i++) {
                queued.add(store.appendAsync(append(i)));
            }
            io.releaseForce();
            EventStore.await(first);
            for (CompletableFuture<AppendResult> future : queued) {
                EventStore.await(future);
            }
            assertThat(io.segmentForces.get()).isEqualTo(2); // one group commit for the 50 queued appends
            assertThat(store.headPosition()).isEqualTo(50);
        }
    }
}
