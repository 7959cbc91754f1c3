package io.rewind.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * How far a node has applied the Raft log, counting only an unbroken prefix: entries are handed
 * to the local store in index order and several may be in flight at once, so the applied index
 * is the highest index below which every entry has finished. For each applied index it also
 * knows the store's next position, which the checkpoint needs exactly (see docs/CLUSTER.md,
 * "Applied index").
 *
 * <p>Thread-safe (all state under this object's lock; waiters are completed outside it).
 */
final class AppliedIndex {

    /** An applied index and the term of its entry, with the store's next position after it. */
    record Applied(long term, long index, long nextPosition) {
    }

    private record Finished(long term, long nextPosition) {
    }

    /** Entries handed to the store and not finished, by index: null until finished. */
    private final TreeMap<Long, Finished> started = new TreeMap<>();
    private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();
    private Applied applied;

    AppliedIndex(Applied initial) {
        this.applied = initial;
    }

    synchronized Applied applied() {
        return applied;
    }

    /** An entry is being applied; entries are started in index order, each once. */
    synchronized void started(long index) {
        if (index > applied.index()) {
            started.putIfAbsent(index, null);
        }
    }

    /**
     * A started entry finished; {@code nextPosition} is the store's next position after it, or
     * -1 when it wrote nothing.
     */
    void finished(long term, long index, long nextPosition) {
        List<CompletableFuture<Void>> due;
        synchronized (this) {
            if (!started.containsKey(index)) {
                return;
            }
            started.put(index, new Finished(term, nextPosition));
            due = advance();
        }
        due.forEach(future -> future.complete(null));
    }

    /** An entry that is not applied to the store (a configuration or leader entry) is passed. */
    void passed(long term, long index) {
        started(index);
        finished(term, index, -1);
    }

    /** A future completed once {@code index} is applied (at once if it is). */
    CompletableFuture<Void> whenApplied(long index) {
        synchronized (this) {
            if (applied.index() < index) {
                CompletableFuture<Void> future = new CompletableFuture<>();
                waiters.computeIfAbsent(index, i -> new ArrayList<>()).add(future);
                return future;
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    /** True when no entry handed to the store is unfinished. */
    synchronized boolean idle() {
        return started.isEmpty();
    }

    /**
     * The node installed a snapshot at {@code installed} (its store was brought up to it by copy):
     * the applied point jumps there, entries at or below it are forgotten, and their waiters complete.
     */
    void jumpTo(Applied installed) {
        List<CompletableFuture<Void>> due;
        synchronized (this) {
            if (installed.index() <= applied.index()) {
                return;
            }
            started.headMap(installed.index(), true).clear();
            applied = installed;
            due = advance();
        }
        due.forEach(future -> future.complete(null));
    }

    /** Fails every waiter: the node stopped applying. */
    void failWaiters(RuntimeException failure) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        synchronized (this) {
            waiters.values().forEach(all::addAll);
            waiters.clear();
        }
        all.forEach(future -> future.completeExceptionally(failure));
    }

    private List<CompletableFuture<Void>> advance() {
        while (!started.isEmpty() && started.firstEntry().getValue() != null) {
            Map.Entry<Long, Finished> first = started.pollFirstEntry();
            Finished done = first.getValue();
            // An idempotent retry reports the positions of the append it repeats, before the
            // store's end: positions only grow, so the larger one is the store's next position.
            long next = Math.max(done.nextPosition(), applied.nextPosition());
            applied = new Applied(done.term(), first.getKey(), next);
        }
        List<CompletableFuture<Void>> due = new ArrayList<>();
        while (!waiters.isEmpty() && waiters.firstKey() <= applied.index()) {
            due.addAll(waiters.pollFirstEntry().getValue());
        }
        return due;
    }
}
