package io.rewind.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.WrongExpectedVersionException;
import io.rewind.memory.MemoryEventStore;
import io.rewind.testkit.Await;
import io.rewind.testkit.ForwardingEventStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A deposed leader's late state write. On a cluster, a group service whose node lost the
 * leadership is closed without writing, but a checkpoint write it had made is still retried by its
 * node's Raft client and can commit after the new leader's service started. The service appends
 * its state at the versions it last wrote or read, so such a write is refused once the new service
 * has written (the stored checkpoint never moves back past it), and a new service whose own write
 * meets one that landed first writes its state over it. With the fence at open (a cluster leader's
 * service), the new service's first write is at its opening, so a late write is refused from then
 * on, and one that lands between its read and its fence is read at a second attempt.
 */
class LateStateWriteTest {

    /** Holds back the state writes of the old service while {@code holding}: "outcome unknown". */
    private static final class DeposedStore extends ForwardingEventStore {
        final LinkedBlockingQueue<AppendRequest> held = new LinkedBlockingQueue<>();
        volatile boolean holding;

        DeposedStore(EventStore delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<AppendResult> appendAsync(AppendRequest request) {
            boolean state = request.appends().stream().anyMatch(a -> a.stream().equals(GroupRecords.checkpointStream("g"))
                    || a.stream().equals(GroupRecords.parkedStream("g")));
            if (holding && state) {
                held.add(request);
                return CompletableFuture.failedFuture(new StoreUnavailableException("the node lost the leadership"
                        + " while this append was under way: it may or may not have been stored (test)"));
            }
            return super.appendAsync(request);
        }
    }

    private static final GroupServiceOptions OPTIONS = GroupServiceOptions.defaults()
            .withFlushInterval(Duration.ofMillis(5));
    private static final GroupSettings SETTINGS =
            new GroupSettings(10, Duration.ofSeconds(60), 0, Duration.ZERO, Strategy.ROUND_ROBIN);

    private MemoryEventStore memory;
    private DeposedStore deposed;
    private long a;
    private long b;
    private long c;

    @BeforeEach
    void deposeALeaderWithACheckpointWriteUnderWay() {
        memory = MemoryEventStore.create();
        deposed = new DeposedStore(memory);
        GroupService old = GroupService.open(deposed, OPTIONS);
        old.create("g", SETTINGS, GroupFilter.allStreams(), GroupStart.beginning());
        // One append: no state write of the group's can land between them.
        List<AppendResult.Written> written = memory.append("s", ExpectedVersion.any(), EventData.of("A", bytes("a")),
                EventData.of("B", bytes("b")), EventData.of("C", bytes("c"))).events();
        a = written.get(0).position();
        b = written.get(1).position();
        c = written.get(2).position();
        GroupServiceContract.Recorder consumer = new GroupServiceContract.Recorder();
        old.join("g", "old-consumer", consumer);
        List<Delivery> deliveries = consumer.next(3);
        old.ack("g", "old-consumer", deliveries.get(0).id());
        Await.until(() -> old.describe("g").durableCheckpoint() == a, Await.DEFAULT_TIMEOUT,
                () -> "the old service writes checkpoint " + a + "; " + old.describe("g"));
        // The leadership is lost while the next checkpoint write is under way.
        deposed.holding = true;
        old.ack("g", "old-consumer", deliveries.get(1).id());
        Await.until(() -> !deposed.held.isEmpty(), Await.DEFAULT_TIMEOUT, "the old service's write of checkpoint " + b);
        old.closeWithoutWriting("its node is no longer the leader (test)");
    }

    @AfterEach
    void closeTheStore() {
        memory.close();
    }

    @Test
    void aLateWriteThatArrivesAfterTheNewServiceWroteIsRefused() {
        AppendRequest late = deposed.held.peek();
        try (GroupService now = GroupService.open(memory, OPTIONS)) {
            assertThat(now.describe("g").checkpoint()).isEqualTo(a);
            ackEverything(now);
            Await.until(() -> now.describe("g").durableCheckpoint() == c, Await.DEFAULT_TIMEOUT,
                    () -> "the new service writes checkpoint " + c + "; " + now.describe("g"));
            // The Raft client's retry of the old write commits only now.
            assertThatThrownBy(() -> memory.append(late)).isInstanceOf(WrongExpectedVersionException.class);
            assertThat(storedCheckpoint()).as("the stored checkpoint after the late write").isEqualTo(c);
        }
        try (GroupService again = GroupService.open(memory, OPTIONS)) {
            assertThat(again.describe("g").checkpoint()).as("where a restart resumes").isEqualTo(c);
        }
    }

    @Test
    void aLateWriteThatLandsBeforeTheNewServiceWroteIsWrittenOver() {
        AppendRequest late = deposed.held.peek();
        try (GroupService now = GroupService.open(memory, OPTIONS)) {
            assertThat(now.describe("g").checkpoint()).isEqualTo(a);
            // The retry commits after the new service read the group, before it wrote anything:
            // it says nothing false (every event up to b was acknowledged on the old leader).
            memory.append(late);
            assertThat(storedCheckpoint()).as("the stored checkpoint after the late write (a=%d, b=%d, c=%d): %s",
                    a, b, c, late).isEqualTo(b);
            ackEverything(now);
            // Its first write expects the version it read and is refused; it reads the versions
            // again and writes its own state over.
            Await.until(() -> storedCheckpoint() == c && now.describe("g").durableCheckpoint() == c,
                    Await.DEFAULT_TIMEOUT, () -> "the new service's checkpoint " + c + " stored over the late one ("
                            + storedCheckpoint() + " stored); " + now.describe("g"));
        }
        try (GroupService again = GroupService.open(memory, OPTIONS)) {
            assertThat(again.describe("g").checkpoint()).as("where a restart resumes").isEqualTo(c);
        }
    }

    @Test
    void withTheFenceALateWriteThatArrivesAfterTheNewServiceOpenedIsRefused() {
        AppendRequest late = deposed.held.peek();
        try (GroupService now = GroupService.open(memory, OPTIONS.withFenceOnOpen(true))) {
            assertThat(now.describe("g").checkpoint()).isEqualTo(a);
            assertThat(storedCheckpoint()).as("the fence: the checkpoint as read, written again").isEqualTo(a);
            // The retry commits before the new service acknowledged anything: refused all the same.
            assertThatThrownBy(() -> memory.append(late)).isInstanceOf(WrongExpectedVersionException.class);
            assertThat(storedCheckpoint()).as("the stored checkpoint after the late write").isEqualTo(a);
            ackEverything(now);
            Await.until(() -> now.describe("g").durableCheckpoint() == c && storedCheckpoint() == c,
                    Await.DEFAULT_TIMEOUT, () -> "the new service writes checkpoint " + c + "; " + now.describe("g"));
        }
    }

    @Test
    void withTheFenceALateWriteThatLandsWhileTheNewServiceOpensIsReadAtASecondAttempt() {
        AppendRequest late = deposed.held.peek();
        // The late write commits just before the new service's fence: after its read.
        EventStore racing = new ForwardingEventStore(memory) {
            private boolean landed;

            @Override
            public CompletableFuture<AppendResult> appendAsync(AppendRequest request) {
                if (!landed) {
                    landed = true;
                    memory.append(late);
                }
                return super.appendAsync(request);
            }
        };
        try (GroupService now = GroupService.open(racing, OPTIONS.withFenceOnOpen(true))) {
            assertThat(now.describe("g").checkpoint()).as("read again: the late write said b was settled")
                    .isEqualTo(b);
            assertThat(storedCheckpoint()).isEqualTo(b);
            GroupServiceContract.Recorder consumer = new GroupServiceContract.Recorder();
            now.join("g", "new-consumer", consumer);
            Delivery only = consumer.next(1).get(0);
            assertThat(only.event().position()).as("only c comes again").isEqualTo(c);
            now.ack("g", "new-consumer", only.id());
            Await.until(() -> storedCheckpoint() == c, Await.DEFAULT_TIMEOUT, () -> "checkpoint " + c + " stored; "
                    + now.describe("g"));
        }
    }

    /**
     * A late write that only parks (the checkpoint did not move) appends nothing to the checkpoint
     * stream; it depends on that stream's version all the same, so the fence refuses it too.
     */
    @Test
    void withTheFenceALateWriteThatOnlyParksIsRefused() {
        try (MemoryEventStore store = MemoryEventStore.create()) {
            DeposedStore parking = new DeposedStore(store);
            GroupService old = GroupService.open(parking, OPTIONS);
            old.create("g", SETTINGS, GroupFilter.allStreams(), GroupStart.beginning());
            store.append("s", ExpectedVersion.any(), EventData.of("A", bytes("a")), EventData.of("B", bytes("b")));
            GroupServiceContract.Recorder consumer = new GroupServiceContract.Recorder();
            old.join("g", "old-consumer", consumer);
            List<Delivery> deliveries = consumer.next(2);
            // Whatever checkpoint the scan of the group's own records moved to is written before the hold.
            Await.until(() -> {
                old.flush();
                return old.describe("g").durableCheckpoint() == old.describe("g").checkpoint();
            }, Await.DEFAULT_TIMEOUT, () -> "the old service's checkpoint written: " + old.describe("g"));
            parking.holding = true;
            // B parked while A is still in flight: the checkpoint stays before A, the write only parks.
            old.nack("g", "old-consumer", deliveries.get(1).id(), NackAction.PARK, "test");
            Await.until(() -> !parking.held.isEmpty(), Await.DEFAULT_TIMEOUT, "the old service's parked write");
            AppendRequest late = parking.held.peek();
            assertThat(late.appends()).as("the late write appends only to the parked stream: %s", late)
                    .allMatch(a -> a.stream().equals(GroupRecords.parkedStream("g")));
            old.closeWithoutWriting("its node is no longer the leader (test)");
            try (GroupService now = GroupService.open(store, OPTIONS.withFenceOnOpen(true))) {
                assertThatThrownBy(() -> store.append(late)).isInstanceOf(WrongExpectedVersionException.class);
                assertThat(now.parked("g")).as("nothing parked by the late write").isEmpty();
            }
            try (GroupService again = GroupService.open(store, OPTIONS)) {
                assertThat(again.parked("g")).as("nothing parked after a restart either").isEmpty();
            }
        }
    }

    private static void ackEverything(GroupService service) {
        GroupServiceContract.Recorder consumer = new GroupServiceContract.Recorder();
        service.join("g", "new-consumer", consumer);
        // Redelivered from the durable checkpoint a: b and c.
        for (Delivery delivery : consumer.next(2)) {
            service.ack("g", "new-consumer", delivery.id());
        }
    }

    private long storedCheckpoint() {
        List<RecordedEvent> last = memory.readStream(GroupRecords.checkpointStream("g"),
                ReadOptions.from(EventStore.END, Direction.BACKWARD).withMaxEvents(1)).events();
        return last.isEmpty() ? -1 : GroupRecords.readCheckpoint(last.get(0))[1];
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
