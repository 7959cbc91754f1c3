package io.rewind.http;

/**
 * One live feed as the server sees it: what was asked, in which format, and the position of the
 * last event it delivered (its start point before the first). The store's head minus that position
 * is how far the feed's client lags.
 *
 * @param request      the path and query of the feed's request
 * @param format       {@code sse} or {@code ndjson}
 * @param lastPosition the last position delivered
 */
public record FeedStatus(String request, String format, long lastPosition) {
}
