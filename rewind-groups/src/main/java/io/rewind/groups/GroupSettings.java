package io.rewind.groups;

import io.rewind.api.InvalidRequestException;
import java.time.Duration;
import java.util.Objects;

/**
 * How a group hands out events. Immutable and thread-safe; the compact constructor checks every
 * value, so a group can never run with settings it cannot honour.
 *
 * @param maxInFlightPerConsumer the most unsettled deliveries one consumer holds at once (1 to 10,000)
 * @param ackTimeout             how long a delivery may stay unsettled before it counts as failed
 *                               and the event is delivered again (1 ms to 1 day)
 * @param maxRetries             how many times an event is delivered again after a failure (nack
 *                               with retry, timeout, or its consumer leaving) before it is parked
 *                               (0 to 1,000); an event is delivered at most {@code 1 + maxRetries}
 *                               times before it is parked
 * @param retryBackoff           the wait before the first redelivery after a nack with retry; it
 *                               doubles with each further attempt, up to {@link #MAX_BACKOFF_DOUBLINGS}
 *                               doublings (0 to 1 hour)
 * @param strategy               round-robin or pinned by stream
 */
public record GroupSettings(int maxInFlightPerConsumer, Duration ackTimeout, int maxRetries, Duration retryBackoff,
        Strategy strategy) {

    /** The backoff doubles at most this many times (so the longest wait is 1024 × the backoff). */
    public static final int MAX_BACKOFF_DOUBLINGS = 10;

    public GroupSettings {
        if (maxInFlightPerConsumer < 1 || maxInFlightPerConsumer > 10_000) {
            throw new InvalidRequestException("group setting max in flight per consumer must be 1 to 10000, was "
                    + maxInFlightPerConsumer);
        }
        Objects.requireNonNull(ackTimeout, "ackTimeout");
        if (ackTimeout.compareTo(Duration.ofMillis(1)) < 0 || ackTimeout.compareTo(Duration.ofDays(1)) > 0) {
            throw new InvalidRequestException("group setting ack timeout must be 1 ms to 1 day, was " + ackTimeout);
        }
        if (maxRetries < 0 || maxRetries > 1_000) {
            throw new InvalidRequestException("group setting max retries must be 0 to 1000, was " + maxRetries);
        }
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        if (retryBackoff.isNegative() || retryBackoff.compareTo(Duration.ofHours(1)) > 0) {
            throw new InvalidRequestException("group setting retry backoff must be 0 to 1 hour, was " + retryBackoff);
        }
        Objects.requireNonNull(strategy, "strategy");
    }

    /** 10 in flight per consumer, a 30 s ack timeout, 10 retries, a 1 s backoff, round-robin. */
    public static GroupSettings defaults() {
        return new GroupSettings(10, Duration.ofSeconds(30), 10, Duration.ofSeconds(1), Strategy.ROUND_ROBIN);
    }

    public GroupSettings withMaxInFlightPerConsumer(int value) {
        return new GroupSettings(value, ackTimeout, maxRetries, retryBackoff, strategy);
    }

    public GroupSettings withAckTimeout(Duration value) {
        return new GroupSettings(maxInFlightPerConsumer, value, maxRetries, retryBackoff, strategy);
    }

    public GroupSettings withMaxRetries(int value) {
        return new GroupSettings(maxInFlightPerConsumer, ackTimeout, value, retryBackoff, strategy);
    }

    public GroupSettings withRetryBackoff(Duration value) {
        return new GroupSettings(maxInFlightPerConsumer, ackTimeout, maxRetries, value, strategy);
    }

    public GroupSettings withStrategy(Strategy value) {
        return new GroupSettings(maxInFlightPerConsumer, ackTimeout, maxRetries, retryBackoff, value);
    }

    /** The wait before redelivering after the {@code attempts}-th failed delivery (1 or more). */
    Duration backoffAfter(int attempts) {
        int doublings = Math.min(Math.max(attempts - 1, 0), MAX_BACKOFF_DOUBLINGS);
        return retryBackoff.multipliedBy(1L << doublings);
    }
}
