package io.rewind.log;

import java.time.Duration;
import java.util.Objects;

/**
 * When the log forces written records to stable storage, and therefore what an acknowledged
 * append promises. The acknowledgement never claims more than the policy delivers.
 * Immutable and thread-safe.
 *
 * <ul>
 *   <li>{@link #ALWAYS} (the default): an append is acknowledged only after {@code fsync} of the
 *       batch that carried it; an acknowledged event survives a power failure.</li>
 *   <li>{@link #interval(Duration)}: an append is acknowledged once written to the operating
 *       system; the writer forces at least once per interval, so a power failure loses at most
 *       about one interval of acknowledged events (a process crash loses none).</li>
 *   <li>{@link #NEVER}: acknowledged once written to the operating system; forced only when a
 *       segment is sealed, indexes are flushed and the store closes.</li>
 * </ul>
 */
public final class Durability {

    /** The kinds of policy. */
    public enum Mode { ALWAYS, INTERVAL, NEVER }

    /** Acknowledge after fsync (the default). */
    public static final Durability ALWAYS = new Durability(Mode.ALWAYS, Duration.ZERO);
    /** Acknowledge after the write to the operating system; fsync only at seal, flush and close. */
    public static final Durability NEVER = new Durability(Mode.NEVER, Duration.ZERO);

    private final Mode mode;
    private final Duration interval;

    private Durability(Mode mode, Duration interval) {
        this.mode = mode;
        this.interval = interval;
    }

    /**
     * Parses the form users write: {@code always}, {@code never} or {@code interval:MS} with MS > 0
     * (the inverse of the command line's {@code --fsync}).
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static Durability parse(String text) {
        if (text.equals("always")) {
            return ALWAYS;
        }
        if (text.equals("never")) {
            return NEVER;
        }
        if (text.startsWith("interval:")) {
            try {
                long millis = Long.parseLong(text.substring("interval:".length()));
                if (millis > 0) {
                    return interval(Duration.ofMillis(millis));
                }
            } catch (NumberFormatException e) {
                // reported below with the accepted forms
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a durability mode"
                + " (use always, never or interval:MS with MS > 0)");
    }

    /** Acknowledge after the write; fsync at least every {@code interval} (which must be positive). */
    public static Durability interval(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("durability interval must be positive, was " + interval);
        }
        return new Durability(Mode.INTERVAL, interval);
    }

    public Mode mode() {
        return mode;
    }

    /** The longest time between two forces in {@link Mode#INTERVAL}; zero for the other modes. */
    public Duration interval() {
        return interval;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Durability other && mode == other.mode && interval.equals(other.interval);
    }

    @Override
    public int hashCode() {
        return mode.hashCode() * 31 + interval.hashCode();
    }

    @Override
    public String toString() {
        return mode == Mode.INTERVAL ? "interval(" + interval + ")" : mode.name().toLowerCase(java.util.Locale.ROOT);
    }
}
