package io.rewind.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: attempt {@code n} (from 1) waits between half and all of
 * {@code min × 2^(n-1)}, capped at {@code max}. The jitter spreads the reconnections of many clients
 * after a server restart. Immutable and thread-safe.
 */
final class Backoff {

    private final long minNanos;
    private final long maxNanos;

    Backoff(Duration min, Duration max) {
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
    }

    /** The wait before attempt {@code attempt} (1 for the first retry). */
    long delayNanos(int attempt) {
        long ceiling = ceilingNanos(attempt);
        long floor = Math.max(minNanos, ceiling / 2);
        return floor >= ceiling ? ceiling : ThreadLocalRandom.current().nextLong(floor, ceiling + 1);
    }

    /** The longest wait before attempt {@code attempt}: {@code min × 2^(attempt-1)}, at most max. */
    long ceilingNanos(int attempt) {
        int doublings = Math.max(0, Math.min(attempt - 1, 62));
        long ceiling = minNanos;
        for (int i = 0; i < doublings && ceiling < maxNanos; i++) {
            ceiling = ceiling > maxNanos / 2 ? maxNanos : ceiling * 2;
        }
        return Math.min(ceiling, maxNanos);
    }
}
