package io.rewind.api;

import java.util.List;

/**
 * The streams the server keeps its own state in (consumer group definitions, checkpoints and parked
 * lists), so that this state is stored, replicated, backed up and restored like every other event.
 * Their names start with {@value #PREFIX}; that prefix is reserved.
 *
 * <p>The stores themselves do not refuse these names (the server writes them through the same
 * {@link EventStore}); the servers do (ZeroMQ and HTTP): an append from a user to a reserved name is refused with
 * {@link #refuseUserAppend}'s error, and a stream listing leaves them out unless its prefix itself
 * starts with {@value #PREFIX}. Reads, global reads and subscriptions to every stream see them,
 * as KurrentDB's {@code $all} shows its system events. Thread-safe (no state).
 */
public final class SystemStreams {

    /** Every system stream's name starts with this. */
    public static final String PREFIX = "$rewind.";

    private SystemStreams() {
    }

    /** Whether {@code stream} is a system stream. */
    public static boolean isSystem(String stream) {
        return stream != null && stream.startsWith(PREFIX);
    }

    /** Whether a listing with this prefix asked for system streams (its prefix is inside the reserved one). */
    public static boolean listingAsksForSystem(String listingPrefix) {
        return isSystem(listingPrefix);
    }

    /**
     * The streams of a listing page a user sees: without the system streams unless the listing's
     * prefix asked for them. The cursor stays the store's, so a page may come back shorter than its
     * limit (even empty) with a cursor to continue from.
     */
    public static List<StreamInfo> userView(StreamPage page, String listingPrefix) {
        if (listingAsksForSystem(listingPrefix)) {
            return page.streams();
        }
        return page.streams().stream().filter(s -> !isSystem(s.stream())).toList();
    }

    /**
     * Refuses an append a user sent if it writes to, or checks, a system stream.
     *
     * @throws InvalidRequestException naming the first reserved stream of the request
     */
    public static void refuseUserAppend(AppendRequest request) {
        for (AppendRequest.StreamAppend append : request.appends()) {
            refuse(append.stream());
        }
        for (AppendRequest.StreamCheck check : request.checks()) {
            refuse(check.stream());
        }
    }

    private static void refuse(String stream) {
        if (isSystem(stream)) {
            throw new InvalidRequestException("stream '" + stream + "' is reserved: names starting with '" + PREFIX
                    + "' hold the server's own state (consumer groups) and cannot be written by clients;"
                    + " choose a name without that prefix");
        }
    }
}
