package io.rewind.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The events one read returned, in the read's order, and where the next read continues.
 * Immutable and thread-safe.
 *
 * @param events            the events, in the direction of the read
 * @param byteBudgetReached whether the read's byte budget ({@link ReadOptions#maxBytes()}) stopped
 *                          it: the next event in its direction would have taken it over
 * @param next              the {@code from} of the read that continues this one, just after the
 *                          last event returned in the read's direction (its version for a stream
 *                          read, its position for a read of the whole store); empty when the page
 *                          is empty or a backward read returned version or position 0
 */
public record EventPage(List<RecordedEvent> events, boolean byteBudgetReached, OptionalLong next) {

    public EventPage {
        events = List.copyOf(events);
        Objects.requireNonNull(next, "next");
    }

    /** The page of a stream read, collected under {@code options}. */
    public static Builder forStream(ReadOptions options) {
        return new Builder(options, true);
    }

    /** The page of a read of the whole store, collected under {@code options}. */
    public static Builder forAll(ReadOptions options) {
        return new Builder(options, false);
    }

    /**
     * Collects the events of one read under its options' limits: the one place that applies the
     * event limit and the byte budget, so that every store cuts a read at the same event. Not
     * thread-safe; one read at a time.
     */
    public static final class Builder {
        /** What {@link #expectedFit} suggests before any event size is known, under a byte budget. */
        private static final int FIRST_FETCH = 16;

        private final ReadOptions options;
        private final boolean byVersion;
        private final List<RecordedEvent> events = new ArrayList<>();
        private long bytes;
        private boolean budgetReached;

        private Builder(ReadOptions options, boolean byVersion) {
            this.options = Objects.requireNonNull(options, "options");
            this.byVersion = byVersion;
        }

        /**
         * Adds the next event in the read's direction if the limits allow it.
         *
         * @return whether it was added; once false, the page is full and stays full
         */
        public boolean offer(RecordedEvent event) {
            if (isFull()) {
                return false;
            }
            long size = ReadOptions.sizeOf(event);
            if (!events.isEmpty() && size > options.maxBytes() - bytes) {
                budgetReached = true;
                return false;
            }
            events.add(event);
            bytes += size;
            return true;
        }

        /**
         * Records that the next event in the read's direction exists and does not fit the budget,
         * for a reader that learned it elsewhere (a remote client, from the server's reply): the
         * page is full and says the budget stopped it.
         */
        public void stopForBudget() {
            budgetReached = true;
        }

        /** The bytes of budget left ({@link ReadOptions#NO_BYTE_LIMIT} when there is no budget), never negative. */
        public long remainingBytes() {
            return options.maxBytes() == ReadOptions.NO_BYTE_LIMIT ? ReadOptions.NO_BYTE_LIMIT
                    : Math.max(0, options.maxBytes() - bytes);
        }

        /** The events the event limit still allows. */
        public int remainingEvents() {
            return options.maxEvents() - events.size();
        }

        /**
         * Whether no further event can be added: the event limit is reached, or an event was refused
         * for the budget. (A spent budget still takes an event of size 0, so only a refusal tells.)
         */
        public boolean isFull() {
            return budgetReached || events.size() >= options.maxEvents();
        }

        /** The events collected so far. */
        public int size() {
            return events.size();
        }

        /** The bytes collected so far, as {@link ReadOptions#sizeOf} counts them. */
        public long bytes() {
            return bytes;
        }

        /**
         * How many more events a reader should fetch at once, at most {@code cap}: what the event
         * limit allows and, under a byte budget, about as many events of the average size seen so far
         * as the rest of the budget holds (plus one, to find out whether the next one fits), or a
         * small first fetch before any event was seen. At least 1.
         */
        public int expectedFit(int cap) {
            long fit = Math.min(cap, remainingEvents());
            if (options.maxBytes() != ReadOptions.NO_BYTE_LIMIT) {
                long average = events.isEmpty() ? 0 : Math.max(1, bytes / events.size());
                fit = Math.min(fit, average == 0 ? FIRST_FETCH : Math.max(0, options.maxBytes() - bytes) / average + 1);
            }
            return (int) Math.max(1, fit);
        }

        /** The page. */
        public EventPage build() {
            OptionalLong next = OptionalLong.empty();
            if (!events.isEmpty()) {
                RecordedEvent last = events.get(events.size() - 1);
                long at = byVersion ? last.version() : last.position();
                if (options.direction() == Direction.FORWARD) {
                    next = OptionalLong.of(at + 1);
                } else if (at > 0) {
                    next = OptionalLong.of(at - 1);
                }
            }
            return new EventPage(events, budgetReached, next);
        }
    }
}
