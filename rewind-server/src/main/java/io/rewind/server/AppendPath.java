package io.rewind.server;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventStore;
import io.rewind.api.SystemStreams;
import java.util.function.BiConsumer;

/**
 * The server's append path, two hand-offs long: the socket thread validates an append and hands it
 * straight to the store ({@link EventStore#appendAsync(AppendRequest, io.rewind.api.AppendCallback)},
 * which never blocks: a store that cannot take more refuses it at once with
 * {@link io.rewind.api.StoreOverloadedException}), and the store's writer hands the outcome
 * straight back to the socket thread through the {@link Mailbox}. No worker sits in between,
 * so appends a client pipelines on one connection reach the store in the order the socket thread
 * read them, which is the order the store keeps. It is also the one place where a client's append
 * to a reserved system stream ({@link SystemStreams}) is refused, for the Rewind and the legacy
 * dialects alike. Socket thread only ({@link #start}).
 */
final class AppendPath {

    private final EventStore store;
    private final int maxEventSize;
    private final Mailbox mailbox;

    AppendPath(EventStore store, int maxEventSize, Mailbox mailbox) {
        this.store = store;
        this.maxEventSize = maxEventSize;
        this.mailbox = mailbox;
    }

    /** Starts an append; {@code then} receives its result or failure later, on the socket thread. */
    void start(AppendRequest request, BiConsumer<AppendResult, Throwable> then) {
        try {
            request.validate(maxEventSize); // cheap CPU, no I/O: fine on the socket thread
            SystemStreams.refuseUserAppend(request); // '$rewind.' streams are the server's own (docs/GROUPS.md)
        } catch (RuntimeException failure) {
            mailbox.post(() -> then.accept(null, failure));
            return;
        }
        // The callback runs on the store's writer (or here, for a refusal) and only queues the
        // answer for the socket thread: it never delays the writer.
        store.appendAsync(request, (result, failure) -> mailbox.post(() -> then.accept(result, failure)));
    }
}
