package io.rewind.groups;

import io.rewind.api.InvalidRequestException;
import io.rewind.api.RecordedEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The state machine of one consumer group: which events it holds, who holds which delivery, what
 * is parked, and how far the checkpoint has got. It does no I/O, starts no thread and reads no
 * clock: the caller feeds it events in global order, consumer requests and the time, and takes the
 * deliveries it hands out from {@link #dispatch(Instant)}. Given the same calls it makes the same
 * decisions, which is what lets a model test drive it through millions of random schedules.
 *
 * <h2>Life of an event</h2>
 * An event that {@linkplain #eventArrived arrives} is <em>pending</em>; {@link #dispatch} hands it
 * to a consumer with room (a <em>delivery</em>, with an id and a deadline). The consumer settles
 * the delivery: an {@linkplain #ack ack} or a {@linkplain #nack nack} with skip settles the event
 * for good; a nack with park puts it in the parked list; a nack with retry makes it wait out the
 * backoff and go out again. A delivery not settled by its deadline, or held by a consumer that
 * {@linkplain #leave leaves}, counts as failed and the event goes out again at once. After
 * {@code 1 + maxRetries} failed deliveries an event is parked. A parked event waits until it is
 * {@linkplain #replayParked replayed}; it then goes through the same cycle once more and leaves
 * the parked list for good when acked or skipped.
 *
 * <h2>The checkpoint</h2>
 * {@link #checkpoint()} is the highest position p such that every event at or below p that reached
 * the group was acked, skipped or parked. It never passes an unsettled event and never goes back:
 * events arrive in increasing position, so the lowest unsettled position only grows. A group that
 * restarts from its checkpoint redelivers what was in flight (at-least-once), and nothing before.
 *
 * <h2>Pinned by stream</h2>
 * Each stream has one <em>owner</em>, chosen among the members by rendezvous hashing of (stream,
 * consumer): stable while membership is, and a join or leave moves only the streams whose owner
 * changes. A stream has at most one delivery in flight at any time, always to one consumer, and its
 * events go out in stream order: the next event of a stream goes out only when the previous one is
 * settled (acked, skipped or parked) — a retry of it goes out before anything after it. When the
 * owner changes, a stream with a delivery in flight stays with the old owner until that delivery is
 * settled or expires; only then does its next event go to the new owner. So no two consumers ever
 * hold one stream at once.
 *
 * <h2>Bad input</h2>
 * A request naming an unknown consumer, an unknown or foreign delivery, or an unparked position
 * throws a {@link GroupException} that says which, and leaves the state exactly as it was.
 *
 * <p>Not thread-safe: one thread drives a dispatcher (the group's service thread).
 */
public final class GroupDispatcher {

    private enum State { PENDING, WAITING_RETRY, IN_FLIGHT }

    /** An event the group tracks (not yet settled or parked). */
    private static final class Entry {
        final RecordedEvent event;
        final boolean replay;
        int attempts;
        State state = State.PENDING;
        Instant retryAt;
        Delivery delivery;
        /** The ack timeout its delivery was made with (an update may change the group's since). */
        java.time.Duration ackTimeout;

        Entry(RecordedEvent event, boolean replay) {
            this.event = event;
            this.replay = replay;
        }

        long position() {
            return event.position();
        }
    }

    /**
     * One stream's queue in pinned mode. Invariants: at most one of its events is in flight
     * ({@code inFlight}); none is ready while one is; only the head (lowest position) is ever ready.
     */
    private static final class Lane {
        final String stream;
        final TreeSet<Long> positions = new TreeSet<>();
        Long inFlight;
        Long readyPosition;

        Lane(String stream) {
            this.stream = stream;
        }
    }

    private final String group;
    /** Replaced by {@link #update}; the strategy never changes. */
    private GroupSettings settings;
    private final boolean pinned;
    /** Members in join order, each with the ids of the deliveries it holds. */
    private final LinkedHashMap<String, TreeSet<Long>> consumers = new LinkedHashMap<>();
    private int roundRobinNext;
    /** Every tracked event, live or replayed, by position. */
    private final TreeMap<Long, Entry> entries = new TreeMap<>();
    /** Positions of the tracked events that came from the subscription (not replays): they hold the checkpoint. */
    private final TreeSet<Long> unsettledLive = new TreeSet<>();
    /** Pending events that may go out now (round-robin: all; pinned: idle lane heads). */
    private final TreeSet<Long> ready = new TreeSet<>();
    /** Events waiting out a retry backoff, the soonest first. */
    private final TreeSet<Entry> waiting = new TreeSet<>(
            Comparator.comparing((Entry e) -> e.retryAt).thenComparingLong(Entry::position));
    /** Open deliveries by id. */
    private final TreeMap<Long, Entry> inFlight = new TreeMap<>();
    /**
     * The same deliveries by deadline, then id. (Not id order: an {@link #update} of the ack
     * timeout gives later deliveries deadlines earlier or later than those of earlier ones.)
     */
    private final TreeSet<Entry> byDeadline = new TreeSet<>(
            Comparator.comparing((Entry e) -> e.delivery.deadline()).thenComparingLong(e -> e.delivery.id()));
    private final Map<String, Lane> lanes = new HashMap<>();
    private final TreeMap<Long, ParkedEvent> parked = new TreeMap<>();
    private final List<ParkedChange> parkedChanges = new ArrayList<>();
    private long lastPosition;
    private long nextDeliveryId = 1;
    /** Failed deliveries whose event goes out again (not parked): nack with retry, timeout, leave. */
    private long redeliveries;
    private Instant now = Instant.EPOCH;

    private GroupDispatcher(String group, GroupSettings settings, long checkpoint) {
        this.group = Objects.requireNonNull(group, "group");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.pinned = settings.strategy() == Strategy.PINNED_BY_STREAM;
        if (checkpoint < -1) {
            throw new InvalidRequestException("group '" + group + "': a checkpoint must be -1 or more, was " + checkpoint);
        }
        this.lastPosition = checkpoint;
    }

    /** A new group that will receive the events after {@code startAfter} (-1 for all). */
    public static GroupDispatcher create(String group, GroupSettings settings, long startAfter) {
        return new GroupDispatcher(group, settings, startAfter);
    }

    /**
     * A group as it was saved: its checkpoint and parked list. Parked events above the checkpoint
     * are recognised when the subscription brings them again and stay parked, not redelivered.
     */
    public static GroupDispatcher restore(String group, GroupSettings settings, long checkpoint,
            Collection<ParkedEvent> parkedEvents) {
        GroupDispatcher dispatcher = new GroupDispatcher(group, settings, checkpoint);
        for (ParkedEvent event : parkedEvents) {
            dispatcher.parked.put(event.position(), event);
        }
        return dispatcher;
    }

    // ---------------------------------------------------------------- membership

    /** Adds a consumer; it receives deliveries from the next {@link #dispatch}. */
    public void join(String consumer) {
        if (consumer == null || consumer.isEmpty()) {
            throw new InvalidRequestException("group '" + group + "': a consumer name must not be empty");
        }
        if (consumers.containsKey(consumer)) {
            throw new DuplicateConsumerException("group '" + group + "' already has a consumer named '" + consumer
                    + "': leave first, or join under another name");
        }
        consumers.put(consumer, new TreeSet<>());
    }

    /**
     * Removes a consumer. Its deliveries count as failed: their events go out again at once (or are
     * parked after their last retry), and their ids are no longer valid.
     */
    public void leave(String consumer) {
        TreeSet<Long> held = checkConsumer(consumer);
        for (Long id : new ArrayList<>(held)) {
            Entry entry = inFlight.get(id);
            release(entry);
            failed(entry, "its consumer '" + consumer + "' left", false);
        }
        consumers.remove(consumer);
        if (roundRobinNext >= consumers.size()) {
            roundRobinNext = 0;
        }
    }

    // ---------------------------------------------------------------- events

    /**
     * The next event the group's subscription delivers, in global order.
     *
     * @throws OutOfOrderEventException if its position is not above every position seen before
     */
    public void eventArrived(RecordedEvent event) {
        if (event.position() <= lastPosition) {
            throw new OutOfOrderEventException("group '" + group + "': event at position " + event.position()
                    + " arrived after position " + lastPosition + "; events must arrive in increasing global order");
        }
        lastPosition = event.position();
        if (parked.containsKey(event.position()) || entries.containsKey(event.position())) {
            // Parked before a restart with the checkpoint still below it: it stays parked, or is
            // being replayed already. Either way it counts as settled for the checkpoint.
            return;
        }
        Entry entry = new Entry(event, false);
        entries.put(entry.position(), entry);
        unsettledLive.add(entry.position());
        track(entry);
    }

    /**
     * The subscription has scanned every event up to {@code position} and brought all the group
     * matches (a checkpoint notice): the checkpoint may move up to it. A position at or below one
     * already seen changes nothing.
     */
    public void scannedTo(long position) {
        lastPosition = Math.max(lastPosition, position);
    }

    // ---------------------------------------------------------------- settling

    /** The consumer handled the delivery: its event is settled. */
    public void ack(String consumer, long deliveryId) {
        Entry entry = checkDelivery(consumer, deliveryId);
        release(entry);
        settle(entry);
    }

    /**
     * The consumer could not handle the delivery; see {@link NackAction}. {@code time} is when the
     * nack came: a retry's backoff runs from it (as in {@link #dispatch}, an earlier time than one
     * seen counts as the latest).
     */
    public void nack(String consumer, long deliveryId, NackAction action, String reason, Instant time) {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(time, "time");
        Entry entry = checkDelivery(consumer, deliveryId);
        String why = reason == null || reason.isEmpty() ? "nacked by '" + consumer + "'" : reason;
        advanceTo(time);
        release(entry);
        switch (action) {
            case SKIP -> settle(entry);
            case PARK -> park(entry, why);
            case RETRY -> failed(entry, why, true);
        }
    }

    // ---------------------------------------------------------------- time and hand-out

    /**
     * Moves the group to {@code time} (a time before the latest one seen counts as the latest):
     * expires deliveries past their deadline, wakes retries whose backoff is over, and hands
     * pending events to consumers with room. Returns the new deliveries, in the order they were
     * made; the caller sends them.
     */
    public List<Delivery> dispatch(Instant time) {
        advanceTo(time);
        while (!byDeadline.isEmpty() && !byDeadline.first().delivery.deadline().isAfter(now)) {
            Entry entry = byDeadline.first();
            String consumer = entry.delivery.consumer();
            java.time.Duration timeout = entry.ackTimeout;
            release(entry);
            failed(entry, "no ack from '" + consumer + "' within " + timeout, false);
        }
        while (!waiting.isEmpty() && !waiting.first().retryAt.isAfter(now)) {
            pending(waiting.pollFirst());
        }
        return pinned ? handOutPinned() : handOutRoundRobin();
    }

    /** When {@link #dispatch} next has time-driven work (a deadline or a retry), if ever. */
    public Optional<Instant> nextWakeUp() {
        Instant earliest = byDeadline.isEmpty() ? null : byDeadline.first().delivery.deadline();
        if (!waiting.isEmpty()) {
            earliest = earlier(earliest, waiting.first().retryAt);
        }
        return Optional.ofNullable(earliest);
    }

    // ---------------------------------------------------------------- settings

    /**
     * Changes the group's settings from now on; work in flight is not taken back:
     * <ul>
     *   <li>a lower max in flight lets each consumer keep what it holds and hands it no more until
     *       it holds fewer than the new limit; a higher one takes effect at the next {@link #dispatch};</li>
     *   <li>a new ack timeout applies to deliveries made after the update; open deliveries keep
     *       their deadlines;</li>
     *   <li>new max retries apply at each event's next failure (an event already past them is
     *       parked then); a new retry backoff applies to retries scheduled after the update (events
     *       waiting out a backoff keep their time).</li>
     * </ul>
     * The strategy cannot change: round-robin may have several deliveries of one stream out at
     * once, which pinned mode's one-delivery-per-stream rule cannot take over, and pinned lanes
     * would have to be drained first. So a different strategy is refused and nothing changes.
     *
     * @throws InvalidRequestException if {@code newSettings} has another strategy
     */
    public void update(GroupSettings newSettings) {
        checkUpdate(newSettings);
        settings = newSettings;
    }

    /** Throws what {@link #update} would throw for {@code newSettings}, and changes nothing. */
    void checkUpdate(GroupSettings newSettings) {
        Objects.requireNonNull(newSettings, "settings");
        if (newSettings.strategy() != settings.strategy()) {
            throw new InvalidRequestException("group '" + group + "': the strategy cannot change (from "
                    + settings.strategy() + " to " + newSettings.strategy() + ") on a live group: the deliveries"
                    + " already out follow the old one; delete the group and create it again (starting after its"
                    + " checkpoint " + checkpoint() + ") to switch");
        }
    }

    // ---------------------------------------------------------------- parked list

    /** Puts the parked event at {@code position} back into the group; returns it. */
    public ParkedEvent replayParked(long position) {
        ParkedEvent event = parked.get(position);
        if (event == null) {
            throw new UnknownParkedEventException("group '" + group + "' has no parked event at position " + position
                    + (parked.isEmpty() ? " (its parked list is empty)" : ""));
        }
        parked.remove(position);
        Entry entry = new Entry(event.event(), true);
        entries.put(position, entry);
        track(entry);
        return event;
    }

    /** Puts every parked event back into the group, in position order; returns how many. */
    public int replayAllParked() {
        List<Long> positions = new ArrayList<>(parked.keySet());
        positions.forEach(this::replayParked);
        return positions.size();
    }

    /**
     * The parked-list changes made since the last call, in order. The caller must make them durable
     * no later than the checkpoint that passes their events.
     */
    public List<ParkedChange> drainParkedChanges() {
        List<ParkedChange> changes = List.copyOf(parkedChanges);
        parkedChanges.clear();
        return changes;
    }

    /** Whether {@link #drainParkedChanges()} has anything to give. */
    public boolean hasParkedChanges() {
        return !parkedChanges.isEmpty();
    }

    // ---------------------------------------------------------------- what it holds

    public String group() {
        return group;
    }

    public GroupSettings settings() {
        return settings;
    }

    /** See the class comment; -1 before anything was settled in a group started from the beginning. */
    public long checkpoint() {
        return unsettledLive.isEmpty() ? lastPosition : unsettledLive.first() - 1;
    }

    /** The highest position the subscription has brought or scanned. */
    public long lastPosition() {
        return lastPosition;
    }

    /** The members, in join order. */
    public List<String> consumers() {
        return List.copyOf(consumers.keySet());
    }

    /** Every unsettled delivery, by id. */
    public List<Delivery> inFlight() {
        return inFlight.values().stream().map(e -> e.delivery).toList();
    }

    /** How many deliveries are unsettled. */
    public int inFlightCount() {
        return inFlight.size();
    }

    /** How many events are in the parked list. */
    public int parkedCount() {
        return parked.size();
    }

    /** The unsettled deliveries of one consumer, by id. */
    public List<Delivery> inFlightOf(String consumer) {
        return checkConsumer(consumer).stream().map(id -> inFlight.get(id).delivery).toList();
    }

    /**
     * The failed deliveries whose event went out again or waits to (a nack with retry, an expired
     * ack timeout, a consumer leaving with it), since this dispatcher was made; failures that
     * parked the event do not count.
     */
    public long redeliveries() {
        return redeliveries;
    }

    /** Events from the subscription not settled yet (pending, waiting for a retry, or in flight): what holds the checkpoint. */
    public int unsettledCount() {
        return unsettledLive.size();
    }

    /** The lowest-positioned event from the subscription not settled yet; empty when all are. */
    public Optional<RecordedEvent> oldestUnsettled() {
        return unsettledLive.isEmpty() ? Optional.empty() : Optional.of(entries.get(unsettledLive.first()).event);
    }

    /** Events the group holds but has not handed out (pending or waiting for a retry). */
    public int bufferedCount() {
        return entries.size() - inFlight.size();
    }

    /** The parked list, by position (events being replayed are not in it until they fail again). */
    public List<ParkedEvent> parked() {
        return List.copyOf(parked.values());
    }

    /** The consumer holding a delivery of {@code stream} now, in pinned mode; empty when none does. */
    public Optional<String> holderOf(String stream) {
        Lane lane = lanes.get(stream);
        if (lane == null || lane.inFlight == null) {
            return Optional.empty();
        }
        return Optional.of(entries.get(lane.inFlight).delivery.consumer());
    }

    /** The consumer that receives {@code stream}'s next event in pinned mode, with the current members. */
    public Optional<String> ownerOf(String stream) {
        return StreamOwners.ownerOf(stream, consumers.keySet());
    }

    // ---------------------------------------------------------------- internals

    private TreeSet<Long> checkConsumer(String consumer) {
        TreeSet<Long> held = consumer == null ? null : consumers.get(consumer);
        if (held == null) {
            throw new UnknownConsumerException("group '" + group + "' has no consumer named '" + consumer
                    + "' (it never joined, or it left); members: " + consumers.keySet());
        }
        return held;
    }

    private Entry checkDelivery(String consumer, long deliveryId) {
        checkConsumer(consumer);
        Entry entry = inFlight.get(deliveryId);
        if (entry == null) {
            throw new UnknownDeliveryException(deliveryId < 1 || deliveryId >= nextDeliveryId
                    ? "group '" + group + "' never issued delivery " + deliveryId
                    : "delivery " + deliveryId + " of group '" + group + "' is no longer open: it was settled, or it"
                            + " expired (ack timeout, or its consumer left) and its event goes out again");
        }
        String holder = entry.delivery.consumer();
        if (!holder.equals(consumer)) {
            throw new ForeignDeliveryException("delivery " + deliveryId + " of group '" + group + "' belongs to consumer '"
                    + holder + "', not to '" + consumer + "'");
        }
        return entry;
    }

    /** Starts tracking a new or replayed entry as pending. */
    private void track(Entry entry) {
        if (pinned) {
            lanes.computeIfAbsent(entry.event.stream(), Lane::new).positions.add(entry.position());
        }
        pending(entry);
    }

    private void pending(Entry entry) {
        entry.state = State.PENDING;
        entry.retryAt = null;
        if (pinned) {
            refresh(lanes.get(entry.event.stream()));
        } else {
            ready.add(entry.position());
        }
    }

    /** Takes a delivery back from its consumer (before it is settled, failed or parked). */
    private void release(Entry entry) {
        Delivery delivery = entry.delivery;
        byDeadline.remove(entry);
        inFlight.remove(delivery.id());
        consumers.get(delivery.consumer()).remove(delivery.id());
        entry.delivery = null;
        if (pinned) {
            lanes.get(entry.event.stream()).inFlight = null;
        }
    }

    /** A delivery failed: the event goes out again (after the backoff if asked) or is parked. */
    private void failed(Entry entry, String reason, boolean backoff) {
        if (entry.attempts > settings.maxRetries()) {
            park(entry, reason + " (" + entry.attempts + " deliveries, max retries " + settings.maxRetries() + ")");
            return;
        }
        redeliveries++;
        if (backoff && !settings.retryBackoff().isZero()) {
            entry.state = State.WAITING_RETRY;
            entry.retryAt = now.plus(settings.backoffAfter(entry.attempts));
            waiting.add(entry);
            if (pinned) {
                refresh(lanes.get(entry.event.stream()));
            }
        } else {
            pending(entry);
        }
    }

    private void settle(Entry entry) {
        untrack(entry);
        if (entry.replay) {
            parkedChanges.add(new ParkedChange.Resolved(entry.position()));
        }
    }

    private void park(Entry entry, String reason) {
        untrack(entry);
        ParkedEvent event = new ParkedEvent(entry.event, entry.attempts, reason);
        parked.put(entry.position(), event);
        parkedChanges.add(new ParkedChange.Parked(event));
    }

    private void untrack(Entry entry) {
        entries.remove(entry.position());
        unsettledLive.remove(entry.position());
        ready.remove(entry.position());
        if (entry.state == State.WAITING_RETRY) {
            waiting.remove(entry);
        }
        if (pinned) {
            Lane lane = lanes.get(entry.event.stream());
            lane.positions.remove(entry.position());
            refresh(lane);
        }
    }

    /** Makes the lane's head ready if the lane is idle and its head pending; drops an empty lane. */
    private void refresh(Lane lane) {
        if (lane.readyPosition != null) {
            ready.remove(lane.readyPosition);
            lane.readyPosition = null;
        }
        if (lane.positions.isEmpty()) {
            lanes.remove(lane.stream);
            return;
        }
        Entry head = entries.get(lane.positions.first());
        if (lane.inFlight == null && head.state == State.PENDING) {
            ready.add(head.position());
            lane.readyPosition = head.position();
        }
    }

    private List<Delivery> handOutRoundRobin() {
        List<Delivery> out = new ArrayList<>();
        List<String> order = new ArrayList<>(consumers.keySet());
        while (!ready.isEmpty() && !order.isEmpty()) {
            String consumer = null;
            for (int i = 0; i < order.size() && consumer == null; i++) {
                String candidate = order.get((roundRobinNext + i) % order.size());
                if (hasRoom(candidate)) {
                    consumer = candidate;
                    roundRobinNext = (roundRobinNext + i + 1) % order.size();
                }
            }
            if (consumer == null) {
                break;
            }
            out.add(deliver(entries.get(ready.first()), consumer));
        }
        return out;
    }

    private List<Delivery> handOutPinned() {
        List<Delivery> out = new ArrayList<>();
        for (Long position : new ArrayList<>(ready)) {
            if (consumers.keySet().stream().noneMatch(this::hasRoom)) {
                break;
            }
            Entry entry = entries.get(position);
            Optional<String> owner = ownerOf(entry.event.stream());
            if (owner.isPresent() && hasRoom(owner.get())) {
                out.add(deliver(entry, owner.get()));
            }
        }
        return out;
    }

    private boolean hasRoom(String consumer) {
        return consumers.get(consumer).size() < settings.maxInFlightPerConsumer();
    }

    private Delivery deliver(Entry entry, String consumer) {
        ready.remove(entry.position());
        if (pinned) {
            Lane lane = lanes.get(entry.event.stream());
            lane.readyPosition = null;
            lane.inFlight = entry.position();
        }
        entry.attempts++;
        entry.state = State.IN_FLIGHT;
        Delivery delivery = new Delivery(nextDeliveryId++, consumer, entry.event, entry.attempts, entry.replay,
                now.plus(settings.ackTimeout()));
        entry.delivery = delivery;
        entry.ackTimeout = settings.ackTimeout();
        inFlight.put(delivery.id(), entry);
        byDeadline.add(entry);
        consumers.get(consumer).add(delivery.id());
        return delivery;
    }

    /** The dispatcher's clock never goes back, which keeps deadlines in delivery-id order. */
    private void advanceTo(Instant time) {
        if (time.isAfter(now)) {
            now = time;
        }
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }
}
