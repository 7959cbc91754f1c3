package io.rewind.server;

import io.rewind.api.Limits;
import io.rewind.api.RecordedEvent;

/**
 * How the {@link SubscriptionHub} sizes its history pages and DELIVER messages: what one event costs
 * in a message, and how many events to read next so that a page holds about one
 * {@link ServerConfig#maxReplyBytes()}. (Reads for clients are bounded by the stores' byte budget
 * instead.) Stateless.
 */
final class DeliverySizes {

    /** The first page of a subscription: small, because nothing is known yet about event sizes. */
    static final int FIRST_PAGE = 32;
    /** What one event costs in a message beyond its data and metadata (names, numbers, framing). */
    static final long EVENT_OVERHEAD = 128;

    private DeliverySizes() {
    }

    /** How many events to read next: as many as the remaining budget holds at the average size seen. */
    static int nextPage(int remainingLimit, long remainingBudget, long averageSize) {
        long fit = Math.max(1, remainingBudget / Math.max(1, averageSize) + 1);
        return (int) Math.min(remainingLimit, Math.min(fit, Limits.MAX_READ_LIMIT));
    }

    static long size(RecordedEvent event) {
        return event.dataSize() + event.metadataSize() + EVENT_OVERHEAD;
    }
}
