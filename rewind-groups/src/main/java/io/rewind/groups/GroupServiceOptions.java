package io.rewind.groups;

import io.rewind.api.InvalidRequestException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link GroupService} runs. Immutable.
 *
 * @param flushInterval how long a changed checkpoint (or parked list) may wait before it is
 *                      written; a crash loses at most this much progress, which costs redeliveries,
 *                      never a skipped event (1 ms to 1 minute)
 * @param maxBuffered   the most events a group reads ahead of its consumers (1 to 1,000,000): the
 *                      read-ahead stops there, so a group far behind holds a bounded number of
 *                      events in memory
 * @param readBatch     the most events one read of the store fetches (1 to 10,000)
 * @param clock         the time the dispatchers run on
 * @param fenceOnOpen   whether {@link GroupService#open} writes every group's checkpoint once, at the
 *                      versions it read, before it serves: a state write of an earlier service over
 *                      the same store (a deposed cluster leader's, retried by its node) that was not
 *                      stored by then is refused from then on (docs/GROUPS.md, "On a cluster")
 */
public record GroupServiceOptions(Duration flushInterval, int maxBuffered, int readBatch, Clock clock,
        boolean fenceOnOpen) {

    public GroupServiceOptions {
        Objects.requireNonNull(flushInterval, "flushInterval");
        if (flushInterval.compareTo(Duration.ofMillis(1)) < 0 || flushInterval.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new InvalidRequestException("group flush interval must be 1 ms to 1 minute, was " + flushInterval);
        }
        if (maxBuffered < 1 || maxBuffered > 1_000_000) {
            throw new InvalidRequestException("group read-ahead (max buffered) must be 1 to 1000000, was " + maxBuffered);
        }
        if (readBatch < 1 || readBatch > 10_000) {
            throw new InvalidRequestException("group read batch must be 1 to 10000, was " + readBatch);
        }
        Objects.requireNonNull(clock, "clock");
    }

    /** As the canonical constructor, without the fence at open. */
    public GroupServiceOptions(Duration flushInterval, int maxBuffered, int readBatch, Clock clock) {
        this(flushInterval, maxBuffered, readBatch, clock, false);
    }

    /**
     * Checkpoints written at most every 200 ms, 10,000 events read ahead, reads of 500, the system
     * clock, no fence at open.
     */
    public static GroupServiceOptions defaults() {
        return new GroupServiceOptions(Duration.ofMillis(200), 10_000, 500, Clock.systemUTC(), false);
    }

    public GroupServiceOptions withFlushInterval(Duration value) {
        return new GroupServiceOptions(value, maxBuffered, readBatch, clock, fenceOnOpen);
    }

    public GroupServiceOptions withMaxBuffered(int value) {
        return new GroupServiceOptions(flushInterval, value, readBatch, clock, fenceOnOpen);
    }

    public GroupServiceOptions withReadBatch(int value) {
        return new GroupServiceOptions(flushInterval, maxBuffered, value, clock, fenceOnOpen);
    }

    public GroupServiceOptions withFenceOnOpen(boolean value) {
        return new GroupServiceOptions(flushInterval, maxBuffered, readBatch, clock, value);
    }
}
