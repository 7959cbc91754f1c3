package io.rewind.sql;

import java.time.Instant;

/** Instants as whole microseconds since the epoch, the precision events are recorded at. Stateless. */
final class Micros {

    private static final long PER_SECOND = 1_000_000L;
    private static final int NANOS_PER_MICRO = 1_000;

    /** The earliest and latest instants every database stores: the years 1 to 9999. */
    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    private Micros() {
    }

    /** The microseconds since the epoch of {@code instant}, rounded down. */
    static long of(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), PER_SECOND),
                instant.getNano() / NANOS_PER_MICRO);
    }

    /**
     * The microseconds since the epoch of {@code instant}, rounded up: a microsecond timestamp is at
     * or after {@code instant} exactly when it is at or after this.
     */
    static long ceilingOf(Instant instant) {
        long micros = of(instant);
        return instant.getNano() % NANOS_PER_MICRO == 0 ? micros : micros + 1;
    }

    /**
     * The bound to compare stored timestamps with to find those at or after {@code time}: rounded
     * up to the microsecond (a driver would round a finer instant to the nearest one, possibly down)
     * and brought into {@link #EARLIEST} .. {@link #LATEST}, inside which every clock timestamp lies.
     */
    static Instant atOrAfterBound(Instant time) {
        if (time.isBefore(EARLIEST)) {
            return EARLIEST;
        }
        if (time.isAfter(LATEST)) {
            return LATEST;
        }
        return toInstant(ceilingOf(time));
    }

    static Instant toInstant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, PER_SECOND),
                Math.floorMod(micros, PER_SECOND) * NANOS_PER_MICRO);
    }
}
