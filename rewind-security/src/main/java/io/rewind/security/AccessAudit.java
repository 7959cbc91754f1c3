package io.rewind.security;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts and logs denied requests. Every denial is counted, per {@link Operation} (the metrics module
 * reads {@link #denied(Operation)}; this module has no metrics dependency). Denials are logged at
 * WARN, at most one line per {@link #LOG_INTERVAL_NANOS} nanoseconds (one second): a caller hammering
 * the server with denied requests cannot flood the log; the next line says how many were not logged
 * in between. A line names the principal, the operation and the stream (or {@code $all}), never
 * event data or a credential. Thread-safe.
 */
public final class AccessAudit {

    /** At most one denial logged per this many nanoseconds. */
    public static final long LOG_INTERVAL_NANOS = 1_000_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(AccessAudit.class);

    private final Map<Operation, LongAdder> denied = new EnumMap<>(Operation.class);
    private final LongSupplier clock;
    private final AtomicLong nextLogAt;
    private final LongAdder unlogged = new LongAdder();

    public AccessAudit() {
        this(System::nanoTime);
    }

    AccessAudit(LongSupplier clock) {
        this.clock = clock;
        this.nextLogAt = new AtomicLong(clock.getAsLong());
        for (Operation operation : Operation.values()) {
            denied.put(operation, new LongAdder());
        }
    }

    /** Records a denial of {@code operation} on {@code target} (a stream, {@code $all}, or what was asked) to {@code principal}. */
    public void denied(String principal, Operation operation, String target) {
        denied.get(operation).increment();
        long now = clock.getAsLong();
        long due = nextLogAt.get();
        if (now - due >= 0 && nextLogAt.compareAndSet(due, now + LOG_INTERVAL_NANOS)) {
            long skipped = unlogged.sumThenReset();
            if (skipped == 0) {
                LOG.warn("Denied: principal '{}', operation {}, target '{}'", principal, operation.tag(), target);
            } else {
                LOG.warn("Denied: principal '{}', operation {}, target '{}' ({} more denials not logged since the last line)",
                        principal, operation.tag(), target, skipped);
            }
        } else {
            unlogged.increment();
        }
    }

    /** Denials of {@code operation} since this audit was made. */
    public long denied(Operation operation) {
        return denied.get(operation).sum();
    }

    /** Denials of every operation since this audit was made. */
    public long deniedTotal() {
        long total = 0;
        for (LongAdder count : denied.values()) {
            total += count.sum();
        }
        return total;
    }
}
