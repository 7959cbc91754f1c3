package io.rewind.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.RecordedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Drives a {@link GroupDispatcher} through random schedules of arrivals, joins, leaves, acks, nacks,
 * time steps, replays and bad requests, beside a reference model that knows only what each event's
 * fate must be. After every step it checks the invariants of docs/GROUPS.md; at the end it drains
 * the group and checks that every event was acked, skipped or parked.
 */
class GroupDispatcherModelTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final String[] STREAMS = {"order-1", "order-2", "order-3", "cart-7", "user-9"};
    private static final String[] CONSUMERS = {"alpha", "bravo", "charlie", "delta"};

    record Step(int kind, int a, int b) {
    }

    record Setup(int maxInFlight, int maxRetries, int backoffMillis, int timeoutMillis, Strategy strategy) {
        GroupSettings settings() {
            return new GroupSettings(maxInFlight, Duration.ofMillis(timeoutMillis), maxRetries,
                    Duration.ofMillis(backoffMillis), strategy);
        }
    }

    @Provide
    Arbitrary<Setup> setups() {
        return Combinators.combine(Arbitraries.integers().between(1, 3), Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 40), Arbitraries.integers().between(5, 80),
                Arbitraries.of(Strategy.class)).as(Setup::new);
    }

    @Provide
    Arbitrary<List<Step>> schedules() {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 99),
                Arbitraries.integers().between(0, 1_000), Arbitraries.integers().between(0, 1_000)).as(Step::new);
        return step.list().ofMinSize(60).ofMaxSize(250);
    }

    @Property(tries = 400)
    void everyEventIsSettledOrParkedAndTheInvariantsHold(@ForAll("setups") Setup setup,
            @ForAll("schedules") List<Step> schedule) {
        Run run = new Run(setup.settings());
        for (Step step : schedule) {
            run.apply(step);
            run.checkInvariants();
        }
        run.drain();
        // The schedules must reach the interesting paths, not only arrive-and-ack.
        Statistics.label("expired").collect(run.expired > 0);
        Statistics.label("parked").collect(run.parkedCount > 0);
        Statistics.label("replayed").collect(run.replayedCount > 0);
        Statistics.label("handed over while in flight").collect(run.leftWithWork > 0);
        Statistics.label("expired").coverage(c -> c.check(true).percentage(p -> p > 40));
        Statistics.label("parked").coverage(c -> c.check(true).percentage(p -> p > 40));
        Statistics.label("replayed").coverage(c -> c.check(true).percentage(p -> p > 15));
        Statistics.label("handed over while in flight").coverage(c -> c.check(true).percentage(p -> p > 40));
    }

    /**
     * A crash at a random step, then a new dispatcher restored from what was durable in the best
     * case (the checkpoint and the parked list of that moment) and fed again everything after the
     * checkpoint: no event is lost — each was settled before the crash, is parked, or is acked
     * after it — and no parked event is delivered again unless replayed.
     */
    @Property(tries = 300)
    void aRestartFromTheCheckpointAndTheParkedListLosesNothing(@ForAll("setups") Setup setup,
            @ForAll("schedules") List<Step> schedule) {
        Run run = new Run(setup.settings());
        int crashAt = Math.floorMod(schedule.hashCode(), schedule.size() + 1);
        for (Step step : schedule.subList(0, crashAt)) {
            run.apply(step);
        }
        long checkpoint = run.dispatcher.checkpoint();
        // The durable parked list: the parked events, and those being replayed (they leave it only
        // when a replay is acked or skipped; see ParkedChange.Resolved).
        List<ParkedEvent> parked = new ArrayList<>(run.dispatcher.parked());
        run.replaying.forEach(p -> parked.add(new ParkedEvent(run.arrived.get(p), 1, "replay in flight at the crash")));
        parked.sort(java.util.Comparator.comparingLong(ParkedEvent::position));
        Set<Long> parkedPositions = new HashSet<>();
        parked.forEach(p -> parkedPositions.add(p.position()));

        GroupDispatcher restored = GroupDispatcher.restore("model", setup.settings(), checkpoint, parked);
        assertThat(restored.checkpoint()).isEqualTo(checkpoint);
        restored.join("after-crash");
        // Half the time an operator replays the parked list before the read-ahead catches up.
        boolean replayFirst = schedule.size() % 2 == 0;
        if (replayFirst) {
            assertThat(restored.replayAllParked()).isEqualTo(parked.size());
        }
        run.arrived.tailMap(checkpoint, false).values().forEach(restored::eventArrived);
        Set<Long> ackedAfter = new HashSet<>();
        Instant now = run.now;
        for (int round = 0; round < 10_000 && (restored.bufferedCount() > 0 || !restored.inFlight().isEmpty()); round++) {
            for (Delivery delivery : restored.dispatch(now)) {
                assertThat(delivery.replay() || !parkedPositions.contains(delivery.event().position()))
                        .as("a parked event is delivered again only by a replay: %s", delivery).isTrue();
                restored.ack("after-crash", delivery.id());
                ackedAfter.add(delivery.event().position());
            }
            now = now.plusSeconds(3_600);
        }
        for (long position : run.arrived.keySet()) {
            assertThat(run.settledEver.contains(position) || parkedPositions.contains(position)
                    || ackedAfter.contains(position)).as("event %s is not lost by the restart", position).isTrue();
        }
        assertThat(restored.checkpoint()).isEqualTo(restored.lastPosition());
        if (replayFirst) {
            assertThat(restored.parked()).isEmpty();
            assertThat(ackedAfter).containsAll(parkedPositions);
        } else {
            assertThat(restored.parked()).as("the parked list survives, replays in flight included")
                    .containsExactlyElementsOf(parked);
        }
    }

    /** The test's own bookkeeping of one run: the reference model. */
    private static final class Run {
        final GroupSettings settings;
        final boolean pinned;
        final GroupDispatcher dispatcher;
        Instant now = START;
        long nextPosition;
        final Map<String, Long> nextVersion = new HashMap<>();
        final List<String> members = new ArrayList<>();
        int membershipEpoch;

        /** Live events not yet acked, skipped or parked: they hold the checkpoint back. */
        final TreeSet<Long> openLive = new TreeSet<>();
        final TreeMap<Long, RecordedEvent> arrived = new TreeMap<>();
        /** What must be in the parked list now. */
        final TreeSet<Long> expectParked = new TreeSet<>();
        final Set<Long> replaying = new HashSet<>();
        int expired;
        int parkedCount;
        int replayedCount;
        int leftWithWork;
        /** Everything acked or skipped at least once. */
        final Set<Long> settledEver = new HashSet<>();
        /** Deliveries the model believes open, by id. */
        final LinkedHashMap<Long, Delivery> open = new LinkedHashMap<>();
        /** When an event may go out again after a nack with retry. */
        final Map<Long, Instant> notBefore = new HashMap<>();
        /** Per stream: the last live position delivered, and who got the last delivery in which epoch. */
        final Map<String, Long> lastLiveDelivered = new HashMap<>();
        final Map<String, String> lastHolder = new HashMap<>();
        final Map<String, Integer> lastHolderEpoch = new HashMap<>();
        long lastCheckpoint = -1;

        Run(GroupSettings settings) {
            this.settings = settings;
            this.pinned = settings.strategy() == Strategy.PINNED_BY_STREAM;
            this.dispatcher = GroupDispatcher.create("model", settings, -1);
        }

        void apply(Step step) {
            int kind = step.kind();
            if (kind < 30) {
                arrive(STREAMS[step.a() % STREAMS.length]);
            } else if (kind < 38) {
                String consumer = CONSUMERS[step.a() % CONSUMERS.length];
                if (!members.contains(consumer)) {
                    dispatcher.join(consumer);
                    members.add(consumer);
                    membershipEpoch++;
                }
            } else if (kind < 43) {
                if (!members.isEmpty()) {
                    leave(members.get(step.a() % members.size()));
                }
            } else if (kind < 63) {
                pickOpen(step.a()).ifPresent(this::ack);
            } else if (kind < 73) {
                NackAction action = NackAction.values()[step.b() % 3];
                pickOpen(step.a()).ifPresent(d -> nack(d, action));
            } else if (kind < 88) {
                now = now.plusMillis(1 + step.a() % 60);
            } else if (kind < 91) {
                replayOne(step.a());
            } else if (kind < 92) {
                replayAll();
            } else {
                badRequest(step);
            }
            dispatch();
        }

        void arrive(String stream) {
            long version = nextVersion.merge(stream, 1L, Long::sum) - 1;
            long position = nextPosition;
            nextPosition += 1 + (position % 3 == 0 ? 1 : 0); // gaps, as a filtered feed has
            RecordedEvent event = new RecordedEvent(stream, version, position, new UUID(0, position), "Happened",
                    START, new byte[0], new byte[0]);
            dispatcher.eventArrived(event);
            arrived.put(position, event);
            openLive.add(position);
        }

        void leave(String consumer) {
            dispatcher.leave(consumer);
            members.remove(consumer);
            membershipEpoch++;
            for (Delivery delivery : new ArrayList<>(open.values())) {
                if (delivery.consumer().equals(consumer)) {
                    leftWithWork++;
                    open.remove(delivery.id());
                    failed(delivery, false);
                }
            }
        }

        java.util.Optional<Delivery> pickOpen(int index) {
            if (open.isEmpty()) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(new ArrayList<>(open.values()).get(index % open.size()));
        }

        void ack(Delivery delivery) {
            dispatcher.ack(delivery.consumer(), delivery.id());
            open.remove(delivery.id());
            settled(delivery);
        }

        void nack(Delivery delivery, NackAction action) {
            dispatcher.nack(delivery.consumer(), delivery.id(), action, "model says " + action, now);
            open.remove(delivery.id());
            switch (action) {
                case SKIP -> settled(delivery);
                case PARK -> parked(delivery.event().position());
                case RETRY -> failed(delivery, true);
            }
        }

        void settled(Delivery delivery) {
            long position = delivery.event().position();
            settledEver.add(position);
            openLive.remove(position);
            replaying.remove(position);
            notBefore.remove(position);
        }

        void parked(long position) {
            openLive.remove(position);
            replaying.remove(position);
            notBefore.remove(position);
            expectParked.add(position);
            parkedCount++;
        }

        void failed(Delivery delivery, boolean withBackoff) {
            long position = delivery.event().position();
            if (delivery.attempt() > settings.maxRetries()) {
                parked(position);
            } else if (withBackoff) {
                notBefore.put(position, now.plus(settings.backoffAfter(delivery.attempt())));
            } else {
                notBefore.remove(position);
            }
        }

        void replayOne(int index) {
            if (expectParked.isEmpty()) {
                long missing = nextPosition + 1;
                assertThatThrownBy(() -> dispatcher.replayParked(missing))
                        .isInstanceOf(UnknownParkedEventException.class).hasMessageContaining("" + missing);
                return;
            }
            long position = new ArrayList<>(expectParked).get(index % expectParked.size());
            assertThat(dispatcher.replayParked(position).position()).isEqualTo(position);
            expectParked.remove(position);
            replaying.add(position);
            replayedCount++;
        }

        void replayAll() {
            int count = expectParked.size();
            replayedCount += count;
            assertThat(dispatcher.replayAllParked()).isEqualTo(count);
            replaying.addAll(expectParked);
            expectParked.clear();
        }

        void badRequest(Step step) {
            String before = snapshot();
            int which = step.a() % 3;
            if (which == 0) {
                assertThatThrownBy(() -> dispatcher.ack("nobody", 1)).isInstanceOf(UnknownConsumerException.class)
                        .hasMessageContaining("nobody");
            } else if (which == 1 && !members.isEmpty()) {
                String consumer = members.get(step.b() % members.size());
                assertThatThrownBy(() -> dispatcher.nack(consumer, 1_000_000 + step.b(), NackAction.RETRY, null, now))
                        .isInstanceOf(UnknownDeliveryException.class).hasMessageContaining("never issued");
            } else if (which == 2) {
                for (Delivery delivery : open.values()) {
                    for (String other : members) {
                        if (!other.equals(delivery.consumer())) {
                            assertThatThrownBy(() -> dispatcher.ack(other, delivery.id()))
                                    .isInstanceOf(ForeignDeliveryException.class)
                                    .hasMessageContaining(delivery.consumer()).hasMessageContaining(other);
                            assertThat(snapshot()).isEqualTo(before);
                            return;
                        }
                    }
                }
            }
            assertThat(snapshot()).isEqualTo(before);
        }

        void dispatch() {
            // What the dispatcher must expire now: the model's open deliveries past their deadline.
            for (Delivery delivery : new ArrayList<>(open.values())) {
                if (!delivery.deadline().isAfter(now)) {
                    expired++;
                    open.remove(delivery.id());
                    failed(delivery, false);
                }
            }
            for (Delivery delivery : dispatcher.dispatch(now)) {
                delivered(delivery);
            }
        }

        void delivered(Delivery delivery) {
            long position = delivery.event().position();
            String stream = delivery.event().stream();
            assertThat(members).as("deliveries go to members").contains(delivery.consumer());
            assertThat(delivery.deadline()).isEqualTo(now.plus(settings.ackTimeout()));
            assertThat(openLive.contains(position) || replaying.contains(position))
                    .as("only open events go out: %s", delivery).isTrue();
            assertThat(open.values()).as("one delivery per event at a time")
                    .noneMatch(d -> d.event().position() == position);
            Instant earliest = notBefore.remove(position);
            assertThat(earliest == null || !now.isBefore(earliest)).as("retry backoff respected: %s", delivery).isTrue();
            assertThat(delivery.replay()).isEqualTo(replaying.contains(position));
            if (pinned) {
                assertThat(open.values()).as("pinned: no two deliveries of stream %s at once", stream)
                        .noneMatch(d -> d.event().stream().equals(stream));
                if (!delivery.replay()) {
                    assertThat(openLive.headSet(position).stream().map(arrived::get))
                            .as("pinned: every earlier event of %s settled before %s goes out", stream, position)
                            .noneMatch(e -> e.stream().equals(stream));
                    Long last = lastLiveDelivered.get(stream);
                    assertThat(last == null || last <= position).as("pinned: stream order in %s", stream).isTrue();
                    lastLiveDelivered.put(stream, position);
                }
                if (Integer.valueOf(membershipEpoch).equals(lastHolderEpoch.get(stream))) {
                    assertThat(delivery.consumer()).as("pinned: %s stays with its consumer while membership is unchanged",
                            stream).isEqualTo(lastHolder.get(stream));
                }
                lastHolder.put(stream, delivery.consumer());
                lastHolderEpoch.put(stream, membershipEpoch);
            }
            assertThat(open.values().stream().filter(d -> d.consumer().equals(delivery.consumer())).count())
                    .as("max in flight per consumer").isLessThan(settings.maxInFlightPerConsumer());
            open.put(delivery.id(), delivery);
        }

        void checkInvariants() {
            assertThat(dispatcher.inFlight()).containsExactlyElementsOf(open.values());
            assertThat(dispatcher.parked().stream().map(ParkedEvent::position).toList())
                    .containsExactlyElementsOf(expectParked);
            long expected = openLive.isEmpty() ? dispatcher.lastPosition() : openLive.first() - 1;
            long checkpoint = dispatcher.checkpoint();
            assertThat(checkpoint).as("checkpoint is below the lowest open event").isEqualTo(expected);
            assertThat(checkpoint).as("checkpoint never goes back").isGreaterThanOrEqualTo(lastCheckpoint);
            lastCheckpoint = checkpoint;
            if (pinned) {
                Map<String, Set<String>> holders = new HashMap<>();
                for (Delivery delivery : open.values()) {
                    holders.computeIfAbsent(delivery.event().stream(), s -> new HashSet<>()).add(delivery.consumer());
                }
                holders.forEach((stream, who) -> {
                    assertThat(who).as("exactly one holder of %s", stream).hasSize(1);
                    assertThat(dispatcher.holderOf(stream)).contains(who.iterator().next());
                });
                for (String stream : STREAMS) {
                    if (!holders.containsKey(stream)) {
                        assertThat(dispatcher.holderOf(stream)).isEmpty();
                    }
                }
            }
        }

        /** Lets the group finish: a consumer acks everything until nothing is left, bounded. */
        void drain() {
            if (members.isEmpty()) {
                dispatcher.join("drainer");
                members.add("drainer");
                membershipEpoch++;
            }
            for (int round = 0; round < 10_000 && (!open.isEmpty() || dispatcher.bufferedCount() > 0); round++) {
                for (Delivery delivery : new ArrayList<>(open.values())) {
                    ack(delivery);
                }
                now = now.plus(settings.retryBackoff().multipliedBy(1L << GroupSettings.MAX_BACKOFF_DOUBLINGS))
                        .plusMillis(1);
                dispatch();
                checkInvariants();
            }
            assertThat(open).as("nothing left in flight").isEmpty();
            assertThat(dispatcher.bufferedCount()).as("nothing left buffered").isZero();
            assertThat(openLive).as("every event acked, skipped or parked").isEmpty();
            assertThat(replaying).as("every replay finished").isEmpty();
            assertThat(dispatcher.checkpoint()).isEqualTo(dispatcher.lastPosition());
            assertThat(dispatcher.nextWakeUp()).isEmpty();
        }

        String snapshot() {
            return dispatcher.checkpoint() + "|" + dispatcher.inFlight() + "|" + dispatcher.parked() + "|"
                    + dispatcher.consumers() + "|" + dispatcher.bufferedCount() + "|" + dispatcher.nextWakeUp();
        }
    }
}
