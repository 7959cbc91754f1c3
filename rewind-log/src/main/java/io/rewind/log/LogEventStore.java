package io.rewind.log;

import io.rewind.api.AppendCallback;
import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.HeadListener;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.Limits;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamPage;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.core.CatchUpSubscription;
import io.rewind.core.EventSource;
import io.rewind.core.HeadWatch;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The embedded durable log, Rewind's default {@link EventStore}: a directory of segment files
 * written by one writer thread with group commit, with persisted indexes so that opening reads
 * only what was written since the last index flush. The on-disk format, the recovery rules and
 * the durability modes are specified in {@code docs/STORAGE.md}.
 *
 * <p>Open one with {@link #open(LogConfig)}; a directory can be open in one store at a time
 * (a second open, in this or another process, fails with {@link StoreUnavailableException}).
 * Appends are acknowledged as the configured {@link Durability} says (after fsync by default).
 * After a failed write or fsync the store is fail-stop: appends fail with
 * {@link io.rewind.api.StoreFailedException}, reads of acknowledged events go on working, and a
 * reopen recovers.
 *
 * <p>Thread-safe: any number of threads may append, read and subscribe concurrently.
 */
public final class LogEventStore implements EventStore {

    private final LogConfig config;
    private final DirectoryLock lock;
    private final LogReader reader;
    private final HeadWatch headWatch;
    private final LogWriter writer;
    private final ExecutorService completions;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Thread completionThread;

    private LogEventStore(LogConfig config, DirectoryLock lock, Recovery.Result recovered) {
        this.config = config;
        this.lock = lock;
        long head = recovered.nextPosition() - 1;
        this.reader = new LogReader(recovered.heads(), new SegmentList(recovered.segments()),
                new IndexSnapshot(recovered.generations(), recovered.tail()), head);
        this.headWatch = new HeadWatch(head);
        // Callers' futures are completed here, not on the writer thread, so that user callbacks
        // chained on them never delay the next group commit.
        this.completions = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "rewind-log-completions-" + config.directory().getFileName());
            thread.setDaemon(true);
            completionThread = thread;
            return thread;
        });
        this.writer = new LogWriter(config, reader, headWatch, completions, recovered);
    }

    /**
     * Opens (creating if needed) the log in {@code config.directory()}, recovering it first.
     *
     * @throws StoreUnavailableException         if the directory is locked by another store, or
     *                                           cannot be read
     * @throws io.rewind.api.CorruptionException if the log is damaged other than by a torn tail,
     *                                           naming the file and offset; nothing was changed
     */
    public static LogEventStore open(LogConfig config) {
        Objects.requireNonNull(config, "config");
        DirectoryLock lock = null;
        try {
            config.fileIO().createDirectories(config.directory());
            lock = DirectoryLock.acquire(config.fileIO(), config.directory());
            Recovery.Result recovered = Recovery.run(config.fileIO(), config.directory());
            try {
                LogEventStore store = new LogEventStore(config, lock, recovered);
                if (recovered.indexRebuildNeeded()) {
                    store.writer.flushIndexesBeforeStart();
                }
                store.writer.start();
                return store;
            } catch (IOException | RuntimeException e) {
                Recovery.closeAll(recovered.segments());
                throw e;
            }
        } catch (IOException e) {
            DirectoryLock.releaseQuietly(lock);
            throw new StoreUnavailableException("cannot open the log in " + config.directory() + ": " + e, e);
        } catch (RuntimeException e) {
            DirectoryLock.releaseQuietly(lock);
            throw e;
        }
    }

    /** The configuration this store was opened with. */
    public LogConfig config() {
        return config;
    }

    /**
     * {@inheritDoc} Never blocks: when the writer's queue holds {@link LogConfig#appendQueueEvents()}
     * events or {@link LogConfig#appendQueueBytes()} bytes, the future fails at once with
     * {@link io.rewind.api.StoreOverloadedException}.
     */
    @Override
    public CompletableFuture<AppendResult> appendAsync(AppendRequest request) {
        return submit(request, false);
    }

    /**
     * {@inheritDoc} The future this waits on is never exposed, so the writer thread completes it
     * itself: one thread hand-off less per append than {@link #appendAsync}, whose futures are
     * completed on a separate thread so that user callbacks never delay the writer.
     */
    @Override
    public AppendResult append(AppendRequest request) {
        return EventStore.await(submit(request, true));
    }

    private CompletableFuture<AppendResult> submit(AppendRequest request, boolean waitedOnOnly) {
        try {
            checkAppend(request);
            return writer.submit(request, waitedOnOnly);
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** What every append form checks before it is queued. */
    private void checkAppend(AppendRequest request) {
        if (request == null) {
            throw new InvalidRequestException("append request must not be null");
        }
        checkOpen();
        if (writer.failure() != null) {
            throw writer.failure();
        }
        request.validate(config.maxEventBytes());
    }

    @Override
    public List<RecordedEvent> readStream(String stream, long fromVersion, Direction direction, int limit) {
        checkOpen();
        byte[] streamBytes = Limits.checkStreamName(stream);
        checkLimit(limit);
        checkStart("version", fromVersion);
        checkDirection(direction);
        StreamInfo info = reader.heads().get(stream);
        if (info == null) {
            return List.of();
        }
        long first;
        long last;
        if (direction == Direction.FORWARD) {
            if (fromVersion > info.headVersion()) {
                return List.of();
            }
            first = fromVersion;
            last = Math.min(info.headVersion(), fromVersion + limit - 1);
        } else {
            last = Math.min(fromVersion, info.headVersion());
            first = Math.max(0, last - limit + 1);
        }
        long hash = StreamHash.of(stream);
        List<RecordedEvent> events = new ArrayList<>((int) (last - first + 1));
        for (long version = first; version <= last; version++) {
            events.add(reader.readStreamVersion(stream, streamBytes, hash, version));
        }
        if (direction == Direction.BACKWARD) {
            Collections.reverse(events);
        }
        return events;
    }

    @Override
    public List<RecordedEvent> readAll(long fromPosition, Direction direction, int limit) {
        checkOpen();
        checkLimit(limit);
        checkStart("position", fromPosition);
        checkDirection(direction);
        long head = reader.head();
        if (direction == Direction.FORWARD) {
            if (fromPosition > head) {
                return List.of();
            }
            return reader.readRange(fromPosition, Math.min(head, fromPosition + limit - 1));
        }
        if (head < 0) {
            return List.of();
        }
        long last = Math.min(fromPosition, head);
        List<RecordedEvent> events = new ArrayList<>(reader.readRange(Math.max(0, last - limit + 1), last));
        Collections.reverse(events);
        return events;
    }

    @Override
    public Optional<RecordedEvent> readEvent(UUID id) {
        checkOpen();
        if (id == null) {
            throw new InvalidRequestException("event id must not be null");
        }
        return reader.readById(id);
    }

    /**
     * {@inheritDoc} Timestamps are stored in microseconds and never decrease along the global
     * order, so this is a binary search reading about log2(head) records.
     */
    @Override
    public long firstPositionAtOrAfter(Instant time) {
        checkOpen();
        if (time == null) {
            throw new InvalidRequestException("time must not be null");
        }
        long head = reader.head();
        long target = ceilingMicros(time);
        long low = 0;
        long high = head + 1;
        while (low < high) {
            long middle = (low + high) >>> 1;
            if (reader.timestampAt(middle) >= target) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return low;
    }

    /** The smallest whole microsecond at or after {@code time}, saturated to the long range. */
    private static long ceilingMicros(Instant time) {
        long maxSeconds = Long.MAX_VALUE / 1_000_000L - 1;
        if (time.getEpochSecond() > maxSeconds) {
            return Long.MAX_VALUE;
        }
        if (time.getEpochSecond() < -maxSeconds) {
            return Long.MIN_VALUE;
        }
        long micros = RecordCodec.toMicros(time);
        return time.getNano() % 1_000 == 0 ? micros : micros + 1;
    }

    @Override
    public long headPosition() {
        checkOpen();
        return reader.head();
    }

    @Override
    public Optional<StreamInfo> streamInfo(String stream) {
        checkOpen();
        Limits.checkStreamName(stream);
        return Optional.ofNullable(reader.heads().get(stream));
    }

    @Override
    public StreamPage listStreams(String prefix, String after, int limit) {
        checkOpen();
        checkLimit(limit);
        String start = prefix == null ? "" : prefix;
        StreamHeads heads = reader.heads();
        boolean fromAfter = after != null && !after.isEmpty() && StreamNameOrder.ORDER.compare(after, start) >= 0;
        Iterator<String> names = fromAfter ? heads.namesFrom(after, false) : heads.namesFrom(start, true);
        List<StreamInfo> page = new ArrayList<>(Math.min(limit, 256));
        boolean more = false;
        while (names.hasNext()) {
            String name = names.next();
            if (!name.startsWith(start)) {
                break;
            }
            if (page.size() == limit) {
                more = true;
                break;
            }
            page.add(heads.get(name));
        }
        Optional<String> nextAfter = more ? Optional.of(page.get(page.size() - 1).stream()) : Optional.empty();
        return new StreamPage(page, nextAfter);
    }

    @Override
    public Subscription subscribe(SubscriptionRequest request, SubscriptionListener listener) {
        checkOpen();
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        EventSource source = (fromPosition, limit) -> {
            long head = reader.head();
            return fromPosition > head ? List.of() : reader.readRange(fromPosition, Math.min(head, fromPosition + limit - 1));
        };
        // A subscription racing with close() sees the closed watch at its first step and ends.
        return CatchUpSubscription.start(source, headWatch, request, listener, subscription -> { });
    }

    /**
     * Drains the append queue (every append accepted before completes), forces the log, flushes
     * the indexes, ends subscriptions, closes the files and releases the directory lock.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            writer.shutdown();
            // Subscriptions see the closed watch at their next step and end with a
            // StoreClosedException; a listener that is busy now is not waited for.
            headWatch.close();
            completions.shutdown();
            if (Thread.currentThread() != completionThread) {
                // Every accepted append is completed when close returns, unless close was called
                // from a completion callback, which must not wait for itself.
                completions.awaitTermination(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            DirectoryLock.releaseQuietly(lock);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new StoreClosedException("the log store in " + config.directory() + " is closed");
        }
    }

    private static void checkLimit(int limit) {
        if (limit < 1 || limit > Limits.MAX_READ_LIMIT) {
            throw new InvalidRequestException("limit must be between 1 and " + Limits.MAX_READ_LIMIT + ", was " + limit);
        }
    }

    private static void checkDirection(Direction direction) {
        if (direction == null) {
            throw new InvalidRequestException("direction must not be null");
        }
    }

    private static void checkStart(String what, long start) {
        if (start < 0) {
            throw new InvalidRequestException(what + " must be >= 0 (or EventStore.END), was " + start);
        }
    }

    /** {@inheritDoc} Called on the writer thread after each durable batch, before its callers complete. */
    @Override
    public HeadListener.Registration watchHead(HeadListener listener) {
        checkOpen();
        return headWatch.watch(listener);
    }

    /**
     * {@inheritDoc} The writer calls {@code whenDone} itself once the append is durable (no
     * completion thread in between), so it must be quick; never blocks, as {@link #appendAsync(AppendRequest)}.
     */
    @Override
    public void appendAsync(AppendRequest request, AppendCallback whenDone) {
        if (whenDone == null) {
            throw new InvalidRequestException("append callback must not be null");
        }
        try {
            checkAppend(request);
            writer.submit(request, whenDone);
        } catch (EventStoreException e) {
            whenDone.completed(null, e);
        }
    }
}
