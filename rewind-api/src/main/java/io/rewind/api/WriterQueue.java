package io.rewind.api;

/**
 * What waits for a store's writer at one moment: appends admitted (accepted, not yet acknowledged)
 * and the bounds past which further appends fail at once with {@link StoreOverloadedException}.
 * A queue near its bounds means the writer (the disk, the database) is the bottleneck.
 *
 * @param events    events admitted and not yet acknowledged
 * @param bytes     their data and metadata bytes
 * @param maxEvents the bound on {@code events}
 * @param maxBytes  the bound on {@code bytes}
 */
public record WriterQueue(long events, long bytes, long maxEvents, long maxBytes) {
}
