package io.rewind.server;

import io.rewind.api.Direction;
import io.rewind.api.Limits;
import io.rewind.api.RecordedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A read of up to {@code limit} events whose reply must stay under a byte budget. It asks the
 * store in chunks sized from the events seen so far, so the server holds about one budget of
 * events (plus one small first chunk) instead of {@code limit} events of unknown size. Stateless.
 *
 * @param events    the events, in the order read
 * @param truncated whether the budget, not the limit or the end of the data, stopped the read
 */
record BoundedRead(List<RecordedEvent> events, boolean truncated) {

    /** The first chunk: small, because nothing is known yet about event sizes. */
    static final int FIRST_CHUNK = 32;
    /** What one event costs in a reply beyond its data and metadata (names, numbers, framing). */
    static final long EVENT_OVERHEAD = 128;

    /** One store read: from a version or position, in a direction, at most {@code limit} events. */
    interface Reader {
        List<RecordedEvent> read(long from, Direction direction, int limit);
    }

    /**
     * Reads like {@code reader.read(from, direction, limit)} but cut at {@code budgetBytes} (at least
     * one event is returned when there is one).
     *
     * @param key the version or position of an event, whichever {@code from} counts in
     */
    static BoundedRead read(Reader reader, long from, Direction direction, int limit, long budgetBytes,
            ToLongFunction<RecordedEvent> key) {
        if (limit < 1 || limit > Limits.MAX_READ_LIMIT) {
            // Out of range: let the store raise its own error, so remote and embedded agree.
            return new BoundedRead(reader.read(from, direction, limit), false);
        }
        List<RecordedEvent> events = new ArrayList<>();
        long bytes = 0;
        long cursor = from;
        int chunk = Math.min(limit, FIRST_CHUNK);
        while (true) {
            List<RecordedEvent> page = reader.read(cursor, direction, chunk);
            for (RecordedEvent event : page) {
                long size = size(event);
                if (!events.isEmpty() && bytes + size > budgetBytes) {
                    return new BoundedRead(events, true);
                }
                events.add(event);
                bytes += size;
            }
            if (page.size() < chunk || events.size() >= limit) {
                return new BoundedRead(events, false);
            }
            long last = key.applyAsLong(page.get(page.size() - 1));
            if (direction == Direction.BACKWARD && last == 0) {
                return new BoundedRead(events, false);
            }
            cursor = direction == Direction.FORWARD ? last + 1 : last - 1;
            chunk = nextChunk(limit - events.size(), budgetBytes - bytes, bytes / events.size());
        }
    }

    /** How many events to ask for next: as many as the remaining budget holds at the average size seen. */
    static int nextChunk(int remainingLimit, long remainingBudget, long averageSize) {
        long fit = Math.max(1, remainingBudget / Math.max(1, averageSize) + 1);
        return (int) Math.min(remainingLimit, Math.min(fit, Limits.MAX_READ_LIMIT));
    }

    static long size(RecordedEvent event) {
        return event.dataSize() + event.metadataSize() + EVENT_OVERHEAD;
    }
}
