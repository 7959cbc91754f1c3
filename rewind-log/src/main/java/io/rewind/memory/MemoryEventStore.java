package io.rewind.memory;

import io.rewind.api.Arguments;
import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventPage;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.HeadListener;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.Limits;
import io.rewind.api.ReadArguments;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamListOptions;
import io.rewind.api.StreamPage;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.core.AppendPlan;
import io.rewind.core.AppendPlanner;
import io.rewind.core.CatchUpSubscription;
import io.rewind.core.EventSource;
import io.rewind.core.HeadWatch;
import io.rewind.core.StoreState;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An {@link EventStore} held in memory, with exactly the behaviour of the durable stores except
 * that nothing survives {@link #close()}: for tests and for {@code --store memory:}.
 *
 * <p>Invariants, true whenever the lock is free: the event at index {@code p} of the global log has
 * position {@code p} (positions are dense from 0); the event at index {@code v} of a stream's list
 * has version {@code v}; every event is in the id table; timestamps (microsecond precision) never
 * decrease along the log; the {@link HeadWatch} head equals the last position.
 *
 * <p>Thread-safe: one read-write lock guards all state. Appends hold the write lock while they plan
 * (with the shared {@link AppendPlanner}) and write, so each append is atomic and sees every earlier
 * one; reads hold the read lock. Subscriptions are {@link CatchUpSubscription}s reading this store
 * as their {@link EventSource} on their own threads, so a slow listener never holds a lock a writer
 * needs.
 */
public final class MemoryEventStore implements EventStore, EventSource {

    /** The largest event (data + metadata) a store made by {@link #create()} accepts: 16 MiB. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024;

    private final int maxEventBytes;
    private final Clock clock;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** The global log; index == position. Guarded by {@link #lock}. */
    private final List<RecordedEvent> log = new ArrayList<>();
    /** Each stream's events; index == version. Sorted for listings. Guarded by {@link #lock}. */
    private final NavigableMap<String, List<RecordedEvent>> streams = new TreeMap<>(Limits.STREAM_NAME_ORDER);
    /** Every event by id: idempotency is checked against the whole store. Guarded by {@link #lock}. */
    private final Map<UUID, RecordedEvent> eventsById = new HashMap<>();
    private final HeadWatch headWatch = new HeadWatch(-1);
    private final StoreState state = new LockedState();
    /** The newest timestamp handed out; guarded by the write lock. */
    private Instant lastTimestamp = Instant.EPOCH;
    /** Written under the write lock; volatile so a closed store fails fast without the lock. */
    private volatile boolean closed;

    private MemoryEventStore(int maxEventBytes, Clock clock) {
        if (maxEventBytes < 0) {
            throw new IllegalArgumentException("maxEventBytes must be >= 0, was " + maxEventBytes);
        }
        this.maxEventBytes = maxEventBytes;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** An empty store accepting events up to {@link #DEFAULT_MAX_EVENT_BYTES}. */
    public static MemoryEventStore create() {
        return create(DEFAULT_MAX_EVENT_BYTES);
    }

    /** An empty store accepting events whose data and metadata together are at most {@code maxEventBytes}. */
    public static MemoryEventStore create(int maxEventBytes) {
        return create(maxEventBytes, Clock.systemUTC());
    }

    /**
     * An empty store that timestamps events with {@code clock} (truncated to microseconds, and
     * clamped so that timestamps never decrease when the clock steps back).
     */
    public static MemoryEventStore create(int maxEventBytes, Clock clock) {
        return new MemoryEventStore(maxEventBytes, clock);
    }

    @Override
    public CompletableFuture<AppendResult> appendAsync(AppendRequest request) {
        try {
            return CompletableFuture.completedFuture(append(request));
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Appends synchronously: the events are visible to every reader when this returns. */
    @Override
    public AppendResult append(AppendRequest request) {
        Arguments.requireNonNull(request, "append request");
        ensureOpen();
        request.validate(maxEventBytes);
        lock.writeLock().lock();
        try {
            ensureOpen();
            AppendPlan plan = AppendPlanner.plan(request, state, UUID::randomUUID);
            if (plan instanceof AppendPlan.Retry retry) {
                return retry.result();
            }
            return write(((AppendPlan.Write) plan).events());
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Records planned events; the caller holds the write lock. State changes only after every record is built. */
    private AppendResult write(List<AppendPlan.PlannedEvent> planned) {
        Instant timestamp = nextTimestamp();
        List<RecordedEvent> recorded = new ArrayList<>(planned.size());
        List<AppendResult.Written> written = new ArrayList<>(planned.size());
        long position = log.size();
        for (AppendPlan.PlannedEvent event : planned) {
            EventData data = event.data();
            recorded.add(new RecordedEvent(event.stream(), event.version(), position, event.id(), data.type(),
                    timestamp, data.data(), data.metadata()));
            written.add(new AppendResult.Written(event.stream(), event.version(), position, event.id()));
            position++;
        }
        for (RecordedEvent event : recorded) {
            log.add(event);
            streams.computeIfAbsent(event.stream(), name -> new ArrayList<>()).add(event);
            eventsById.put(event.id(), event);
        }
        headWatch.advance(log.size() - 1);
        return new AppendResult(written);
    }

    /** The clock's time in microseconds, never before the previous timestamp; the caller holds the write lock. */
    private Instant nextTimestamp() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        if (now.isBefore(lastTimestamp)) {
            now = lastTimestamp;
        }
        lastTimestamp = now;
        return now;
    }

    @Override
    public EventPage readStream(String stream, ReadOptions options) {
        ReadArguments.checkStreamRead(stream, options);
        lock.readLock().lock();
        try {
            ensureOpen();
            List<RecordedEvent> events = streams.get(stream);
            return slice(events == null ? List.of() : events, EventPage.forStream(options), options);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** {@inheritDoc} This store has no I/O to keep off the caller's thread: the future is complete at once. */
    @Override
    public CompletableFuture<EventPage> readStreamAsync(String stream, ReadOptions options) {
        return now(() -> readStream(stream, options));
    }

    @Override
    public EventPage readAll(ReadOptions options) {
        ReadArguments.checkOptions(options);
        lock.readLock().lock();
        try {
            ensureOpen();
            return slice(log, EventPage.forAll(options), options);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** {@inheritDoc} Complete at once, as for {@link #readStreamAsync}. */
    @Override
    public CompletableFuture<EventPage> readAllAsync(ReadOptions options) {
        return now(() -> readAll(options));
    }

    /** For subscriptions: reads the log without the closed check, which they make through the watch. */
    @Override
    public List<RecordedEvent> readForward(long fromPosition, int limit) {
        lock.readLock().lock();
        try {
            if (fromPosition >= log.size()) {
                return List.of();
            }
            int start = (int) fromPosition;
            return List.copyOf(log.subList(start, (int) Math.min(log.size(), (long) start + limit)));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The page of {@code events} (indexed by version or position) that {@code options} select. */
    private static EventPage slice(List<RecordedEvent> events, EventPage.Builder page, ReadOptions options) {
        if (options.direction() == Direction.FORWARD) {
            for (long index = options.from(); index < events.size(); index++) {
                if (!page.offer(events.get((int) index))) {
                    break;
                }
            }
        } else {
            for (long index = Math.min(options.from(), events.size() - 1L); index >= 0; index--) {
                if (!page.offer(events.get((int) index))) {
                    break;
                }
            }
        }
        return page.build();
    }

    @Override
    public Optional<RecordedEvent> readEvent(UUID id) {
        ReadArguments.checkEventId(id);
        lock.readLock().lock();
        try {
            ensureOpen();
            return Optional.ofNullable(eventsById.get(id));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** {@inheritDoc} Complete at once, as for {@link #readStreamAsync}. */
    @Override
    public CompletableFuture<Optional<RecordedEvent>> readEventAsync(UUID id) {
        return now(() -> readEvent(id));
    }

    /** A future completed now with the outcome of {@code read}. */
    private static <T> CompletableFuture<T> now(java.util.function.Supplier<T> read) {
        try {
            return CompletableFuture.completedFuture(read.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Binary search: exact because timestamps never decrease along the log. */
    @Override
    public long firstPositionAtOrAfter(Instant time) {
        Arguments.requireNonNull(time, "time");
        lock.readLock().lock();
        try {
            ensureOpen();
            int low = 0;
            int high = log.size();
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (log.get(middle).timestamp().isBefore(time)) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            return low;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long headPosition() {
        lock.readLock().lock();
        try {
            ensureOpen();
            return log.size() - 1L;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Optional<StreamInfo> streamInfo(String stream) {
        Limits.checkStreamName(stream);
        lock.readLock().lock();
        try {
            ensureOpen();
            List<RecordedEvent> events = streams.get(stream);
            return events == null ? Optional.empty() : Optional.of(info(stream, events));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public StreamPage listStreams(StreamListOptions options) {
        ReadArguments.checkListing(options);
        String namePrefix = options.prefix();
        String after = options.after();
        lock.readLock().lock();
        try {
            ensureOpen();
            // Names with a prefix are contiguous in code-point order and start at the prefix itself.
            boolean afterCursor = !after.isEmpty() && Limits.STREAM_NAME_ORDER.compare(after, namePrefix) >= 0;
            NavigableMap<String, List<RecordedEvent>> candidates = afterCursor
                    ? streams.tailMap(after, false)
                    : streams.tailMap(namePrefix, true);
            StreamPage.Builder page = StreamPage.builder(options);
            for (Map.Entry<String, List<RecordedEvent>> entry : candidates.entrySet()) {
                if (!entry.getKey().startsWith(namePrefix) || !page.offer(info(entry.getKey(), entry.getValue()))) {
                    break;
                }
            }
            return page.build();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** {@inheritDoc} Complete at once, as for {@link #readStreamAsync}. */
    @Override
    public CompletableFuture<StreamPage> listStreamsAsync(StreamListOptions options) {
        return now(() -> listStreams(options));
    }

    private static StreamInfo info(String stream, List<RecordedEvent> events) {
        return new StreamInfo(stream, events.size() - 1L, events.get(0).position(),
                events.get(events.size() - 1).position());
    }

    @Override
    public Subscription subscribe(SubscriptionRequest request, SubscriptionListener listener) {
        Arguments.requireNonNull(request, "subscription request");
        Arguments.requireNonNull(listener, "subscription listener");
        ensureOpen();
        // A subscription racing with close() sees the closed watch at its first step and ends
        // with StoreClosedException, so none can outlive the store.
        return CatchUpSubscription.start(this, headWatch, request, listener, subscription -> { });
    }

    /** Closes the store; its subscriptions end with {@link StoreClosedException}. Idempotent. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
        } finally {
            lock.writeLock().unlock();
        }
        headWatch.close();
    }

    private void ensureOpen() {
        if (closed) {
            throw new StoreClosedException("the memory store is closed");
        }
    }

    /** The planner's view of the store; only used while the write lock is held. */
    private final class LockedState implements StoreState {
        @Override
        public long currentVersion(String stream) {
            List<RecordedEvent> events = streams.get(stream);
            return events == null ? -1 : events.size() - 1L;
        }

        @Override
        public Optional<RecordedEvent> eventById(UUID id) {
            return Optional.ofNullable(eventsById.get(id));
        }
    }

    /** {@inheritDoc} Called on the appending thread after each append, before it returns. */
    @Override
    public HeadListener.Registration watchHead(HeadListener listener) {
        ensureOpen();
        return headWatch.watch(listener);
    }
}
