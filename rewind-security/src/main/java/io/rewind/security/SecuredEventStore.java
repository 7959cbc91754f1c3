package io.rewind.security;

import io.rewind.api.AccessDeniedException;
import io.rewind.api.AppendCallback;
import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventPage;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.HeadListener;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamListOptions;
import io.rewind.api.StreamPage;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.api.UnauthenticatedException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The store as one principal may see it: the one place where every request of every endpoint
 * (ZeroMQ's dialects, HTTP) is checked against the caller's grants before it reaches the store.
 * A server authenticates the caller, makes (or keeps) a view for its principal's name, and serves
 * the view instead of the store. The grants are looked up in the {@link AccessPolicy} on every
 * call, so a grant or principal removed from a reloaded policy stops working on the next request.
 *
 * <p>What each call needs, and what a denial looks like:
 * <ul>
 *   <li><b>appends</b>: write on every stream the request writes, and read or write on every stream
 *       it only checks; otherwise {@link AccessDeniedException} naming the first stream refused,
 *       and nothing is stored (the check comes before the store sees the request);</li>
 *   <li><b>reads of a stream</b> and {@code streamInfo}: read on the stream; otherwise
 *       {@link AccessDeniedException}. The answer is the same whether the stream exists or not;</li>
 *   <li><b>reads of {@code $all}</b>: {@code read:$all}; otherwise {@link AccessDeniedException};</li>
 *   <li><b>lookups by id</b>: an event of a stream the principal may not read is answered as not
 *       found (empty), exactly as an id never stored: a denial would tell the caller the id exists.
 *       The denial is still counted and logged;</li>
 *   <li><b>listings</b> list only streams the principal may read. A listing whose prefix one read
 *       grant covers passes through; one that a single prefix grant narrows is asked of the store
 *       with that narrower prefix; otherwise the store's page is filtered, so a page may hold fewer
 *       streams than asked (even none) while its {@code nextAfter} says more may follow;</li>
 *   <li><b>subscriptions</b>: to every stream ({@code $all}) needs {@code read:$all}; to one stream
 *       needs read on it; to a prefix needs a read grant covering the whole prefix. Anything else is
 *       <em>refused</em> with {@link AccessDeniedException}, not filtered: a filtered {@code $all}
 *       would still leak the global positions of events the caller may not see, and a client that
 *       may read {@code orders-*} subscribes to that prefix and gets the store's own checkpoint
 *       notices. A running subscription re-checks each event's stream against the current grants
 *       and ends with {@link AccessDeniedException} (through {@code onClose}) once they no longer
 *       allow it;</li>
 *   <li><b>the head</b> ({@code headPosition}, {@code firstPositionAtOrAfter}, {@code watchHead}):
 *       any read grant. These reveal how many events the store holds, not which;</li>
 *   <li>a principal no longer in the policy gets {@link UnauthenticatedException} on every call.</li>
 * </ul>
 * Every denial is counted and logged, rate-limited, by the policy's {@link AccessAudit}. Requests
 * the store would refuse as malformed (a null request, a null name) reach the store unchecked and
 * get its own {@code BAD_REQUEST}. A principal with full grants sees the store exactly as it is:
 * the whole contract suite runs through a view ({@code SecuredEventStoreContractTest}).
 *
 * <p>A view from {@link #view} does not own the store: closing it does nothing, the server closes
 * the store; {@link #owning} makes a view whose {@code close} closes the store. Thread-safe as the
 * store it wraps.
 */
public final class SecuredEventStore implements EventStore {

    private final EventStore delegate;
    private final AccessPolicy policy;
    private final String principal;
    private final boolean ownsStore;

    private SecuredEventStore(EventStore delegate, AccessPolicy policy, String principal, boolean ownsStore) {
        this.delegate = Objects.requireNonNull(delegate, "store");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.principal = Principal.requireValidName(principal);
        this.ownsStore = ownsStore;
    }

    /** The store as {@code principal} may see it under {@code policy}; closing the view leaves the store open. */
    public static SecuredEventStore view(EventStore store, AccessPolicy policy, String principal) {
        return new SecuredEventStore(store, policy, principal, false);
    }

    /** As {@link #view}, but closing the view closes the store. */
    public static SecuredEventStore owning(EventStore store, AccessPolicy policy, String principal) {
        return new SecuredEventStore(store, policy, principal, true);
    }

    /** The name of the principal this view checks for. */
    public String principalName() {
        return principal;
    }

    /** The principal as the policy has it now. @throws UnauthenticatedException if it is not there (any more). */
    public Principal principal() {
        Optional<Principal> current = policy.principal(principal);
        if (current.isEmpty()) {
            policy.audit().denied(principal, Operation.AUTHENTICATE, "-");
            throw new UnauthenticatedException("principal '" + principal
                    + "' is not known (its key or token may have been removed)");
        }
        return current.get();
    }

    /**
     * Checks that the principal may administer the server, {@code what} naming the action in the
     * denial. For the servers' administrative commands; no {@link EventStore} call needs it.
     */
    public void requireAdmin(String what) {
        if (!principal().isAdmin()) {
            throw deny(Operation.ADMIN, what, "may not " + what + ": it needs the admin grant");
        }
    }

    private AccessDeniedException deny(Operation operation, String target, String why) {
        policy.audit().denied(principal, operation, target);
        return new AccessDeniedException("principal '" + principal + "' " + why);
    }

    private static <T> CompletableFuture<T> failed(EventStoreException e) {
        return CompletableFuture.failedFuture(e);
    }

    // --- appends ------------------------------------------------------------------------------

    private void checkAppend(AppendRequest request) {
        if (request == null) {
            return;
        }
        Principal current = principal();
        for (AppendRequest.StreamAppend append : request.appends()) {
            if (!current.mayWrite(append.stream())) {
                throw deny(Operation.APPEND, append.stream(), "may not append to stream '" + append.stream() + "'");
            }
        }
        for (AppendRequest.StreamCheck check : request.checks()) {
            if (!current.mayWrite(check.stream()) && !current.mayRead(check.stream())) {
                throw deny(Operation.APPEND, check.stream(), "may not check stream '" + check.stream() + "'");
            }
        }
    }

    @Override
    public CompletableFuture<AppendResult> appendAsync(AppendRequest request) {
        try {
            checkAppend(request);
        } catch (EventStoreException e) {
            return failed(e);
        }
        return delegate.appendAsync(request);
    }

    @Override
    public void appendAsync(AppendRequest request, AppendCallback whenDone) {
        if (whenDone != null) {
            try {
                checkAppend(request);
            } catch (EventStoreException e) {
                whenDone.completed(null, e);
                return;
            }
        }
        delegate.appendAsync(request, whenDone);
    }

    // --- reads --------------------------------------------------------------------------------

    private void checkReadStream(Operation operation, String stream) {
        if (stream != null && !principal().mayRead(stream)) {
            throw deny(operation, stream, "may not read stream '" + stream + "'");
        }
    }

    private void checkReadAll(Operation operation) {
        if (!principal().mayReadAll()) {
            throw deny(operation, "$all", "may not read $all (every stream in global order): it needs read:$all");
        }
    }

    @Override
    public CompletableFuture<EventPage> readStreamAsync(String stream, ReadOptions options) {
        try {
            checkReadStream(Operation.READ_STREAM, stream);
        } catch (EventStoreException e) {
            return failed(e);
        }
        return delegate.readStreamAsync(stream, options);
    }

    @Override
    public EventPage readStream(String stream, ReadOptions options) {
        checkReadStream(Operation.READ_STREAM, stream);
        return delegate.readStream(stream, options);
    }

    @Override
    public CompletableFuture<EventPage> readAllAsync(ReadOptions options) {
        try {
            checkReadAll(Operation.READ_ALL);
        } catch (EventStoreException e) {
            return failed(e);
        }
        return delegate.readAllAsync(options);
    }

    @Override
    public EventPage readAll(ReadOptions options) {
        checkReadAll(Operation.READ_ALL);
        return delegate.readAll(options);
    }

    private Optional<RecordedEvent> visible(Optional<RecordedEvent> found) {
        if (found.isEmpty()) {
            return found;
        }
        String stream = found.get().stream();
        Optional<Principal> current = policy.principal(principal);
        if (current.isPresent() && current.get().mayRead(stream)) {
            return found;
        }
        policy.audit().denied(principal, Operation.READ_EVENT, stream);
        return Optional.empty();
    }

    @Override
    public CompletableFuture<Optional<RecordedEvent>> readEventAsync(UUID id) {
        try {
            principal();
        } catch (EventStoreException e) {
            return failed(e);
        }
        return delegate.readEventAsync(id).thenApply(this::visible);
    }

    @Override
    public Optional<RecordedEvent> readEvent(UUID id) {
        principal();
        return visible(delegate.readEvent(id));
    }

    @Override
    public Optional<StreamInfo> streamInfo(String stream) {
        checkReadStream(Operation.STREAM_INFO, stream);
        return delegate.streamInfo(stream);
    }

    // --- listings -----------------------------------------------------------------------------

    @Override
    public CompletableFuture<StreamPage> listStreamsAsync(StreamListOptions options) {
        Principal current;
        try {
            current = principal();
        } catch (EventStoreException e) {
            return failed(e);
        }
        if (options == null || current.mayReadEveryStreamStartingWith(options.prefix())) {
            return delegate.listStreamsAsync(options);
        }
        List<StreamGrant> overlapping = current.readGrantsOverlapping(options.prefix());
        if (overlapping.isEmpty()) {
            return CompletableFuture.completedFuture(new StreamPage(List.of(), Optional.empty()));
        }
        if (overlapping.size() == 1 && overlapping.get(0).isPrefix()) {
            // The grant's prefix is longer than the one asked for: asking for it lists only readable streams.
            StreamListOptions narrowed = StreamListOptions.withPrefix(overlapping.get(0).stem())
                    .after(options.after()).withMaxStreams(options.maxStreams()).withMaxBytes(options.maxBytes());
            return delegate.listStreamsAsync(narrowed);
        }
        return delegate.listStreamsAsync(options).thenApply(page -> readable(page, current));
    }

    @Override
    public StreamPage listStreams(StreamListOptions options) {
        return EventStore.await(listStreamsAsync(options));
    }

    private StreamPage readable(StreamPage page, Principal current) {
        List<StreamInfo> streams = new ArrayList<>(page.streams().size());
        for (StreamInfo stream : page.streams()) {
            if (current.mayRead(stream.stream())) {
                streams.add(stream);
            }
        }
        return new StreamPage(streams, page.nextAfter());
    }

    // --- the head -----------------------------------------------------------------------------

    private void checkHead() {
        if (!principal().mayReadSomething()) {
            throw deny(Operation.HEAD, "$head", "may not read the store's head: it has no read grant");
        }
    }

    @Override
    public long firstPositionAtOrAfter(Instant time) {
        checkHead();
        return delegate.firstPositionAtOrAfter(time);
    }

    @Override
    public long headPosition() {
        checkHead();
        return delegate.headPosition();
    }

    @Override
    public HeadListener.Registration watchHead(HeadListener listener) {
        checkHead();
        return delegate.watchHead(listener);
    }

    // --- subscriptions ------------------------------------------------------------------------

    @Override
    public Subscription subscribe(SubscriptionRequest request, SubscriptionListener listener) {
        if (request == null || listener == null) {
            return delegate.subscribe(request, listener);
        }
        checkSubscription(request);
        return delegate.subscribe(request, new Rechecking(listener, request));
    }

    /**
     * Checks that the principal may subscribe as {@code request} asks, as {@link #subscribe} does;
     * for a server that serves subscriptions itself from the store's reads and broadcast.
     *
     * @throws AccessDeniedException    if it may not
     * @throws UnauthenticatedException if the principal is no longer known
     */
    public void checkSubscription(SubscriptionRequest request) {
        Principal current = principal();
        switch (request.scope()) {
            case ALL:
                if (!current.mayReadAll()) {
                    throw deny(Operation.SUBSCRIBE, "$all", "may not subscribe to $all (every stream): it needs "
                            + "read:$all; subscribe to a stream or a prefix it may read instead");
                }
                break;
            case STREAM:
                String stream = request.stream().orElseThrow();
                if (!current.mayRead(stream)) {
                    throw deny(Operation.SUBSCRIBE, stream, "may not subscribe to stream '" + stream + "'");
                }
                break;
            case PREFIX:
                String prefix = request.streamPrefix().orElseThrow();
                if (!current.mayReadEveryStreamStartingWith(prefix)) {
                    throw deny(Operation.SUBSCRIBE, prefix + "*", "may not subscribe to every stream starting with '"
                            + prefix + "'");
                }
                break;
            default:
                throw new IllegalStateException("unknown scope " + request.scope());
        }
    }

    /**
     * Checks, for a running subscription of {@code request}, that the current grants still allow
     * delivering {@code event}: what {@link #subscribe} does before every event.
     *
     * @throws AccessDeniedException    if they no longer do: the subscription must end
     * @throws UnauthenticatedException if the principal is no longer known
     */
    public void checkStillAllowed(SubscriptionRequest request, RecordedEvent event) {
        Optional<Principal> current = policy.principal(principal);
        if (current.isEmpty()) {
            policy.audit().denied(principal, Operation.AUTHENTICATE, "-");
            throw new UnauthenticatedException("principal '" + principal
                    + "' is no longer known: the subscription ends");
        }
        boolean all = request.scope() == SubscriptionRequest.Scope.ALL;
        if (all ? !current.get().mayReadAll() : !current.get().mayRead(event.stream())) {
            throw deny(Operation.SUBSCRIBE, all ? "$all" : event.stream(),
                    "may no longer read what this subscription follows: it ends");
        }
    }

    /** Passes a subscription's calls on while the current grants still allow each event. */
    private final class Rechecking implements SubscriptionListener {
        private final SubscriptionListener listener;
        private final SubscriptionRequest request;

        Rechecking(SubscriptionListener listener, SubscriptionRequest request) {
            this.listener = listener;
            this.request = request;
        }

        @Override
        public void onEvent(SubscriptionEvent event) {
            // Throwing ends the subscription; onClose gets the exception.
            checkStillAllowed(request, event.event());
            listener.onEvent(event);
        }

        @Override
        public void onCheckpoint(long position) {
            listener.onCheckpoint(position);
        }

        @Override
        public void onCaughtUp() {
            listener.onCaughtUp();
        }

        @Override
        public void onClose(Throwable cause) {
            listener.onClose(cause);
        }
    }

    @Override
    public void close() {
        if (ownsStore) {
            delegate.close();
        }
    }

    @Override
    public String toString() {
        return delegate + " as " + principal;
    }
}
