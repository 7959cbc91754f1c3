package io.rewind.groups;

/** How a group shares its events among its consumers. */
public enum Strategy {
    /**
     * Each event goes to the next consumer (in join order) that has room; no order between events
     * is promised, not even within a stream.
     */
    ROUND_ROBIN,
    /**
     * All events of a stream go to one consumer, one at a time, in stream order, for as long as the
     * group's membership stays the same; see {@link GroupDispatcher} for how streams move when it
     * changes.
     */
    PINNED_BY_STREAM
}
