package io.rewind.log;

import io.rewind.api.AppendCallback;
import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventStoreException;
import io.rewind.api.EventTooLargeException;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StoreFailedException;
import io.rewind.api.StreamInfo;
import io.rewind.core.AppendAdmission;
import io.rewind.core.AppendPlan;
import io.rewind.core.AppendPlanner;
import io.rewind.core.HeadWatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer thread: takes appends from a bounded queue, decides each with
 * {@link AppendPlanner} against the durable state plus the appends accepted earlier in the same
 * batch, encodes the batch, writes it, forces once per batch as the durability policy says (group
 * commit), then publishes it to readers and completes the callers.
 *
 * <p>Fail-stop: after a failed write or force the failing batch and every later append fail with
 * {@link StoreFailedException}; the files are cut back to the last acknowledgement; reads of what
 * was acknowledged still work. Thread-safe entry points: {@link #submit}, {@link #failure},
 * {@link #shutdown}; everything else runs on the writer thread.
 */
final class LogWriter {

    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);
    /** An append's encoded records may not exceed this, so offsets in a segment always fit an int. */
    static final long MAX_APPEND_BYTES = 1L << 30;
    private static final int MAX_BATCH = 8192;
    /** A batch stops growing at this many events, so one group commit stays short. */
    private static final int MAX_BATCH_EVENTS = 65_536;
    /** A batch of at most this many appends completes its synchronous callers on the writer thread. */
    private static final int MAX_DIRECT_COMPLETIONS = 4;
    private static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final Pending CLOSE = new Pending(null, false, null, null);
    /** As {@link Pending#timestampMicros}: stamp the append with the clock when it is written. */
    static final long CLOCK = Long.MIN_VALUE;
    /** The room a replicated append takes: none, its caller bounds what it has in flight itself. */
    private static final AppendAdmission.Ticket UNBOUNDED = new AppendAdmission.Ticket(0, 0);

    /** One append on its way through the writer. */
    static final class Pending {
        final AppendRequest request;
        final CompletableFuture<AppendResult> future = new CompletableFuture<>();
        /**
         * The future is never handed to user code (a synchronous append waits on it itself), so
         * nothing but waking its caller can run when it completes: the writer completes it
         * directly instead of through the completion thread, saving a thread hand-off per append.
         */
        final boolean waitedOnOnly;
        /** The room this append holds in the queue's bound until the writer takes it. */
        final AppendAdmission.Ticket ticket;
        /**
         * Non-null for an append whose caller takes the outcome through a non-blocking callback
         * instead of the future: the writer calls it directly, like {@link #waitedOnOnly} futures.
         */
        final AppendCallback callback;
        /**
         * The timestamp the caller fixed for this append, or {@link #CLOCK}. Either way the stored
         * timestamp is never before the last one stored, so the log's timestamps never go back.
         */
        final long timestampMicros;
        /** Non-null for an append of already-recorded events ({@link #submitRecorded}); then request is null. */
        final RecordedAppend recorded;
        /** A request to force what was written before it ({@link #submitForce}); request and recorded are null. */
        final boolean forceMarker;
        AppendResult result;
        EventStoreException error;
        List<AppendPlan.PlannedEvent> written;

        Pending(AppendRequest request, boolean waitedOnOnly, AppendAdmission.Ticket ticket, AppendCallback callback) {
            this(request, waitedOnOnly, ticket, callback, CLOCK);
        }

        Pending(AppendRequest request, boolean waitedOnOnly, AppendAdmission.Ticket ticket, AppendCallback callback,
                long timestampMicros) {
            this.request = request;
            this.waitedOnOnly = waitedOnOnly;
            this.ticket = ticket;
            this.callback = callback;
            this.timestampMicros = timestampMicros;
            this.recorded = null;
            this.forceMarker = false;
        }

        Pending(RecordedAppend recorded, AppendCallback callback, boolean forceMarker) {
            this.request = null;
            this.waitedOnOnly = false;
            this.ticket = UNBOUNDED;
            this.callback = callback;
            this.timestampMicros = CLOCK;
            this.recorded = recorded;
            this.forceMarker = forceMarker;
        }

        int eventCount() {
            return request != null ? request.eventCount() : recorded != null ? recorded.size() : 0;
        }

        void complete() {
            if (callback != null) {
                try {
                    callback.completed(error == null ? result : null, error);
                } catch (RuntimeException e) {
                    LOG.error("An append callback failed; it must not throw", e);
                }
                return;
            }
            if (error != null) {
                future.completeExceptionally(error);
            } else {
                future.complete(result);
            }
        }
    }

    private final LogConfig config;
    private final LogReader reader;
    private final HeadWatch headWatch;
    private final Executor completions;
    private final SegmentAppender appender;
    private final IndexFlusher indexFlusher;
    private final BatchState batchState;
    /** Unbounded itself: {@link #admission} bounds what waits in it, without ever blocking a caller. */
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final AppendAdmission admission;
    private final Thread thread;
    private final CRC32C crc = new CRC32C();
    private final EventIdGenerator eventIds = new EventIdGenerator();
    private final Map<String, byte[]> typeBytes = new HashMap<>();
    private final List<Pending> batch = new ArrayList<>();
    private final TailIndex.Entries indexEntries = new TailIndex.Entries();
    private long nextPosition;
    private long lastTimestampMicros;
    private long lastForceNanos = System.nanoTime();
    private volatile StoreFailedException failure;
    private volatile boolean exited;

    LogWriter(LogConfig config, LogReader reader, HeadWatch headWatch, Executor completions,
            Recovery.Result recovered) {
        this.config = config;
        this.reader = reader;
        this.headWatch = headWatch;
        this.completions = completions;
        this.appender = new SegmentAppender(config.fileIO(), config.directory(), config.segmentSize(), reader,
                recovered.activeSize(), recovered.durableEnd());
        this.indexFlusher = new IndexFlusher(config.fileIO(), config.directory(), config.indexFlushThreshold(), reader,
                this::indexFlushFailed);
        this.batchState = new BatchState(reader);
        this.admission = new AppendAdmission("the log in " + config.directory(), config.appendQueueEvents(),
                config.appendQueueBytes());
        this.nextPosition = recovered.nextPosition();
        this.lastTimestampMicros = recovered.lastTimestampMicros();
        this.thread = new Thread(this::run, "rewind-log-writer-" + config.directory().getFileName());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The failure that stopped the writer, or null. */
    StoreFailedException failure() {
        return failure;
    }

    /**
     * Queues an append without ever blocking; its future completes on the writer's terms.
     * {@code waitedOnOnly}: the caller only waits for the future and never exposes it, so the
     * writer thread may complete it (see {@link Pending#waitedOnOnly}).
     *
     * @throws io.rewind.api.StoreOverloadedException if the queue holds as many events or bytes as
     *                                                {@link LogConfig} admits; nothing was queued
     */
    CompletableFuture<AppendResult> submit(AppendRequest request, boolean waitedOnOnly) {
        return submit(new Pending(request, waitedOnOnly, admission.admit(request), null));
    }

    /**
     * Queues an append whose outcome goes to {@code callback}, called on the writer thread (or the
     * completion thread when the append fails with the writer); never blocks.
     *
     * @throws io.rewind.api.StoreOverloadedException as {@link #submit(AppendRequest, boolean)}
     */
    void submit(AppendRequest request, AppendCallback callback) {
        submit(new Pending(request, false, admission.admit(request), callback));
    }

    /**
     * Queues a replicated append: stamped with {@code timestampMicros} (or the last stored
     * timestamp when that is later) instead of the clock, and never refused as overloaded, since
     * a replica must apply every committed command and its caller bounds what it has in flight.
     */
    void submitReplicated(AppendRequest request, long timestampMicros, AppendCallback callback) {
        submit(new Pending(request, false, UNBOUNDED, callback, timestampMicros));
    }

    /**
     * Queues an append of events another log recorded, to be stored exactly as they are (see
     * {@link LogEventStore#appendRecorded}); never refused as overloaded, its caller bounds what it
     * has in flight.
     */
    void submitRecorded(RecordedAppend recorded, AppendCallback callback) {
        submit(new Pending(recorded, callback, false));
    }

    /** Queues a marker: its future completes once everything queued before it is written and forced. */
    CompletableFuture<AppendResult> submitForce() {
        return submit(new Pending(null, null, true));
    }

    private CompletableFuture<AppendResult> submit(Pending pending) {
        queue.add(pending);
        if (exited && queue.remove(pending)) {
            admission.release(pending.ticket);
            pending.future.completeExceptionally(new StoreClosedException("the store is closed"));
        }
        return pending.future;
    }

    /**
     * Stops the writer after it has handled every append queued before this call, forced the
     * log and flushed the indexes; waits for it.
     */
    /** What waits for this writer now. */
    io.rewind.api.WriterQueue queue() {
        return admission.snapshot();
    }

    void shutdown() {
        try {
            queue.put(CLOSE);
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.rewind.api.StoreUnavailableException("interrupted while closing the store", e);
        }
    }

    /** Writes the in-memory index tail to an index file now (used on open after an index rebuild). */
    void flushIndexesBeforeStart() throws IOException {
        flushIndexes();
        indexFlusher.awaitIdle();
    }

    private void run() {
        try {
            while (takeBatch()) {
                handleBatch();
            }
            if (!batch.isEmpty()) {
                handleBatch();
            }
            finish();
        } catch (RuntimeException | Error e) {
            LOG.error("The log writer thread died", e);
            failure = new StoreFailedException("the log writer thread died: " + e, e);
            failAll(batch, failure);
        } finally {
            exited = true;
            List<Pending> left = new ArrayList<>();
            queue.drainTo(left);
            left.remove(CLOSE);
            failAll(left, failure != null ? failure : new StoreClosedException("the store is closed"));
            indexFlusher.close();
            appender.closeAll();
        }
    }

    /** Fills the batch; false when the close marker was reached (the batch holds what came before it). */
    private boolean takeBatch() {
        batch.clear();
        Pending first;
        try {
            first = queue.poll(pollNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            LOG.warn("The log writer thread was interrupted; it is never meant to be, and keeps running");
            return true;
        }
        if (first == null) {
            forceIfIntervalPassed();
            return true;
        }
        int events = 0;
        for (Pending next = first; next != null; next = queue.poll()) {
            if (next == CLOSE) {
                // Anything queued after the marker was accepted while close() ran; run() fails
                // it as closed in its final drain, as the API allows.
                return false;
            }
            admission.release(next.ticket);
            batch.add(next);
            events += next.eventCount();
            if (batch.size() == MAX_BATCH || events >= MAX_BATCH_EVENTS) {
                break;
            }
        }
        return true;
    }

    private long pollNanos() {
        if (config.durability().mode() == Durability.Mode.INTERVAL && appender.isUnforced()) {
            long due = lastForceNanos + config.durability().interval().toNanos() - System.nanoTime();
            return Math.max(0, due);
        }
        return IDLE_POLL_NANOS;
    }

    private void handleBatch() {
        if (batch.isEmpty()) {
            return;
        }
        if (failure != null) {
            failAll(batch, failure);
            return;
        }
        indexEntries.clear();
        try {
            for (Pending pending : batch) {
                decide(pending);
            }
            appender.flush();
            forceByPolicy();
            if (appender.isUnforced() && batch.stream().anyMatch(pending -> pending.forceMarker)) {
                appender.force(nextPosition);
                lastForceNanos = System.nanoTime();
            }
        } catch (IOException e) {
            failStop(e, batch);
            return;
        } finally {
            batchState.clear();
        }
        publish();
        if (reader.indexes().tail().count() >= config.indexFlushThreshold()) {
            try {
                flushIndexes();
            } catch (IOException e) {
                failStop(e, List.of()); // the batch is durable and acknowledged already
            }
        }
    }

    private void decide(Pending pending) throws IOException {
        if (pending.forceMarker) {
            return;
        }
        if (pending.recorded != null) {
            decideRecorded(pending);
            return;
        }
        AppendPlan plan;
        try {
            plan = AppendPlanner.plan(pending.request, batchState, eventIds);
        } catch (EventStoreException e) {
            pending.error = e;
            return;
        } catch (RuntimeException e) {
            pending.error = new EventStoreException(ErrorCode.INTERNAL, "append failed: " + e, e);
            return;
        }
        if (plan instanceof AppendPlan.Retry retry) {
            pending.result = retry.result();
            return;
        }
        try {
            encode(pending, ((AppendPlan.Write) plan).events());
        } catch (RuntimeException e) {
            // Part of the append may be in the batch buffer already: nothing written after it
            // could be trusted, so this is a failure of the writer, not of one request.
            throw new IOException("encoding an append failed: " + e, e);
        }
    }

    private void encode(Pending pending, List<AppendPlan.PlannedEvent> events) throws IOException {
        byte[][] streams = new byte[events.size()][];
        byte[][] types = new byte[events.size()][];
        long[] streamHashes = new long[events.size()];
        long bytes = 0;
        for (int i = 0; i < events.size(); i++) {
            AppendPlan.PlannedEvent event = events.get(i);
            if (i > 0 && event.stream().equals(events.get(i - 1).stream())) {
                streams[i] = streams[i - 1];
                streamHashes[i] = streamHashes[i - 1];
            } else {
                streams[i] = event.stream().getBytes(StandardCharsets.UTF_8);
                streamHashes[i] = StreamHash.of(event.stream());
            }
            types[i] = typeBytes(event.data().type());
            bytes += RecordCodec.recordSize(streams[i].length, types[i].length, event.data().metadataSize(),
                    event.data().dataSize());
        }
        if (bytes > MAX_APPEND_BYTES) {
            pending.error = new EventTooLargeException("the append encodes to " + bytes + " bytes, the limit is "
                    + MAX_APPEND_BYTES);
            return;
        }
        if (appender.needsRoll(bytes)) {
            appender.roll(nextPosition);
        }
        long stamp = pending.timestampMicros == CLOCK ? RecordCodec.toMicros(Instant.now()) : pending.timestampMicros;
        long timestamp = Math.max(stamp, lastTimestampMicros);
        List<AppendResult.Written> written = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            AppendPlan.PlannedEvent event = events.get(i);
            long position = nextPosition++;
            byte[] data = event.data().data();
            byte[] metadata = event.data().metadata();
            int size = RecordCodec.recordSize(streams[i].length, types[i].length, metadata.length, data.length);
            ByteBuffer buffer = appender.room(size);
            indexEntries.add((int) appender.writeOffset(), event.id().getMostSignificantBits(),
                    event.id().getLeastSignificantBits(), streamHashes[i], event.version());
            RecordCodec.encode(buffer, position, event.version(), timestamp, i == events.size() - 1, streams[i],
                    types[i], event.id(), metadata, data, crc);
            batchState.accept(event, position, timestamp);
            written.add(new AppendResult.Written(event.stream(), event.version(), position, event.id()));
        }
        lastTimestampMicros = timestamp;
        pending.result = new AppendResult(written);
        pending.written = events;
    }

    /**
     * An append of recorded events: stored as it is, if it continues this log exactly — its first
     * position is the next one, each event's version is its stream's next, no id is stored already,
     * timestamps do not go back — else refused whole, nothing written.
     */
    private void decideRecorded(Pending pending) throws IOException {
        List<io.rewind.api.RecordedEvent> events = pending.recorded.events();
        List<AppendPlan.PlannedEvent> planned = new ArrayList<>(events.size());
        try {
            checkRecorded(events, planned);
        } catch (EventStoreException e) {
            pending.error = e;
            return;
        }
        byte[][] streams = new byte[events.size()][];
        byte[][] types = new byte[events.size()][];
        long bytes = 0;
        for (int i = 0; i < events.size(); i++) {
            io.rewind.api.RecordedEvent event = events.get(i);
            streams[i] = event.stream().getBytes(StandardCharsets.UTF_8);
            types[i] = typeBytes(event.type());
            bytes += RecordCodec.recordSize(streams[i].length, types[i].length, event.metadata().length,
                    event.data().length);
        }
        if (bytes > MAX_APPEND_BYTES) {
            pending.error = new EventTooLargeException("the recorded append encodes to " + bytes
                    + " bytes, the limit is " + MAX_APPEND_BYTES);
            return;
        }
        try {
            if (appender.needsRoll(bytes)) {
                appender.roll(nextPosition);
            }
            List<AppendResult.Written> written = new ArrayList<>(events.size());
            for (int i = 0; i < events.size(); i++) {
                io.rewind.api.RecordedEvent event = events.get(i);
                long timestamp = RecordCodec.toMicros(event.timestamp());
                int size = RecordCodec.recordSize(streams[i].length, types[i].length, event.metadata().length,
                        event.data().length);
                ByteBuffer buffer = appender.room(size);
                indexEntries.add((int) appender.writeOffset(), event.id().getMostSignificantBits(),
                        event.id().getLeastSignificantBits(), StreamHash.of(event.stream()), event.version());
                RecordCodec.encode(buffer, event.position(), event.version(), timestamp, i == events.size() - 1,
                        streams[i], types[i], event.id(), event.metadata(), event.data(), crc);
                batchState.accept(planned.get(i), event.position(), timestamp);
                written.add(new AppendResult.Written(event.stream(), event.version(), event.position(), event.id()));
                nextPosition++;
                lastTimestampMicros = timestamp;
            }
            pending.result = new AppendResult(written);
            pending.written = planned;
        } catch (RuntimeException e) {
            throw new IOException("encoding a recorded append failed: " + e, e);
        }
    }

    private void checkRecorded(List<io.rewind.api.RecordedEvent> events, List<AppendPlan.PlannedEvent> planned) {
        if (events.get(0).position() != nextPosition) {
            throw new io.rewind.api.InvalidRequestException("a recorded append must start at the log's next position "
                    + nextPosition + ", this one starts at " + events.get(0).position());
        }
        if (events.size() > io.rewind.api.Limits.MAX_EVENTS_PER_APPEND) {
            throw new io.rewind.api.InvalidRequestException("a recorded append carries " + events.size()
                    + " events, the limit is " + io.rewind.api.Limits.MAX_EVENTS_PER_APPEND);
        }
        Map<String, Long> versions = new HashMap<>();
        java.util.Set<java.util.UUID> ids = new java.util.HashSet<>();
        long lastTimestamp = lastTimestampMicros;
        for (io.rewind.api.RecordedEvent event : events) {
            io.rewind.api.Limits.checkStreamName(event.stream());
            io.rewind.api.Limits.checkType(event.type());
            long size = (long) event.data().length + event.metadata().length;
            if (size > config.maxEventBytes()) {
                throw new EventTooLargeException(size, config.maxEventBytes());
            }
            long current = versions.containsKey(event.stream()) ? versions.get(event.stream())
                    : batchState.currentVersion(event.stream());
            if (event.version() != current + 1) {
                throw new io.rewind.api.InvalidRequestException("recorded event " + event.id() + " at position "
                        + event.position() + " has version " + event.version() + " of stream '" + event.stream()
                        + "', whose next version here is " + (current + 1));
            }
            versions.put(event.stream(), event.version());
            if (!ids.add(event.id()) || batchState.eventById(event.id()).isPresent()) {
                throw new io.rewind.api.InvalidRequestException("recorded event id " + event.id() + " at position "
                        + event.position() + " is stored already");
            }
            long timestamp = RecordCodec.toMicros(event.timestamp());
            if (timestamp < lastTimestamp) {
                throw new io.rewind.api.InvalidRequestException("recorded event at position " + event.position()
                        + " has timestamp " + event.timestamp() + ", before the one stored last ("
                        + RecordCodec.toInstant(lastTimestamp) + ")");
            }
            lastTimestamp = timestamp;
            planned.add(new AppendPlan.PlannedEvent(event.stream(), event.version(), event.id(),
                    new io.rewind.api.EventData(event.id(), event.type(), event.data(), event.metadata())));
        }
    }

    private byte[] typeBytes(String type) {
        byte[] bytes = typeBytes.get(type);
        if (bytes == null) {
            if (typeBytes.size() >= 4096) {
                typeBytes.clear(); // a bounded cache: event types are usually few
            }
            bytes = type.getBytes(StandardCharsets.UTF_8);
            typeBytes.put(type, bytes);
        }
        return bytes;
    }

    private void forceByPolicy() throws IOException {
        if (!appender.isUnforced()) {
            return;
        }
        Durability durability = config.durability();
        boolean due = switch (durability.mode()) {
            case ALWAYS -> true;
            case INTERVAL -> System.nanoTime() - lastForceNanos >= durability.interval().toNanos();
            case NEVER -> false;
        };
        if (due) {
            appender.force(nextPosition);
            lastForceNanos = System.nanoTime();
        }
    }

    /**
     * On an idle poll: the force an interval policy owes, and the durable-end checkpoint's force
     * (coalesced while busy), so an idle log's checkpoint is never left behind on disk.
     */
    private void forceIfIntervalPassed() {
        if (failure != null) {
            return;
        }
        try {
            if (config.durability().mode() == Durability.Mode.INTERVAL && appender.isUnforced()) {
                forceByPolicy();
            }
            appender.forceDurableEnd();
        } catch (IOException e) {
            failStop(e, List.of());
        }
    }

    /** Makes the batch visible: indexes, then the head, then stream heads; then completes callers. */
    private void publish() {
        reader.indexes().tail().addAll(indexEntries);
        long head = nextPosition - 1;
        reader.publishHead(head);
        updateStreamHeads();
        appender.markAcknowledged(nextPosition);
        // The watch moves before any caller is woken: once append() returns, a subscription made
        // "from the end" must start after that append (subscriptions read their start from the watch).
        headWatch.advance(head);
        List<Pending> done = new ArrayList<>(batch.size());
        // Waking a caller costs the waker a system call: a few are cheaper here than a hand-off,
        // but many would delay the next commit, which the completion thread does not.
        boolean direct = batch.size() <= MAX_DIRECT_COMPLETIONS;
        for (Pending pending : batch) {
            if (pending.callback != null || (direct && pending.waitedOnOnly)) {
                pending.complete();
            } else {
                done.add(pending);
            }
        }
        if (!done.isEmpty()) {
            completions.execute(() -> done.forEach(Pending::complete));
        }
    }

    private void updateStreamHeads() {
        for (Pending pending : batch) {
            if (pending.written == null || pending.error != null) {
                continue;
            }
            List<AppendPlan.PlannedEvent> events = pending.written;
            long firstPosition = pending.result.firstPosition();
            for (int i = 0; i < events.size(); i++) {
                boolean lastOfRun = i == events.size() - 1 || !events.get(i + 1).stream().equals(events.get(i).stream());
                if (lastOfRun) {
                    AppendPlan.PlannedEvent event = events.get(i);
                    StreamInfo previous = reader.heads().get(event.stream());
                    long position = firstPosition + i;
                    long first = previous != null ? previous.firstPosition() : position - event.version();
                    reader.heads().put(new StreamInfo(event.stream(), event.version(), first, position));
                }
            }
        }
    }

    /** Hands the live index tail to the background flusher (after forcing what it covers). */
    private void flushIndexes() throws IOException {
        if (reader.indexes().tail().count() == 0) {
            return;
        }
        if (appender.isUnforced()) {
            appender.force(nextPosition); // the index may only cover durable records
            lastForceNanos = System.nanoTime();
        }
        indexFlusher.flush(appender.active().basePosition(), appender.writeOffset(), lastTimestampMicros,
                reader.heads().all());
    }

    private void indexFlushFailed(IOException cause) {
        failure = new StoreFailedException("the log stopped accepting appends after writing an index file failed: "
                + cause, cause);
    }

    private void failStop(IOException cause, List<Pending> unacknowledged) {
        failure = new StoreFailedException("the log stopped accepting appends after an I/O failure on "
                + appender.active().path() + ": " + cause, cause);
        LOG.error("Log writer failed; refusing further appends (fail-stop). Reopen the store to recover.", cause);
        appender.rollBackToAcknowledged();
        failAll(unacknowledged, failure);
    }

    private void finish() {
        if (failure != null) {
            return;
        }
        try {
            appender.flush();
            if (appender.isUnforced()) {
                appender.force(nextPosition);
            }
            flushIndexes();
        } catch (IOException e) {
            failStop(e, List.of());
        }
    }

    private void failAll(List<Pending> pendings, EventStoreException error) {
        List<Pending> failed = new ArrayList<>(pendings);
        for (Pending pending : failed) {
            pending.error = error;
        }
        completions.execute(() -> failed.forEach(Pending::complete));
    }
}
