package io.rewind.client;

import io.rewind.protocol.command.CommandReply;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The requests sent and not yet answered, by request id. Every request gets the same timeout, so
 * insertion order is deadline order and expiry only ever looks at the oldest entries.
 * I/O thread only.
 */
final class InFlight {

    /** One request waiting for its reply. */
    record Request(long id, String command, CompletableFuture<CommandReply> reply, long deadlineNanos) {
    }

    private final Map<Long, Request> requests = new LinkedHashMap<>();
    private final long timeoutNanos;

    InFlight(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /** Registers a request just sent at {@code nowNanos}. */
    void add(long id, String command, CompletableFuture<CommandReply> reply, long nowNanos) {
        requests.put(id, new Request(id, command, reply, nowNanos + timeoutNanos));
    }

    /** The request with this id, no longer in flight; null when there is none. */
    Request remove(long id) {
        return requests.remove(id);
    }

    boolean contains(long id) {
        return requests.containsKey(id);
    }

    boolean isEmpty() {
        return requests.isEmpty();
    }

    int size() {
        return requests.size();
    }

    /** The deadline of the oldest request; {@code Long.MAX_VALUE} when none is in flight. */
    long nextDeadline() {
        Iterator<Request> oldest = requests.values().iterator();
        return oldest.hasNext() ? oldest.next().deadlineNanos() : Long.MAX_VALUE;
    }

    /** Removes and returns the requests whose deadline has passed. */
    List<Request> expire(long nowNanos) {
        List<Request> expired = new ArrayList<>();
        Iterator<Request> oldestFirst = requests.values().iterator();
        while (oldestFirst.hasNext()) {
            Request request = oldestFirst.next();
            if (request.deadlineNanos() - nowNanos > 0) {
                break;
            }
            oldestFirst.remove();
            expired.add(request);
        }
        return expired;
    }

    /** Removes and returns every request. */
    List<Request> removeAll() {
        List<Request> all = new ArrayList<>(requests.values());
        requests.clear();
        return all;
    }
}
