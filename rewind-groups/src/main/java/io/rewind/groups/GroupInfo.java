package io.rewind.groups;

import java.util.List;

/**
 * A group as {@link GroupService#describe} sees it at one moment. Immutable.
 *
 * @param definition          what the group is
 * @param checkpoint          the dispatcher's checkpoint (see {@link GroupDispatcher#checkpoint()})
 * @param durableCheckpoint   the checkpoint last written to the store: where a restart resumes
 * @param head                the store's head position when described
 * @param consumers           the members, in join order
 * @param inFlight            unsettled deliveries
 * @param buffered            events read and not yet handed out
 * @param parked              events in the parked list
 */
public record GroupInfo(GroupDefinition definition, long checkpoint, long durableCheckpoint, long head,
        List<String> consumers, int inFlight, int buffered, int parked) {

    public GroupInfo {
        consumers = List.copyOf(consumers);
    }

    /** Positions between the checkpoint and the head (an upper bound on unsettled events). */
    public long lagPositions() {
        return Math.max(0, head - checkpoint);
    }
}
