package io.rewind.groups;

/**
 * One group's numbers for monitoring, as {@link GroupService#metrics()} computes them from the
 * state the service's thread last published (after its latest step) and the store's head now.
 * Immutable.
 *
 * @param group        the group's name
 * @param consumers    members now
 * @param inFlight     deliveries handed out and not settled yet
 * @param lagEvents    the events the group still has to settle, as far as it can count them without
 *                     reading: the events its filter matched that it has read and not yet settled
 *                     (pending, waiting for a retry, or in flight; replays of parked events not
 *                     counted), plus every store position after the last one it read up to the head
 *                     (those are positions, not matching events: they include events its filter
 *                     does not match and the groups' own system-stream writes). 0 when the group has
 *                     read up to the head and settled everything
 * @param lagSeconds   now minus the recorded time of the oldest event the group read and has not
 *                     settled (the event that holds the checkpoint back); 0 when it has none
 * @param redeliveries failed deliveries whose event went out again or waits to (nack with retry, an
 *                     ack timeout, a consumer leaving with it) since the service started the group;
 *                     failures that parked the event are not counted
 * @param parked       events in the parked list
 */
public record GroupMetrics(String group, int consumers, int inFlight, long lagEvents, double lagSeconds,
        long redeliveries, int parked) {
}
