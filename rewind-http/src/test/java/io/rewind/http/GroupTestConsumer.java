package io.rewind.http;

import io.rewind.api.RecordedEvent;
import io.rewind.groups.Delivery;
import io.rewind.groups.DeliverySink;
import io.rewind.groups.GroupInfo;
import io.rewind.groups.GroupService;
import io.rewind.groups.NackAction;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A consumer of a real {@link GroupService}, in-process (HTTP serves no consuming): it parks the
 * first delivery of every event {@code park} picks (a nack with PARK and {@link #REASON}), and acks
 * everything else, replays included, so a replayed event leaves the parked list for good. It
 * settles inside {@code deliver}, on the service's thread, as the service allows.
 */
final class GroupTestConsumer implements DeliverySink {

    static final String REASON = "the test's consumer parks it";
    private static final long TIMEOUT_MS = 30_000;

    private final GroupService groups;
    private final String group;
    private final String name;
    private final Predicate<RecordedEvent> park;
    /** Every delivery it got, in order. */
    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

    private GroupTestConsumer(GroupService groups, String group, String name, Predicate<RecordedEvent> park) {
        this.groups = groups;
        this.group = group;
        this.name = name;
        this.park = park;
    }

    /** Joins {@code group} as {@code name}. */
    static GroupTestConsumer join(GroupService groups, String group, String name, Predicate<RecordedEvent> park) {
        GroupTestConsumer consumer = new GroupTestConsumer(groups, group, name, park);
        groups.join(group, name, consumer);
        return consumer;
    }

    @Override
    public void deliver(Delivery delivery) {
        deliveries.add(delivery);
        if (!delivery.replay() && park.test(delivery.event())) {
            groups.nack(group, name, delivery.id(), NackAction.PARK, REASON);
        } else {
            groups.ack(group, name, delivery.id());
        }
    }

    /** Why the service took it out of the group (the group deleted, the service closed); null while it is in. */
    volatile String closedBecause;

    @Override
    public void closed(String reason) {
        closedBecause = reason;
    }

    void leave() {
        groups.leave(group, name);
    }

    /** Waits (up to 30 s) until the group's state satisfies {@code condition}; returns that state. */
    static GroupInfo await(GroupService groups, String group, Predicate<GroupInfo> condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000;
        GroupInfo info = groups.describe(group);
        while (!condition.test(info)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("group '" + group + "': not " + what + " within " + TIMEOUT_MS + " ms: " + info);
            }
            Thread.sleep(10);
            info = groups.describe(group);
        }
        return info;
    }
}
