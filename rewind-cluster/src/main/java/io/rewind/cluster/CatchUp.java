package io.rewind.cluster;

import io.rewind.api.AppendResult;
import io.rewind.api.EventStoreException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.log.LogEventStore;
import io.rewind.log.RecordedAppend;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings this node's store up to a point the leader has applied by copying the events it lacks,
 * page by page, through read-only queries to the leader ({@link CatchUpCodec}), instead of
 * replaying the Raft log (which the leader purged). Each page holds whole appends only; each
 * append is stored with {@link LogEventStore#appendRecorded}, whole or not at all, so the copy
 * is the leader's log record for record, append boundaries included, and a copy cut short at
 * any moment leaves a store that ends at the end of an append.
 *
 * <p>One copy runs at a time (the state machine's copier thread); the counters are thread-safe.
 */
final class CatchUp {

    private static final Logger LOG = LoggerFactory.getLogger(CatchUp.class);
    /** How long one query to the leader may take. */
    static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);
    /** How long a copy waits for the leader to have applied past what this node holds. */
    static final Duration LEADER_AHEAD_TIMEOUT = Duration.ofSeconds(30);
    /** The most page ranges kept for inspection. */
    private static final int PAGES_KEPT = 10_000;

    /** What the copies of this node did, for tests, logs and status. */
    static final class Stats {
        final AtomicLong copies = new AtomicLong();
        final AtomicLong pages = new AtomicLong();
        final AtomicLong appends = new AtomicLong();
        final AtomicLong events = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        volatile String lastFailure;
        volatile boolean inProgress;
        volatile AppliedIndex.Applied lastInstalled;
        private final Deque<long[]> pageRanges = new ArrayDeque<>();

        synchronized void page(long first, long last) {
            if (pageRanges.size() == PAGES_KEPT) {
                pageRanges.pollFirst();
            }
            pageRanges.addLast(new long[] {first, last});
        }

        /** The first and last positions of the latest pages copied (at most 10,000), oldest first. */
        synchronized List<long[]> pageRanges() {
            return new ArrayList<>(pageRanges);
        }
    }

    private final LogEventStore store;
    private final Function<byte[], CompletableFuture<ByteBuffer>> leader;
    private final int pageBytes;
    private final Stats stats;
    private final BooleanSupplier cancelled;

    CatchUp(LogEventStore store, Function<byte[], CompletableFuture<ByteBuffer>> leader, int pageBytes, Stats stats,
            BooleanSupplier cancelled) {
        this.store = store;
        this.leader = leader;
        this.pageBytes = pageBytes;
        this.stats = stats;
        this.cancelled = cancelled;
    }

    /**
     * Asks the leader for the point it has applied, waiting (bounded) until that point is at or
     * past both {@code atLeastIndex} and this store's end, then copies every event up to it.
     * Returns the point: this store then holds exactly the leader's events below its next position.
     *
     * @throws StoreUnavailableException when the leader cannot be asked in time or is not ahead
     */
    AppliedIndex.Applied run(long atLeastIndex) throws InterruptedException {
        AppliedIndex.Applied target = awaitTarget(atLeastIndex);
        long startHead = store.headPosition();
        long next = startHead + 1;
        long copiedEvents = 0;
        long copiedBytes = 0;
        long askNanos = 0;
        long storeNanos = 0;
        int pages = 0;
        long started = System.nanoTime();
        // The next page is asked for as soon as this one is decoded, so that the leader reads and
        // sends it while this node stores this one.
        CompletableFuture<ByteBuffer> asked = next < target.nextPosition()
                ? leader.apply(CatchUpCodec.appendsQuery(next, target.nextPosition(), pageBytes, idAt(next - 1)))
                : null;
        while (next < target.nextPosition()) {
            checkCancelled();
            long asking = System.nanoTime();
            ByteBuffer answer = await(asked, "asking the leader for the events from position " + next);
            int size = answer.remaining();
            List<RecordedAppend> page = CatchUpCodec.decodeAppends(answer);
            if (page.isEmpty()) {
                throw new StoreUnavailableException("the leader sent no appends from position " + next + " below "
                        + target.nextPosition() + ", which it said it applied");
            }
            if (page.get(0).firstPosition() != next) {
                throw new StoreUnavailableException("the leader's page starts at position " + page.get(0).firstPosition()
                        + ", not at the asked " + next);
            }
            long pageLast = page.get(page.size() - 1).lastPosition();
            UUID lastId = page.get(page.size() - 1).events().get(page.get(page.size() - 1).size() - 1).id();
            asked = pageLast + 1 < target.nextPosition()
                    ? leader.apply(CatchUpCodec.appendsQuery(pageLast + 1, target.nextPosition(), pageBytes, lastId))
                    : null;
            long storing = System.nanoTime();
            askNanos += storing - asking;
            CompletableFuture<AppendResult> last = null;
            for (RecordedAppend append : page) {
                CompletableFuture<AppendResult> stored = new CompletableFuture<>();
                store.appendRecorded(append, (result, error) -> {
                    if (error != null) {
                        stored.completeExceptionally(error);
                    } else {
                        stored.complete(result);
                    }
                });
                last = stored;
            }
            AppendResult result = await(last, "storing the copied page from position " + next);
            storeNanos += System.nanoTime() - storing;
            if (result.lastPosition() != pageLast) {
                throw new StoreUnavailableException("the copied page ends at " + result.lastPosition() + " here but at "
                        + pageLast + " on the leader");
            }
            stats.page(next, pageLast);
            stats.pages.incrementAndGet();
            stats.appends.addAndGet(page.size());
            stats.events.addAndGet(pageLast - next + 1);
            stats.bytes.addAndGet(size);
            copiedEvents += pageLast - next + 1;
            copiedBytes += size;
            pages++;
            next = pageLast + 1;
        }
        await(store.force(), "forcing the copied events");
        double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        LOG.info("copied {} events (positions {} to {}, {} bytes in {} pages) from the leader in {} s ({} events/s;"
                + " {} s waiting for and decoding pages, {} s storing), up to its index {}", copiedEvents, startHead + 1,
                target.nextPosition() - 1, copiedBytes, pages, String.format("%.1f", seconds),
                Math.round(copiedEvents / seconds), String.format("%.1f", askNanos / 1e9),
                String.format("%.1f", storeNanos / 1e9), target.index());
        return target;
    }

    /** The id of this store's event at {@code position}, or {@link CatchUpCodec#NONE} before position 0. */
    private UUID idAt(long position) {
        if (position < 0) {
            return CatchUpCodec.NONE;
        }
        List<io.rewind.api.RecordedEvent> one = store.readAll(io.rewind.api.ReadOptions.from(position,
                io.rewind.api.Direction.FORWARD).withMaxEvents(1)).events();
        if (one.isEmpty()) {
            throw new StoreUnavailableException("this node's store has no event at position " + position
                    + ", its head");
        }
        return one.get(0).id();
    }

    private AppliedIndex.Applied awaitTarget(long atLeastIndex) throws InterruptedException {
        long deadline = System.nanoTime() + LEADER_AHEAD_TIMEOUT.toNanos();
        while (true) {
            checkCancelled();
            AppliedIndex.Applied target = CatchUpCodec.decodeApplied(ask(CatchUpCodec.appliedQuery()));
            long head = store.headPosition();
            if (target.index() >= atLeastIndex && target.nextPosition() >= head + 1) {
                return target;
            }
            if (System.nanoTime() > deadline) {
                throw new StoreUnavailableException("the leader has applied up to index " + target.index()
                        + " (next position " + target.nextPosition() + "), not past index " + atLeastIndex
                        + " and this node's head " + head + ", within " + LEADER_AHEAD_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(50); // waiting for the leader's apply: a bounded poll, not a timing assumption
        }
    }

    private ByteBuffer ask(byte[] query) throws InterruptedException {
        return await(leader.apply(query), "asking the leader (query kind " + query[0] + ")");
    }

    private <T> T await(CompletableFuture<T> future, String what) throws InterruptedException {
        try {
            return future.get(QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof EventStoreException failure) {
                throw failure;
            }
            throw new StoreUnavailableException(what + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new StoreUnavailableException(what + " took longer than " + QUERY_TIMEOUT.toSeconds() + " s", e);
        }
    }

    private void checkCancelled() {
        if (cancelled.getAsBoolean()) {
            throw new StoreUnavailableException("the copy from the leader was cancelled: the node is closing");
        }
    }
}
