package io.rewind.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.StreamInfo;
import io.rewind.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link GroupService} over a real store: groups, checkpoints and parked lists written to system
 * streams and read back after the service (and, where the store can, the store) restarts.
 */
abstract class GroupServiceContract {

    private static final GroupServiceOptions OPTIONS = GroupServiceOptions.defaults()
            .withFlushInterval(Duration.ofMillis(5));
    private static final GroupSettings SETTINGS = new GroupSettings(10, Duration.ofSeconds(60), 0, Duration.ZERO,
            Strategy.ROUND_ROBIN);

    private EventStore store;
    private GroupService service;

    /** A fresh, empty store. */
    abstract EventStore openStore();

    /** The same data after a restart: the old store closed and opened again (or kept, where it cannot be). */
    abstract EventStore restart(EventStore old);

    @BeforeEach
    void start() {
        store = openStore();
        service = GroupService.open(store, OPTIONS);
    }

    @AfterEach
    void stop() {
        service.close();
        store.close();
    }

    private void restartAll() {
        service.close();
        store = restart(store);
        service = GroupService.open(store, OPTIONS);
    }

    private long append(String stream, String type) {
        return store.append(stream, ExpectedVersion.any(), EventData.of(type, type.getBytes(StandardCharsets.UTF_8)))
                .lastPosition();
    }

    /** A consumer that records what it is given. */
    static class Recorder implements DeliverySink {
        final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        final BlockingQueue<String> closes = new LinkedBlockingQueue<>();

        @Override
        public void deliver(Delivery delivery) {
            deliveries.add(delivery);
        }

        @Override
        public void closed(String reason) {
            closes.add(reason);
        }

        Delivery next() {
            try {
                Delivery delivery = deliveries.poll(Await.DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(delivery).as("a delivery within %s", Await.DEFAULT_TIMEOUT).isNotNull();
                return delivery;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        List<Delivery> next(int count) {
            List<Delivery> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                out.add(next());
            }
            return out;
        }
    }

    private void awaitGroup(String group, Predicate<GroupInfo> condition, String what) {
        Await.until(() -> condition.test(service.describe(group)), Await.DEFAULT_TIMEOUT,
                () -> what + "; group is " + service.describe(group));
    }

    @Test
    void aGroupSurvivesARestartWithItsCheckpointAndParkedList() {
        service.create("orders", SETTINGS, GroupFilter.streamPrefix("order-"), GroupStart.beginning());
        long[] positions = new long[5];
        for (int i = 0; i < 5; i++) {
            positions[i] = append("order-" + i, "Placed");
            append("invoice-" + i, "Sent");
        }
        Recorder consumer = new Recorder();
        service.join("orders", "c1", consumer);
        List<Delivery> first = consumer.next(5);
        assertThat(first).extracting(d -> d.event().position()).containsExactly(positions[0], positions[1],
                positions[2], positions[3], positions[4]);
        service.ack("orders", "c1", first.get(0).id());
        service.ack("orders", "c1", first.get(1).id());
        service.nack("orders", "c1", first.get(2).id(), NackAction.PARK, "customer unknown");
        service.ack("orders", "c1", first.get(3).id());
        // first.get(4) stays unacknowledged: the checkpoint must stop below it.
        awaitGroup("orders", g -> g.durableCheckpoint() == positions[4] - 1, "the checkpoint is written below event 4");
        assertThat(service.describe("orders").checkpoint()).isEqualTo(positions[4] - 1);

        restartAll();
        assertThat(service.list()).containsExactly("orders");
        GroupInfo restored = service.describe("orders");
        assertThat(restored.checkpoint()).isEqualTo(positions[4] - 1);
        assertThat(restored.definition().filter()).isEqualTo(GroupFilter.streamPrefix("order-"));
        assertThat(restored.definition().settings()).isEqualTo(SETTINGS);
        assertThat(service.parked("orders")).singleElement().satisfies(p -> {
            assertThat(p.position()).isEqualTo(positions[2]);
            assertThat(p.event().stream()).isEqualTo("order-2");
            assertThat(p.reason()).isEqualTo("customer unknown");
        });

        Recorder again = new Recorder();
        service.join("orders", "c2", again);
        Delivery redelivered = again.next();
        assertThat(redelivered.event().position()).as("only the unacknowledged event comes again")
                .isEqualTo(positions[4]);
        awaitGroup("orders", g -> g.buffered() == 0 && g.inFlight() == 1, "nothing else is pending");
        service.ack("orders", "c2", redelivered.id());

        assertThat(service.replayParked("orders", positions[2]).reason()).isEqualTo("customer unknown");
        Delivery replay = again.next();
        assertThat(replay.replay()).isTrue();
        assertThat(replay.event().position()).isEqualTo(positions[2]);
        service.ack("orders", "c2", replay.id());
        long head = append("order-9", "Placed");
        Delivery last = again.next();
        service.ack("orders", "c2", last.id());
        awaitGroup("orders", g -> g.durableCheckpoint() >= head, "the checkpoint is written past the new event");

        restartAll();
        assertThat(service.parked("orders")).as("the replayed event left the parked list for good").isEmpty();
        assertThat(service.describe("orders").checkpoint()).isGreaterThanOrEqualTo(head);
        assertThat(store.listStreams("$rewind.", "", 100).streams()).extracting(StreamInfo::stream)
                .containsExactly("$rewind.checkpoint.orders", "$rewind.group.orders", "$rewind.parked.orders");
    }

    @Test
    void aParkedEventIsWrittenWithTheCheckpointThatPassesIt() {
        service.create("mail", SETTINGS, GroupFilter.allStreams(), GroupStart.beginning());
        long poison = append("user-1", "Registered");
        Recorder consumer = new Recorder();
        service.join("mail", "c", consumer);
        service.nack("mail", "c", consumer.next().id(), NackAction.RETRY, "smtp down");
        // max retries 0: the failed retry parks it at once, and the checkpoint passes it.
        awaitGroup("mail", g -> g.durableCheckpoint() == poison && g.parked() == 1, "parked and checkpointed");
        restartAll();
        assertThat(service.parked("mail")).singleElement().satisfies(p -> {
            assertThat(p.position()).isEqualTo(poison);
            assertThat(p.attempts()).isEqualTo(1);
            assertThat(p.reason()).contains("smtp down");
        });
        assertThat(service.describe("mail").checkpoint()).isEqualTo(poison);
    }

    @Test
    void aGroupStartedNowSkipsHistoryAndKeepsItsStartAcrossRestarts() {
        append("a", "Old");
        append("a", "Old");
        service.create("late", SETTINGS, GroupFilter.allStreams(), GroupStart.fromNow());
        restartAll();
        long fresh = append("a", "New");
        Recorder consumer = new Recorder();
        service.join("late", "c", consumer);
        Delivery delivery = consumer.next();
        assertThat(delivery.event().position()).isEqualTo(fresh);
        assertThat(delivery.event().type()).isEqualTo("New");
    }

    @Test
    void aDeletedGroupStaysDeletedAndANewOneOfTheSameNameStartsClean() {
        service.create("g", SETTINGS, GroupFilter.allStreams(), GroupStart.beginning());
        long first = append("s", "One");
        Recorder consumer = new Recorder();
        service.join("g", "c", consumer);
        service.ack("g", "c", consumer.next().id());
        awaitGroup("g", i -> i.durableCheckpoint() == first, "checkpointed");
        service.delete("g");
        assertThat(consumer.closes).containsExactly("group 'g' was deleted");
        assertThatThrownBy(() -> service.ack("g", "c", 1)).isInstanceOf(UnknownGroupException.class)
                .hasMessageContaining("no group named 'g'");

        restartAll();
        assertThat(service.list()).isEmpty();
        service.create("g", SETTINGS, GroupFilter.allStreams(), GroupStart.beginning());
        restartAll();
        Recorder fresh = new Recorder();
        service.join("g", "c", fresh);
        assertThat(fresh.next().event().position()).as("the old generation's checkpoint is not inherited")
                .isEqualTo(first);
    }

    @Test
    void badRequestsGetClearErrorsAndTheGroupKeepsServing() {
        service.create("g", SETTINGS, GroupFilter.allStreams(), GroupStart.beginning());
        assertThatThrownBy(() -> service.create("g", SETTINGS, GroupFilter.allStreams(), GroupStart.beginning()))
                .isInstanceOf(DuplicateGroupException.class).hasMessageContaining("group 'g' already exists");
        assertThatThrownBy(() -> service.create("no spaces", SETTINGS, GroupFilter.allStreams(),
                GroupStart.beginning())).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("'no spaces'");
        assertThatThrownBy(() -> service.describe("nope")).isInstanceOf(UnknownGroupException.class)
                .hasMessage("there is no group named 'nope'; groups: [g]");
        assertThatThrownBy(() -> GroupFilter.streamPrefix("$rewind.group.")).isInstanceOf(InvalidRequestException.class);

        Recorder a = new Recorder();
        Recorder b = new Recorder();
        service.join("g", "a", a);
        service.join("g", "b", b);
        assertThatThrownBy(() -> service.join("g", "a", a)).isInstanceOf(DuplicateConsumerException.class);
        append("s", "One");
        Delivery toA = a.next();
        assertThatThrownBy(() -> service.ack("g", "b", toA.id())).isInstanceOf(ForeignDeliveryException.class);
        assertThatThrownBy(() -> service.ack("g", "a", toA.id() + 100)).isInstanceOf(UnknownDeliveryException.class);
        assertThatThrownBy(() -> service.ack("g", "zed", toA.id())).isInstanceOf(UnknownConsumerException.class);
        service.ack("g", "a", toA.id());
        long second = append("s", "Two");
        assertThat(b.next().event().position()).as("round-robin: the next event goes to b").isEqualTo(second);
    }

    @Test
    void aConsumerThatNeverAcksLosesItsEventToAnotherAfterTheTimeout() {
        // Retries enough that, however late the second consumer joins on a loaded machine, the event
        // is still being retried (not parked) when it does.
        GroupSettings quick = SETTINGS.withAckTimeout(Duration.ofMillis(300)).withMaxRetries(1_000);
        service.create("g", quick, GroupFilter.allStreams(), GroupStart.beginning());
        Recorder silent = new Recorder();
        service.join("g", "silent", silent);
        long position = append("s", "One");
        Delivery ignored = silent.next();
        Recorder helpful = new Recorder();
        service.join("g", "helpful", helpful);
        Delivery retried = helpful.next();
        assertThat(retried.event().position()).isEqualTo(position);
        // Round-robin may hand the retry to the silent consumer again before the helpful one joins.
        assertThat(retried.attempt()).isGreaterThanOrEqualTo(2);
        assertThatThrownBy(() -> service.ack("g", "silent", ignored.id())).isInstanceOf(UnknownDeliveryException.class)
                .hasMessageContaining("expired");
        service.ack("g", "helpful", retried.id());
        awaitGroup("g", i -> i.checkpoint() == position, "the checkpoint passes the event");
    }

    @Test
    void aSinkMayAckFromInsideDeliverOnTheServiceThread() {
        service.create("inline", SETTINGS.withStrategy(Strategy.PINNED_BY_STREAM), GroupFilter.allStreams(),
                GroupStart.beginning());
        List<Long> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        service.join("inline", "c", delivery -> {
            seen.add(delivery.event().position());
            service.ack("inline", "c", delivery.id());
        });
        long last = -1;
        for (int i = 0; i < 20; i++) {
            last = append("s-" + (i % 3), "E");
        }
        long head = last;
        awaitGroup("inline", g -> g.checkpoint() == head && g.inFlight() == 0, "every event acked inline");
        assertThat(seen).hasSize(20).isSorted();
    }

    @Test
    void aSinkMayCloseTheServiceFromInsideDeliverAndTheStateIsWritten() {
        service.create("g", SETTINGS, GroupFilter.allStreams(), GroupStart.beginning());
        long first = append("s", "One");
        GroupService running = service;
        Recorder closer = new Recorder() {
            @Override
            public void deliver(Delivery delivery) {
                running.ack("g", "closer", delivery.id());
                running.close();
                super.deliver(delivery);
            }
        };
        service.join("g", "closer", closer);
        assertThat(closer.next().event().position()).isEqualTo(first);
        Await.until(() -> !closer.closes.isEmpty(), "the sink hears the service closed");
        assertThat(closer.closes).containsExactly("the group service closed");
        store = restart(store);
        service = GroupService.open(store, OPTIONS);
        assertThat(service.describe("g").checkpoint()).as("the ack before close was written").isEqualTo(first);
    }

    @Test
    void aSinkThatThrowsLeavesTheGroupAndItsEventGoesToAnother() {
        service.create("g", SETTINGS.withMaxRetries(2), GroupFilter.allStreams(), GroupStart.beginning());
        Recorder broken = new Recorder() {
            @Override
            public void deliver(Delivery delivery) {
                throw new IllegalStateException("socket gone");
            }
        };
        service.join("g", "broken", broken);
        append("s", "One");
        awaitGroup("g", i -> i.consumers().isEmpty(), "the broken consumer left");
        assertThat(broken.closes).singleElement().asString().contains("socket gone");
        Recorder good = new Recorder();
        service.join("g", "good", good);
        assertThat(good.next().attempt()).isEqualTo(2);
    }

    @Test
    void anUpdateAppliesAtOnceAndSurvivesARestartWithTheCheckpointAndParkedList() {
        GroupSettings two = SETTINGS.withMaxInFlightPerConsumer(2).withMaxRetries(3);
        service.create("up", two, GroupFilter.streamPrefix("order-"), GroupStart.beginning());
        long[] positions = new long[4];
        for (int i = 0; i < 4; i++) {
            positions[i] = append("order-" + i, "Placed");
        }
        Recorder consumer = new Recorder();
        service.join("up", "c", consumer);
        List<Delivery> first = consumer.next(2);
        awaitGroup("up", g -> g.inFlight() == 2 && g.buffered() == 2, "two out, two waiting");

        GroupSettings one = two.withMaxInFlightPerConsumer(1).withAckTimeout(Duration.ofSeconds(90));
        GroupDefinition updated = service.update("up", one);
        assertThat(updated.settings()).isEqualTo(one);
        assertThat(updated.filter()).isEqualTo(GroupFilter.streamPrefix("order-"));
        assertThat(service.describe("up").definition().settings()).isEqualTo(one);
        // A lower max in flight takes nothing back, and hands out nothing until the consumer holds fewer than 1.
        service.ack("up", "c", first.get(0).id());
        awaitGroup("up", g -> g.inFlight() == 1 && g.buffered() == 2, "one acked, none handed out");
        assertThat(consumer.deliveries).isEmpty();
        service.nack("up", "c", first.get(1).id(), NackAction.PARK, "bad order");
        Delivery third = consumer.next();
        assertThat(third.event().position()).isEqualTo(positions[2]);
        // Handed out after the first (60 s timeout) with the new 90 s one: at least 30 s later a deadline.
        assertThat(Duration.between(first.get(0).deadline(), third.deadline())).as("the new ack timeout applies to it")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(30));
        service.ack("up", "c", third.id());
        Delivery fourth = consumer.next();
        awaitGroup("up", g -> g.durableCheckpoint() == positions[3] - 1, "the checkpoint is written below event 3");

        restartAll();
        GroupInfo restored = service.describe("up");
        assertThat(restored.definition().settings()).as("the update was durable").isEqualTo(one);
        assertThat(restored.definition().filter()).isEqualTo(GroupFilter.streamPrefix("order-"));
        assertThat(restored.checkpoint()).as("the generation is the created one: the checkpoint is kept")
                .isEqualTo(positions[3] - 1);
        assertThat(service.parked("up")).extracting(ParkedEvent::position).containsExactly(positions[1]);
        Recorder again = new Recorder();
        service.join("up", "c", again);
        assertThat(again.next().event().position()).isEqualTo(fourth.event().position());

        // A second update on top of the first, then delete: the delete expects the newest definition version.
        GroupSettings later = one.withMaxRetries(7);
        service.update("up", current -> current.withMaxRetries(7));
        assertThat(service.describe("up").definition().settings()).isEqualTo(later);
        restartAll();
        assertThat(service.describe("up").definition().settings()).isEqualTo(later);
        service.delete("up");
        restartAll();
        assertThat(service.list()).isEmpty();
    }

    @Test
    void badUpdatesAreRefusedWithClearErrorsAndChangeNothing() {
        service.create("g", SETTINGS, GroupFilter.allStreams(), GroupStart.beginning());
        assertThatThrownBy(() -> service.update("nope", SETTINGS)).isInstanceOf(UnknownGroupException.class)
                .hasMessage("there is no group named 'nope'; groups: [g]");
        assertThatThrownBy(() -> service.update("g", SETTINGS.withStrategy(Strategy.PINNED_BY_STREAM)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("group 'g': the strategy cannot change (from ROUND_ROBIN to PINNED_BY_STREAM) on a live"
                        + " group: the deliveries already out follow the old one; delete the group and create it"
                        + " again (starting after its checkpoint -1) to switch");
        assertThatThrownBy(() -> service.update("g", current -> current.withMaxRetries(-1)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("group setting max retries must be 0 to 1000, was -1");
        long version = store.streamInfo("$rewind.group.g").orElseThrow().headVersion();
        assertThat(service.update("g", SETTINGS).settings()).as("the same settings").isEqualTo(SETTINGS);
        assertThat(store.streamInfo("$rewind.group.g").orElseThrow().headVersion())
                .as("nothing refused or unchanged was written").isEqualTo(version);
        restartAll();
        assertThat(service.describe("g").definition().settings()).isEqualTo(SETTINGS);
        Recorder consumer = new Recorder();
        service.join("g", "c", consumer);
        long position = append("s", "One");
        assertThat(consumer.next().event().position()).as("the group keeps serving").isEqualTo(position);
    }
}
