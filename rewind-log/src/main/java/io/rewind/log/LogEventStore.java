package io.rewind.log;

import io.rewind.api.Arguments;
import io.rewind.api.AppendCallback;
import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
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
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamListOptions;
import io.rewind.api.StreamPage;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.core.CatchUpSubscription;
import io.rewind.core.EventSource;
import io.rewind.core.HeadWatch;
import io.rewind.core.ReaderPool;
import java.io.IOException;
import java.time.Instant;
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

    /** Threads for asynchronous reads: enough to overlap a few cold-cache reads on one disk. */
    static final int READER_THREADS = 4;
    /** The most events one chunk of a backward read decodes. */
    private static final int BACKWARD_CHUNK = 256;

    private final LogConfig config;
    private final DirectoryLock lock;
    private final LogReader reader;
    private final HeadWatch headWatch;
    private final LogWriter writer;
    private final ExecutorService completions;
    private final ReaderPool readers;
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
        this.readers = ReaderPool.start("log-" + config.directory().getFileName(), READER_THREADS);
    }

    /**
     * Opens (creating if needed) the log in {@code config.directory()}, recovering it first.
     *
     * @throws StoreUnavailableException         if the directory is locked by another store, or
     *                                           cannot be read
     * @throws io.rewind.api.CorruptionException if the log is damaged other than by a torn tail
     *                                           after its durable end (acknowledged data is never
     *                                           cut), naming the file and offset; nothing was changed
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
                recovered.closeAll();
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
        Arguments.requireNonNull(request, "append request");
        checkOpen();
        if (writer.failure() != null) {
            throw writer.failure();
        }
        request.validate(config.maxEventBytes());
    }

    /** {@inheritDoc} Reads on the caller's thread. */
    @Override
    public EventPage readStream(String stream, ReadOptions options) {
        byte[] streamBytes = ReadArguments.checkStreamRead(stream, options);
        checkOpen();
        EventPage.Builder page = EventPage.forStream(options);
        StreamInfo info = reader.heads().get(stream);
        if (info == null) {
            return page.build();
        }
        long hash = StreamHash.of(stream);
        long head = info.headVersion();
        if (options.direction() == Direction.FORWARD) {
            for (long version = options.from(); version <= head && !page.isFull(); version++) {
                page.offer(reader.readStreamVersion(stream, streamBytes, hash, version));
            }
        } else {
            for (long version = Math.min(options.from(), head); version >= 0 && !page.isFull(); version--) {
                page.offer(reader.readStreamVersion(stream, streamBytes, hash, version));
            }
        }
        return page.build();
    }

    @Override
    public CompletableFuture<EventPage> readStreamAsync(String stream, ReadOptions options) {
        return readAsync(() -> readStream(stream, options));
    }

    /** {@inheritDoc} Reads on the caller's thread. */
    @Override
    public EventPage readAll(ReadOptions options) {
        ReadArguments.checkOptions(options);
        checkOpen();
        EventPage.Builder page = EventPage.forAll(options);
        long head = reader.head();
        if (options.direction() == Direction.FORWARD) {
            if (options.from() <= head) {
                reader.readRange(options.from(), head, page);
            }
        } else if (head >= 0) {
            readBackward(Math.min(options.from(), head), page);
        }
        return page.build();
    }

    /**
     * Reads from {@code last} towards position 0 in chunks read forwards, each sized by how many
     * events of the average size seen so far fit the rest of the budget, so that a byte budget is
     * overshot by a few events, not by a chunk of large ones.
     */
    private void readBackward(long last, EventPage.Builder page) {
        long high = last;
        while (high >= 0 && !page.isFull()) {
            long low = Math.max(0, high - page.expectedFit(BACKWARD_CHUNK) + 1);
            List<RecordedEvent> events = reader.readRange(low, high);
            for (int i = events.size() - 1; i >= 0; i--) {
                if (!page.offer(events.get(i))) {
                    return;
                }
            }
            high = low - 1;
        }
    }

    @Override
    public CompletableFuture<EventPage> readAllAsync(ReadOptions options) {
        return readAsync(() -> readAll(options));
    }

    @Override
    public Optional<RecordedEvent> readEvent(UUID id) {
        ReadArguments.checkEventId(id);
        checkOpen();
        return reader.readById(id);
    }

    @Override
    public CompletableFuture<Optional<RecordedEvent>> readEventAsync(UUID id) {
        return readAsync(() -> readEvent(id));
    }

    /** Checks the store is open, then reads on a reader thread; the read repeats the check there. */
    private <T> CompletableFuture<T> readAsync(java.util.function.Supplier<T> read) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(closedException());
        }
        return readers.submit(read);
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
    public java.util.Optional<io.rewind.api.WriterQueue> writerQueue() {
        return java.util.Optional.of(writer.queue());
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
    public StreamPage listStreams(StreamListOptions options) {
        ReadArguments.checkListing(options);
        checkOpen();
        String start = options.prefix();
        String after = options.after();
        StreamHeads heads = reader.heads();
        boolean fromAfter = !after.isEmpty() && StreamNameOrder.ORDER.compare(after, start) >= 0;
        Iterator<String> names = fromAfter ? heads.namesFrom(after, false) : heads.namesFrom(start, true);
        StreamPage.Builder page = StreamPage.builder(options);
        while (names.hasNext()) {
            String name = names.next();
            if (!name.startsWith(start) || !page.offer(heads.get(name))) {
                break;
            }
        }
        return page.build();
    }

    /** {@inheritDoc} The listing comes from memory, but runs on a reader thread like every async read. */
    @Override
    public CompletableFuture<StreamPage> listStreamsAsync(StreamListOptions options) {
        return readAsync(() -> listStreams(options));
    }

    @Override
    public Subscription subscribe(SubscriptionRequest request, SubscriptionListener listener) {
        checkOpen();
        Arguments.requireNonNull(request, "subscription request");
        Arguments.requireNonNull(listener, "subscription listener");
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
            readers.close();
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
            throw closedException();
        }
    }

    private StoreClosedException closedException() {
        return new StoreClosedException("the log store in " + config.directory() + " is closed");
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

    /**
     * Appends a command a replicated cluster committed, as {@link #appendAsync(AppendRequest,
     * AppendCallback)} does but deterministically: the events are stamped with {@code timestamp}
     * (or the last stored timestamp, when that is later) instead of this machine's clock, and the
     * append is never refused as overloaded. Every event must carry its id. Given the same store
     * and the same sequence of such calls, every replica stores the same records at the same
     * positions with the same versions and timestamps, and reports the same outcomes.
     *
     * <p>The caller bounds what it has in flight (the writer's queue bound does not apply), and
     * calls from one thread are stored in the order they were made.
     *
     * @throws InvalidRequestException if {@code whenDone} or {@code timestamp} is null (a bad
     *                                 request is otherwise reported to {@code whenDone})
     */
    public void appendReplicated(AppendRequest request, Instant timestamp, AppendCallback whenDone) {
        if (whenDone == null || timestamp == null) {
            throw new InvalidRequestException("append callback and timestamp must not be null");
        }
        try {
            checkAppend(request);
            for (AppendRequest.StreamAppend append : request.appends()) {
                for (io.rewind.api.EventData event : append.events()) {
                    if (event.id() == null) {
                        throw new InvalidRequestException("a replicated append must carry every event's id");
                    }
                }
            }
            writer.submitReplicated(request, RecordCodec.toMicros(timestamp), whenDone);
        } catch (EventStoreException e) {
            whenDone.completed(null, e);
        }
    }

    /**
     * Reads whole appends, in order, starting with the one that begins at {@code from} and ending
     * before {@code end} (exclusive) or the head: as many as fit {@code maxBytes} (encoded record
     * sizes), and always the first one whole, however large. An append is whole when its last
     * record is the one the log marked as the end of the append; an append that is not whole
     * below {@code end} is left out, so the answer never holds part of an atomic append.
     *
     * @throws InvalidRequestException if {@code from} is not the first position of an append
     *                                 stored here, or {@code maxBytes} is not positive
     */
    public List<RecordedAppend> readAppends(long from, long end, long maxBytes) {
        checkOpen();
        if (maxBytes <= 0) {
            throw new InvalidRequestException("maxBytes must be positive, was " + maxBytes);
        }
        long last = Math.min(end - 1, reader.head());
        if (from < 0 || from > last) {
            if (from >= 0 && from == last + 1) {
                return List.of();
            }
            throw new InvalidRequestException("position " + from + " is not stored below " + (last + 1));
        }
        if (from > 0 && !reader.endsAppend(from - 1)) {
            throw new InvalidRequestException("position " + from + " is inside an append (the append of position "
                    + (from - 1) + " does not end there)");
        }
        List<RecordedAppend> appends = new java.util.ArrayList<>();
        List<RecordedEvent> current = new java.util.ArrayList<>();
        long[] bytes = {0, 0}; // bytes of the whole appends taken, bytes of the current one
        reader.readRecords(from, last, (event, commit) -> {
            current.add(event);
            bytes[1] += RecordCodec.recordSize(event.stream().getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                    event.type().getBytes(java.nio.charset.StandardCharsets.UTF_8).length, event.metadata().length,
                    event.data().length);
            if (!commit) {
                return true;
            }
            if (!appends.isEmpty() && bytes[0] + bytes[1] > maxBytes) {
                return false;
            }
            appends.add(new RecordedAppend(current));
            current.clear();
            bytes[0] += bytes[1];
            bytes[1] = 0;
            return bytes[0] < maxBytes;
        });
        return appends;
    }

    /**
     * Stores one append exactly as another log recorded it (the same positions, versions, ids,
     * types, timestamps, metadata and data, and its end marked as the end of one append), so that
     * this log's records are byte for byte those of the log it was read from. The append is
     * stored whole or not at all: it is refused (with {@link InvalidRequestException}, nothing
     * written) unless its first position is this log's next position, each event's version is its
     * stream's next one here, none of its ids is stored here already, and its timestamps are not
     * before the last one stored. The writer calls {@code whenDone} once it is durable (as the
     * configured durability says), as {@link #appendReplicated}; never refused as overloaded (the
     * caller bounds what it has in flight), and calls from one thread are stored in order.
     *
     * @throws InvalidRequestException if an argument is null
     */
    public void appendRecorded(RecordedAppend append, AppendCallback whenDone) {
        if (whenDone == null || append == null) {
            throw new InvalidRequestException("recorded append and callback must not be null");
        }
        try {
            checkOpen();
            if (writer.failure() != null) {
                throw writer.failure();
            }
            writer.submitRecorded(append, whenDone);
        } catch (EventStoreException e) {
            whenDone.completed(null, e);
        }
    }

    /**
     * Completes once everything this store accepted before the call is written and forced to disk,
     * whatever the durability policy (under {@code always} that is at once after the appends
     * before it); fails if the writer failed or the store is closed.
     */
    public CompletableFuture<Void> force() {
        try {
            checkOpen();
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        return writer.submitForce().thenApply(ignored -> null);
    }
}
