package io.rewind.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.RecordedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The dispatcher's paths one by one: retry, timeout, park, replay, restore, rebalance, bad input. */
class GroupDispatcherTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final GroupSettings SETTINGS = new GroupSettings(5, Duration.ofSeconds(10), 2,
            Duration.ofSeconds(1), Strategy.ROUND_ROBIN);

    private static RecordedEvent event(String stream, long version, long position) {
        return new RecordedEvent(stream, version, position, new UUID(7, position), "Happened", T0, new byte[] {1},
                new byte[0]);
    }

    @Test
    void roundRobinSpreadsEventsOverConsumersInJoinOrder() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS, -1);
        group.join("a");
        group.join("b");
        for (int i = 0; i < 4; i++) {
            group.eventArrived(event("s", i, i));
        }
        List<Delivery> out = group.dispatch(T0);
        assertThat(out).extracting(Delivery::consumer).containsExactly("a", "b", "a", "b");
        assertThat(out).extracting(Delivery::id).containsExactly(1L, 2L, 3L, 4L);
        assertThat(out).allSatisfy(d -> {
            assertThat(d.attempt()).isEqualTo(1);
            assertThat(d.deadline()).isEqualTo(T0.plusSeconds(10));
        });
    }

    @Test
    void maxInFlightHoldsEventsBackUntilAnAck() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS.withMaxInFlightPerConsumer(1), -1);
        group.join("a");
        group.eventArrived(event("s", 0, 0));
        group.eventArrived(event("s", 1, 1));
        List<Delivery> first = group.dispatch(T0);
        assertThat(first).hasSize(1);
        assertThat(group.dispatch(T0)).isEmpty();
        assertThat(group.bufferedCount()).isEqualTo(1);
        group.ack("a", first.get(0).id());
        assertThat(group.dispatch(T0)).extracting(d -> d.event().position()).containsExactly(1L);
    }

    @Test
    void aNackWithRetryWaitsOutADoublingBackoff() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS.withMaxRetries(5), -1);
        group.join("a");
        group.eventArrived(event("s", 0, 0));
        Delivery first = group.dispatch(T0).get(0);
        group.nack("a", first.id(), NackAction.RETRY, "database down", T0);
        assertThat(group.nextWakeUp()).contains(T0.plusSeconds(1));
        assertThat(group.dispatch(T0.plusMillis(999))).isEmpty();
        Delivery second = group.dispatch(T0.plusSeconds(1)).get(0);
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(second.id()).isGreaterThan(first.id());
        group.nack("a", second.id(), NackAction.RETRY, "still down", T0.plusSeconds(1));
        assertThat(group.nextWakeUp()).contains(T0.plusSeconds(3)); // 1 s, then 2 s
        assertThat(group.dispatch(T0.plusMillis(2999))).isEmpty();
        assertThat(group.dispatch(T0.plusSeconds(3))).extracting(Delivery::attempt).containsExactly(3);
        assertThat(group.checkpoint()).isEqualTo(-1);
    }

    @Test
    void theBackoffRunsFromTheNackNotFromTheDelivery() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS.withAckTimeout(Duration.ofMinutes(1)), -1);
        group.join("a");
        group.eventArrived(event("s", 0, 0));
        Delivery slow = group.dispatch(T0).get(0);
        group.nack("a", slow.id(), NackAction.RETRY, "took 10 s to fail", T0.plusSeconds(10));
        assertThat(group.nextWakeUp()).contains(T0.plusSeconds(11));
        assertThat(group.dispatch(T0.plusSeconds(5))).as("a time before the nack counts as the nack's").isEmpty();
        assertThat(group.dispatch(T0.plusSeconds(11))).hasSize(1);
    }

    @Test
    void aDeliveryNotAckedInTimeGoesOutAgainAndItsIdExpires() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS, -1);
        group.join("a");
        group.join("b");
        group.eventArrived(event("s", 0, 0));
        Delivery first = group.dispatch(T0).get(0);
        assertThat(first.consumer()).isEqualTo("a");
        assertThat(group.nextWakeUp()).contains(T0.plusSeconds(10));
        assertThat(group.dispatch(T0.plusMillis(9_999))).isEmpty();
        Delivery again = group.dispatch(T0.plusSeconds(10)).get(0);
        assertThat(again.attempt()).isEqualTo(2);
        assertThat(again.consumer()).isEqualTo("b");
        assertThatThrownBy(() -> group.ack("a", first.id())).isInstanceOf(UnknownDeliveryException.class)
                .hasMessageContaining("delivery " + first.id()).hasMessageContaining("expired");
        group.ack("b", again.id());
        assertThat(group.checkpoint()).isEqualTo(0);
    }

    @Test
    void anEventIsParkedAfterItsLastRetryAndTheCheckpointPassesIt() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS.withRetryBackoff(Duration.ZERO), -1);
        group.join("a");
        group.eventArrived(event("s", 0, 5));
        group.eventArrived(event("s", 1, 6));
        List<Delivery> first = group.dispatch(T0);
        Delivery poison = first.get(0);
        group.ack("a", first.get(1).id());
        assertThat(group.checkpoint()).isEqualTo(4);
        for (int attempt = 1; attempt <= 3; attempt++) {
            assertThat(poison.attempt()).isEqualTo(attempt);
            group.nack("a", poison.id(), NackAction.RETRY, "cannot parse", T0);
            List<Delivery> out = group.dispatch(T0);
            poison = out.isEmpty() ? null : out.get(0);
        }
        assertThat(poison).as("three deliveries (1 + max retries 2), then parked").isNull();
        assertThat(group.parked()).singleElement().satisfies(p -> {
            assertThat(p.position()).isEqualTo(5);
            assertThat(p.attempts()).isEqualTo(3);
            assertThat(p.reason()).contains("cannot parse").contains("3 deliveries");
        });
        assertThat(group.checkpoint()).isEqualTo(6);
        assertThat(group.drainParkedChanges()).singleElement().isInstanceOf(ParkedChange.Parked.class);
    }

    @Test
    void nackWithParkAndSkipSettleAtOnce() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS, -1);
        group.join("a");
        group.eventArrived(event("s", 0, 0));
        group.eventArrived(event("s", 1, 1));
        List<Delivery> out = group.dispatch(T0);
        group.nack("a", out.get(0).id(), NackAction.PARK, "needs a human", T0);
        assertThat(group.checkpoint()).isEqualTo(0);
        group.nack("a", out.get(1).id(), NackAction.SKIP, null, T0);
        assertThat(group.checkpoint()).isEqualTo(1);
        assertThat(group.parked()).extracting(ParkedEvent::reason).containsExactly("needs a human");
        assertThat(group.bufferedCount()).isZero();
        assertThat(group.inFlight()).isEmpty();
    }

    @Test
    void aReplayedEventLeavesTheParkedListWhenAcked() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS, -1);
        group.join("a");
        for (int i = 0; i < 3; i++) {
            group.eventArrived(event("s", i, i));
        }
        for (Delivery d : group.dispatch(T0)) {
            group.nack("a", d.id(), NackAction.PARK, "bad " + d.event().position(), T0);
        }
        group.drainParkedChanges();
        assertThat(group.checkpoint()).isEqualTo(2);

        assertThat(group.replayParked(1).reason()).isEqualTo("bad 1");
        assertThat(group.parked()).extracting(ParkedEvent::position).containsExactly(0L, 2L);
        Delivery replay = group.dispatch(T0).get(0);
        assertThat(replay.replay()).isTrue();
        assertThat(replay.attempt()).isEqualTo(1);
        assertThat(replay.event().position()).isEqualTo(1);
        group.ack("a", replay.id());
        assertThat(group.drainParkedChanges()).containsExactly(new ParkedChange.Resolved(1));
        assertThat(group.checkpoint()).as("replays never move the checkpoint").isEqualTo(2);

        assertThat(group.replayAllParked()).isEqualTo(2);
        assertThat(group.parked()).isEmpty();
        List<Delivery> rest = group.dispatch(T0);
        assertThat(rest).extracting(d -> d.event().position()).containsExactly(0L, 2L);
        group.nack("a", rest.get(0).id(), NackAction.PARK, "still bad", T0);
        assertThat(group.parked()).extracting(ParkedEvent::reason).containsExactly("still bad");
    }

    @Test
    void aConsumerThatLeavesGivesItsEventsToTheOthers() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS, -1);
        group.join("a");
        group.eventArrived(event("s", 0, 0));
        Delivery held = group.dispatch(T0).get(0);
        group.join("b");
        group.leave("a");
        List<Delivery> out = group.dispatch(T0);
        assertThat(out).singleElement().satisfies(d -> {
            assertThat(d.consumer()).isEqualTo("b");
            assertThat(d.attempt()).isEqualTo(2);
        });
        assertThatThrownBy(() -> group.ack("a", held.id())).isInstanceOf(UnknownConsumerException.class)
                .hasMessageContaining("'a'").hasMessageContaining("[b]");
    }

    @Test
    void pinnedStreamsStayWithTheOldOwnerUntilTheirDeliveryIsSettled() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS.withStrategy(Strategy.PINNED_BY_STREAM)
                .withMaxInFlightPerConsumer(50), -1);
        group.join("a");
        // Enough streams that a second consumer surely owns some of them.
        for (int i = 0; i < 20; i++) {
            group.eventArrived(event("stream-" + i, 0, 2L * i));
            group.eventArrived(event("stream-" + i, 1, 2L * i + 1));
        }
        group.dispatch(T0);
        assertThat(group.inFlight()).as("one per stream: the heads").hasSize(20)
                .allMatch(d -> d.consumer().equals("a") && d.event().version() == 0);
        group.join("b");
        Delivery moving = group.inFlight().stream()
                .filter(d -> group.ownerOf(d.event().stream()).orElseThrow().equals("b")).findFirst()
                .orElseThrow(() -> new AssertionError("no in-flight stream moves to b: " + group.inFlight()));
        String stream = moving.event().stream();
        assertThat(group.dispatch(T0)).as("every stream is busy on a").isEmpty();
        assertThat(group.holderOf(stream)).contains("a");
        assertThat(group.inFlight()).filteredOn(d -> d.event().stream().equals(stream)).containsExactly(moving);

        group.ack("a", moving.id());
        assertThat(group.holderOf(stream)).isEmpty();
        List<Delivery> next = group.dispatch(T0);
        assertThat(next).filteredOn(d -> d.event().stream().equals(stream)).singleElement().satisfies(d -> {
            assertThat(d.consumer()).isEqualTo("b");
            assertThat(d.event().version()).isEqualTo(1);
        });
        assertThat(group.holderOf(stream)).contains("b");
    }

    @Test
    void pinnedStreamsGoOneEventAtATimeAndARetryComesBeforeTheNextEvent() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS.withStrategy(Strategy.PINNED_BY_STREAM)
                .withRetryBackoff(Duration.ZERO), -1);
        group.join("a");
        group.eventArrived(event("s", 0, 0));
        group.eventArrived(event("s", 1, 1));
        Delivery first = group.dispatch(T0).get(0);
        assertThat(group.dispatch(T0)).isEmpty();
        group.nack("a", first.id(), NackAction.RETRY, "later", T0);
        Delivery retry = group.dispatch(T0).get(0);
        assertThat(retry.event().version()).isEqualTo(0);
        group.ack("a", retry.id());
        assertThat(group.dispatch(T0)).extracting(d -> d.event().version()).containsExactly(1L);
    }

    @Test
    void aRestoredGroupKeepsItsParkedListAndDoesNotRedeliverParkedEventsAboveTheCheckpoint() {
        ParkedEvent below = new ParkedEvent(event("s", 0, 3), 3, "old");
        ParkedEvent above = new ParkedEvent(event("s", 2, 9), 1, "parked after the checkpoint was saved");
        GroupDispatcher group = GroupDispatcher.restore("g", SETTINGS, 7, List.of(below, above));
        group.join("a");
        assertThat(group.checkpoint()).isEqualTo(7);
        group.eventArrived(event("s", 1, 8));
        group.eventArrived(event("s", 2, 9));
        group.eventArrived(event("s", 3, 10));
        List<Delivery> out = group.dispatch(T0);
        assertThat(out).extracting(d -> d.event().position()).containsExactly(8L, 10L);
        out.forEach(d -> group.ack("a", d.id()));
        assertThat(group.checkpoint()).isEqualTo(10);
        assertThat(group.parked()).containsExactly(below, above);
    }

    @Test
    void aParkedEventAboveTheCheckpointReplayedBeforeItArrivesAgainGoesOutOnce() {
        ParkedEvent above = new ParkedEvent(event("s", 1, 9), 1, "parked after the checkpoint was saved");
        GroupDispatcher group = GroupDispatcher.restore("g", SETTINGS, 7, List.of(above));
        group.join("a");
        group.replayParked(9);
        group.eventArrived(event("s", 0, 8));
        group.eventArrived(event("s", 1, 9));
        List<Delivery> out = group.dispatch(T0);
        assertThat(out).extracting(d -> d.event().position() + (d.replay() ? "r" : "")).containsExactly("8", "9r");
        assertThat(group.bufferedCount()).isZero();
        group.ack("a", out.get(0).id());
        assertThat(group.checkpoint()).as("the replayed event does not hold the checkpoint").isEqualTo(9);
        group.ack("a", out.get(1).id());
        assertThat(group.drainParkedChanges()).containsExactly(new ParkedChange.Resolved(9));
    }

    @Test
    void scannedPositionsMoveAnIdleCheckpoint() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS, -1);
        group.scannedTo(41);
        assertThat(group.checkpoint()).isEqualTo(41);
        group.scannedTo(12);
        assertThat(group.checkpoint()).isEqualTo(41);
        group.eventArrived(event("s", 0, 50));
        assertThat(group.checkpoint()).isEqualTo(49);
    }

    @Test
    void badRequestsSayWhatWasWrongAndChangeNothing() {
        GroupDispatcher group = GroupDispatcher.create("orders", SETTINGS, -1);
        group.join("a");
        group.join("b");
        group.eventArrived(event("s", 0, 0));
        group.eventArrived(event("s", 1, 1));
        List<Delivery> out = group.dispatch(T0);
        Delivery ofA = out.get(0);
        String before = describe(group);

        assertThatThrownBy(() -> group.ack("b", ofA.id())).isInstanceOf(ForeignDeliveryException.class)
                .hasMessage("delivery 1 of group 'orders' belongs to consumer 'a', not to 'b'");
        assertThatThrownBy(() -> group.nack("zed", ofA.id(), NackAction.SKIP, null, T0))
                .isInstanceOf(UnknownConsumerException.class)
                .hasMessage("group 'orders' has no consumer named 'zed' (it never joined, or it left); members: [a, b]");
        assertThatThrownBy(() -> group.ack("a", 99)).isInstanceOf(UnknownDeliveryException.class)
                .hasMessage("group 'orders' never issued delivery 99");
        assertThatThrownBy(() -> group.join("a")).isInstanceOf(DuplicateConsumerException.class)
                .hasMessageContaining("already has a consumer named 'a'");
        assertThatThrownBy(() -> group.leave("zed")).isInstanceOf(UnknownConsumerException.class);
        assertThatThrownBy(() -> group.replayParked(0)).isInstanceOf(UnknownParkedEventException.class)
                .hasMessage("group 'orders' has no parked event at position 0 (its parked list is empty)");
        assertThatThrownBy(() -> group.eventArrived(event("s", 2, 1))).isInstanceOf(OutOfOrderEventException.class)
                .hasMessageContaining("position 1 arrived after position 1");
        assertThat(describe(group)).isEqualTo(before);

        group.ack("a", ofA.id());
        assertThatThrownBy(() -> group.ack("a", ofA.id())).isInstanceOf(UnknownDeliveryException.class)
                .hasMessageContaining("no longer open");
        group.ack("b", out.get(1).id());
        assertThat(group.checkpoint()).as("the group kept serving after the bad requests").isEqualTo(1);
    }

    private static String describe(GroupDispatcher group) {
        return group.checkpoint() + "|" + group.inFlight() + "|" + group.parked() + "|" + group.consumers() + "|"
                + group.bufferedCount() + "|" + group.nextWakeUp();
    }

    @Test
    void aLowerMaxInFlightTakesNothingBackAndHandsOutNoMoreUntilBelowIt() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS.withMaxInFlightPerConsumer(3), -1);
        group.join("a");
        for (int i = 0; i < 5; i++) {
            group.eventArrived(event("s", i, i));
        }
        List<Delivery> out = group.dispatch(T0);
        assertThat(out).hasSize(3);
        group.update(SETTINGS.withMaxInFlightPerConsumer(1));
        assertThat(group.inFlight()).as("nothing taken back").hasSize(3);
        group.ack("a", out.get(0).id());
        assertThat(group.dispatch(T0)).as("holds 2, the limit is 1").isEmpty();
        group.ack("a", out.get(1).id());
        assertThat(group.dispatch(T0)).as("holds 1, the limit is 1").isEmpty();
        group.ack("a", out.get(2).id());
        assertThat(group.dispatch(T0)).extracting(d -> d.event().position()).containsExactly(3L);
        group.update(SETTINGS.withMaxInFlightPerConsumer(10));
        assertThat(group.dispatch(T0)).as("a higher limit applies at the next dispatch")
                .extracting(d -> d.event().position()).containsExactly(4L);
    }

    @Test
    void aNewAckTimeoutAppliesToLaterDeliveriesAndEarlierOnesKeepTheirDeadline() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS.withAckTimeout(Duration.ofSeconds(30)), -1);
        group.join("a");
        group.eventArrived(event("s", 0, 0));
        Delivery early = group.dispatch(T0).get(0);
        group.update(SETTINGS.withAckTimeout(Duration.ofSeconds(1)));
        group.eventArrived(event("s", 1, 1));
        Delivery late = group.dispatch(T0.plusSeconds(2)).get(0);
        assertThat(early.deadline()).isEqualTo(T0.plusSeconds(30));
        assertThat(late.deadline()).isEqualTo(T0.plusSeconds(3));
        assertThat(group.nextWakeUp()).as("the later delivery's deadline comes first").contains(T0.plusSeconds(3));
        List<Delivery> again = group.dispatch(T0.plusSeconds(3));
        assertThat(again).as("only the later delivery expired, and goes out again")
                .extracting(d -> d.event().position(), Delivery::attempt).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, 2));
        assertThat(group.inFlight()).extracting(Delivery::id).containsExactly(early.id(), again.get(0).id());
        assertThatThrownBy(() -> group.ack("a", late.id())).isInstanceOf(UnknownDeliveryException.class);
        group.ack("a", early.id());
        assertThat(group.nextWakeUp()).contains(T0.plusSeconds(4));
    }

    @Test
    void newMaxRetriesApplyAtTheNextFailureAndANewBackoffToRetriesScheduledAfter() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS.withMaxRetries(5), -1);
        group.join("a");
        group.eventArrived(event("s", 0, 0));
        group.eventArrived(event("s", 1, 1));
        List<Delivery> out = group.dispatch(T0);
        group.nack("a", out.get(0).id(), NackAction.RETRY, "down", T0);
        group.update(SETTINGS.withMaxRetries(0).withRetryBackoff(Duration.ofSeconds(5)));
        assertThat(group.nextWakeUp()).as("the waiting retry keeps its time").contains(T0.plusSeconds(1));
        group.nack("a", out.get(1).id(), NackAction.RETRY, "down", T0);
        assertThat(group.parked()).as("past the new max retries: parked at this failure")
                .extracting(ParkedEvent::position).containsExactly(1L);
        Delivery retried = group.dispatch(T0.plusSeconds(1)).get(0);
        assertThat(retried.attempt()).isEqualTo(2);
        assertThat(group.redeliveries()).as("one retry; the parking failure is not a redelivery").isEqualTo(1);
    }

    @Test
    void theStrategyOfALiveGroupCannotChange() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS, 4);
        assertThatThrownBy(() -> group.update(SETTINGS.withStrategy(Strategy.PINNED_BY_STREAM)))
                .isInstanceOf(io.rewind.api.InvalidRequestException.class)
                .hasMessage("group 'g': the strategy cannot change (from ROUND_ROBIN to PINNED_BY_STREAM) on a live"
                        + " group: the deliveries already out follow the old one; delete the group and create it"
                        + " again (starting after its checkpoint 4) to switch");
        assertThat(group.settings()).isEqualTo(SETTINGS);
    }

    @Test
    void redeliveriesCountRetriesTimeoutsAndLeavesButNotParking() {
        GroupDispatcher group = GroupDispatcher.create("g", SETTINGS.withMaxRetries(10)
                .withRetryBackoff(Duration.ZERO), -1);
        group.join("a");
        group.join("b");
        group.eventArrived(event("s", 0, 0));
        group.eventArrived(event("s", 1, 1));
        group.eventArrived(event("s", 2, 2));
        List<Delivery> out = group.dispatch(T0); // a: 0, 2; b: 1
        assertThat(group.unsettledCount()).isEqualTo(3);
        assertThat(group.oldestUnsettled()).map(RecordedEvent::position).contains(0L);
        group.nack(out.get(0).consumer(), out.get(0).id(), NackAction.RETRY, "retry", T0);
        assertThat(group.redeliveries()).isEqualTo(1);
        group.leave("b"); // its delivery goes out again
        assertThat(group.redeliveries()).isEqualTo(2);
        List<Delivery> second = group.dispatch(T0);
        assertThat(second).hasSize(2);
        group.dispatch(T0.plusSeconds(10)); // every delivery expires: 3 more
        assertThat(group.redeliveries()).isEqualTo(5);
        List<Delivery> third = group.inFlight();
        third.forEach(d -> group.nack(d.consumer(), d.id(), NackAction.PARK, "give up", T0.plusSeconds(10)));
        assertThat(group.redeliveries()).as("parking is no redelivery").isEqualTo(5);
        assertThat(group.parkedCount()).isEqualTo(3);
        assertThat(group.unsettledCount()).isZero();
        assertThat(group.oldestUnsettled()).isEmpty();
    }
}
