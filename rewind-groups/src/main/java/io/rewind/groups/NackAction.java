package io.rewind.groups;

/** What a consumer asks the group to do with an event it could not handle. */
public enum NackAction {
    /** Deliver it again after the retry backoff (counts as an attempt; parked after the last). */
    RETRY,
    /** Give it up: it counts as settled, like an ack, and is never delivered again. */
    SKIP,
    /** Put it in the group's parked list at once, where it waits for a replay. */
    PARK
}
