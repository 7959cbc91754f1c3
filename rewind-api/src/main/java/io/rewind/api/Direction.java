package io.rewind.api;

/** The direction of a read. */
public enum Direction {
    /** From the given version or position towards the newest event, both inclusive. */
    FORWARD,
    /** From the given version or position towards the oldest event, both inclusive. */
    BACKWARD
}
