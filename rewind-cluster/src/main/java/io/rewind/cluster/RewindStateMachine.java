package io.rewind.cluster;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventStoreException;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreFailedException;
import io.rewind.log.LogEventStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import io.rewind.api.StoreUnavailableException;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewind's Raft state machine: applies committed {@link Command}s, in index order, to the node's
 * local {@link LogEventStore} through {@link LogEventStore#appendReplicated}, so that every node
 * decides every append (expected versions, idempotent retries, conflicts) the same way and stores
 * the same records. The reply of an entry is the {@link Reply} of its apply.
 *
 * <p>On the leader, {@link #startTransaction} stamps the command with the leader's clock. On
 * start, entries the store already holds are recognised rather than applied again (the replay
 * rule in docs/CLUSTER.md). A failure of the store that is not a decision about the request
 * (a failed write or fsync, a closed store) stops this node applying: later entries fail
 * without being applied, so the store stays an exact prefix of the Raft log, and a restart
 * resumes from it.
 *
 * <p>Snapshots: {@link #takeSnapshot} forces the store and writes the applied-index checkpoint
 * (Ratis then purges its log up to it); a follower Ratis tells to install a snapshot copies the
 * events it lacks from the leader ({@link CatchUp}) and answers the leader's applied point. The
 * leader answers the copy's read-only queries ({@link CatchUpCodec}) from its store.
 *
 * <p>Ratis calls {@code applyTransaction} from one thread, in index order; the store's callbacks
 * come from its writer; a copy runs on this state machine's copier thread. Shared state is in
 * {@link AppliedIndex} and volatile fields.
 */
final class RewindStateMachine extends BaseStateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(RewindStateMachine.class);
    /** Appends handed to the store and not yet finished; applying waits beyond this. */
    private static final int MAX_IN_FLIGHT = 1024;
    /** Refusals that are decisions about the request, the same on every node. */
    private static final Set<ErrorCode> DECISIONS = Set.of(ErrorCode.WRONG_EXPECTED_VERSION,
            ErrorCode.IDEMPOTENCY_CONFLICT, ErrorCode.BAD_REQUEST, ErrorCode.TOO_LARGE);

    private final LogEventStore store;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private volatile AppliedIndex applied = new AppliedIndex(new AppliedIndex.Applied(0, -1, 0));
    /** Replay: the position the next recognised entry's first event must be at. */
    private long replayCursor;
    /** Replay goes on while {@link #replayCursor} is at or below this (the store's head at start). */
    private long replayHead = -1;
    private volatile EventStoreException failure;
    private volatile Path checkpointDirectory;
    /** This node's Raft division, once initialized: the leader's commit index for a consistent read. */
    private volatile RaftServer.Division division;
    /**
     * The one read-only query: "what is your commit index?", asked of the leader through Ratis's
     * linearizable read (ReadIndex), answered with an i64.
     */
    static final byte QUERY_COMMIT_INDEX = 1;
    /** The checkpoint as last read or written (Ratis asks for it often, on every appender's turn). */
    private volatile SnapshotInfo latestSnapshot;
    private final SnapshotPolicy policy;
    private final CatchUp.Stats catchUpStats = new CatchUp.Stats();
    /** Sends a read-only query to the leader (this node's Raft client); set once the client exists. */
    private volatile Function<byte[], CompletableFuture<ByteBuffer>> leaderQuery;
    private final ExecutorService copier = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "rewind-cluster-catch-up");
        thread.setDaemon(true);
        return thread;
    });
    /**
     * Asks Ratis for the snapshots this node triggers by bytes: not the copier, so that an ask never
     * waits behind a copy and runs the moment it ends, before Ratis reloads the installed point.
     */
    private final ExecutorService snapshotAsker = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "rewind-cluster-snapshot-ask");
        thread.setDaemon(true);
        return thread;
    });
    /** Held while the checkpoint file is read, compared and written (snapshot and copy). */
    private final Object checkpointLock = new Object();
    private volatile boolean closing;
    private static final long COPY_RETRY_PAUSE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
    /** When the last copy failed (System.nanoTime), or 0. */
    private volatile long lastCopyFailureNanos;
    /** Bytes of entries applied since the last snapshot, for {@link SnapshotPolicy#snapshotBytes}. */
    private final AtomicLong bytesSinceSnapshot = new AtomicLong();
    /** A snapshot asked of Ratis by bytes and not yet taken. */
    private final java.util.concurrent.atomic.AtomicBoolean snapshotAsked = new java.util.concurrent.atomic.AtomicBoolean();
    private final AtomicLong snapshotCalls = new AtomicLong();
    /** Entries handed to {@link #applyTransaction} since this node started (a replay counts too). */
    private final AtomicLong entriesApplied = new AtomicLong();
    /**
     * Tests only: nanoseconds the apply thread is held per MiB of entry before applying it, to
     * stand for a machine whose Raft path moves about 1 MB/s (as measured at load ~20); 0 = none.
     */
    private volatile long applyNanosPerMiB;

    /** The term in which this node, as leader, applied every entry committed before it; -1 for none. */
    private volatile long readyTerm = -1;
    private final List<Runnable> leadershipWatchers = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Tests only: holds the apply thread {@code perMiB} per MiB of each entry (a slow machine); zero for none. */
    void throttleApplyForTest(java.time.Duration perMiB) {
        applyNanosPerMiB = perMiB.toNanos();
    }

    RewindStateMachine(LogEventStore store) {
        this(store, SnapshotPolicy.current());
    }

    RewindStateMachine(LogEventStore store, SnapshotPolicy policy) {
        this.store = store;
        this.policy = policy;
    }

    /** How this node asks the leader: a read-only query through its Raft client. */
    void useLeaderQueries(Function<byte[], CompletableFuture<ByteBuffer>> query) {
        this.leaderQuery = query;
    }

    /** The node's local store (tests: its append boundaries). */
    LogEventStore store() {
        return store;
    }

    CatchUp.Stats catchUpStats() {
        return catchUpStats;
    }

    long entriesApplied() {
        return entriesApplied.get();
    }

    /** The first index this node's Raft log still holds (entries before it were purged). */
    long raftLogStartIndex() {
        return division.getRaftLog().getStartIndex();
    }

    AppliedIndex appliedIndex() {
        return applied;
    }

    /** The failure that stopped this node applying, or null. */
    EventStoreException failure() {
        return failure;
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        division = server.getDivision(groupId);
        storage.init(raftStorage);
        checkpointDirectory = raftStorage.getStorageDir().getStateMachineDir().toPath();
        AppliedIndex.Applied start = Checkpoint.read(checkpointDirectory())
                .orElse(new AppliedIndex.Applied(0, -1, 0));
        applied = new AppliedIndex(start);
        if (start.index() >= 0) {
            setLastAppliedTermIndex(TermIndex.valueOf(start.term(), start.index()));
        }
        latestSnapshot = snapshotInfo(start);
        replayCursor = start.nextPosition();
        replayHead = store.headPosition();
        if (getLifeCycleState() == LifeCycle.State.NEW) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
        if (replayHead + 1 < replayCursor) {
            throw new IOException("the store ends at position " + replayHead + " but the applied-index checkpoint"
                    + " says it held position " + (replayCursor - 1) + ": the store lost acknowledged events");
        }
        LOG.info("state machine of {} starts after index {} (store head {}, checkpoint position {})",
                server.getId(), start.index(), replayHead, replayCursor);
    }

    private Path checkpointDirectory() {
        return checkpointDirectory;
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return latestSnapshot;
    }

    private SnapshotInfo snapshotInfo(AppliedIndex.Applied checkpoint) {
        if (checkpoint == null || checkpoint.index() < 0) {
            return null;
        }
        return new SingleFileSnapshotInfo(new FileInfo(checkpointDirectory().resolve(Checkpoint.FILE_NAME), null),
                checkpoint.term(), checkpoint.index());
    }

    /**
     * Writes the applied-index checkpoint (the snapshot: this node's store is the rest of it),
     * after forcing the store, so every append up to it is durable whatever the store's fsync
     * policy. Ratis calls it every {@link SnapshotPolicy#snapshotEntries} entries, after every
     * entry before it finished applying, and may then purge its log up to it.
     */
    @Override
    public long takeSnapshot() throws IOException {
        AppliedIndex.Applied now = applied.applied();
        if (now.index() < 0) {
            return -1;
        }
        try {
            store.force().get(CatchUp.QUERY_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while forcing the store for a snapshot");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("could not force the store before the snapshot at index " + now.index() + ": " + e, e);
        }
        if (!writeCheckpoint(now, "a snapshot")) {
            // Nothing was taken: Ratis purges nothing for it (and the point it reloads is the copy's).
            return -1;
        }
        bytesSinceSnapshot.set(0);
        LOG.info("checkpoint written at index {} (next position {})", now.index(), now.nextPosition());
        return now.index();
    }

    /**
     * Writes {@code point} as this node's checkpoint, unless the checkpoint on disk is already at a
     * later index: the checkpoint never moves backwards. That happens when a copy installed a
     * point beyond what this node has applied and Ratis has not reloaded the state machine yet
     * ({@link #reinitialize}): a snapshot of the applied prefix taken then would be lower, and a
     * reload or restart from it would take the copied events for ones to recognise. Returns
     * whether it was written.
     */
    boolean writeCheckpoint(AppliedIndex.Applied point, String by) throws IOException {
        synchronized (checkpointLock) {
            java.util.Optional<AppliedIndex.Applied> current = Checkpoint.read(checkpointDirectory());
            if (current.isPresent() && point.index() < current.get().index()) {
                LOG.info("{} at index {} (next position {}) is not written: the checkpoint is at index {} (next position"
                        + " {}) already, and it never moves backwards", by, point.index(), point.nextPosition(),
                        current.get().index(), current.get().nextPosition());
                return false;
            }
            Checkpoint.write(checkpointDirectory(), point);
            latestSnapshot = snapshotInfo(point);
            return true;
        }
    }

    /** The directory of this node's checkpoint file (tests). */
    Path checkpointDirectoryForTest() {
        return checkpointDirectory();
    }

    /**
     * Ratis says this follower needs entries the leader purged (it is far behind, or its directory
     * is empty): copy the events this store lacks from the leader ({@link CatchUp}) up to a point
     * the leader applied, at or past {@code firstAvailable}, write that point as this node's
     * checkpoint and answer it, so Ratis continues with the log after it. Runs on the copier
     * thread; Ratis asks again until the future completes, and after a failure starts over
     * (what was copied stays: it is a prefix of the leader's log).
     */
    @Override
    public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(RoleInfoProto roleInfo,
            TermIndex firstAvailable) {
        LOG.info("the leader's log starts at {}: this node (store head {}, applied index {}) catches up by copy",
                firstAvailable, store.headPosition(), applied.applied().index());
        return CompletableFuture.supplyAsync(() -> {
            catchUpStats.inProgress = true;
            try {
                // Ratis asks again at once after a failure: at most one attempt per 2 s.
                long wait = lastCopyFailureNanos + COPY_RETRY_PAUSE_NANOS - System.nanoTime();
                if (lastCopyFailureNanos != 0 && wait > 0) {
                    java.util.concurrent.TimeUnit.NANOSECONDS.sleep(wait);
                }
                awaitLocalApplies();
                Function<byte[], CompletableFuture<ByteBuffer>> query = leaderQuery;
                if (query == null) {
                    throw new StoreUnavailableException("this node cannot ask the leader yet (its client is starting)");
                }
                CatchUp copy = new CatchUp(store, query, policy.copyPageBytes(), catchUpStats, () -> closing);
                AppliedIndex.Applied installed = copy.run(firstAvailable.getIndex() - 1);
                if (!writeCheckpoint(installed, "the point copied from the leader")) {
                    throw new StoreUnavailableException("the copy reached index " + installed.index()
                            + ", below this node's checkpoint: asking the leader again");
                }
                catchUpStats.lastInstalled = installed;
                catchUpStats.copies.incrementAndGet();
                return TermIndex.valueOf(installed.term(), installed.index());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreUnavailableException("interrupted while catching up from the leader", e);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (RuntimeException e) {
                catchUpStats.failures.incrementAndGet();
                lastCopyFailureNanos = System.nanoTime();
                catchUpStats.lastFailure = e.toString();
                LOG.warn("catching up from the leader failed (Ratis asks again): {}", e.toString());
                throw e;
            } finally {
                catchUpStats.inProgress = false;
            }
        }, copier);
    }

    /**
     * Waits (at most 10 s) until no entry this node has is still being applied, so that the copy
     * starts from the store's end: entries the follower holds are all below what the leader purged.
     */
    private void awaitLocalApplies() throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            TermIndex lastEntry = division.getRaftLog().getLastEntryTermIndex();
            long appliedIndex = applied.applied().index();
            boolean allApplied = appliedIndex >= division.getRaftLog().getLastCommittedIndex()
                    || lastEntry == null || appliedIndex >= lastEntry.getIndex();
            if (applied.idle() && allApplied) {
                return;
            }
            Thread.sleep(10);
        }
        LOG.warn("entries were still being applied after 10 s; copying anyway (a copied append that an apply"
                + " stored first is refused and the copy resumes after it)");
    }

    /**
     * Asks Ratis (once at a time) for a snapshot now, because many bytes were applied since the
     * last one; Ratis takes it on its apply thread as it takes the ones it triggers by entries,
     * and purges its log up to it. Sent from a thread of its own, never from Ratis's apply thread,
     * nor from the copier's (where it would wait behind a copy, see {@link #writeCheckpoint}).
     */
    private void askForSnapshot() {
        if (closing || !snapshotAsked.compareAndSet(false, true)) {
            return;
        }
        try {
            snapshotAsker.execute(() -> {
                try {
                    RaftServer server = getServer().join();
                    server.snapshotManagementAsync(SnapshotManagementRequest.newCreate(ClientId.randomId(),
                            server.getId(), getGroupId(), snapshotCalls.incrementAndGet(),
                            CatchUp.QUERY_TIMEOUT.toMillis(), 1)).whenComplete((reply, error) -> {
                                snapshotAsked.set(false);
                                if (error != null || !reply.isSuccess()) {
                                    LOG.warn("a snapshot asked for after {} bytes was not taken: {}",
                                            bytesSinceSnapshot.get(), String.valueOf(error != null ? error
                                                    : reply.getException()));
                                }
                            });
                } catch (RuntimeException e) {
                    snapshotAsked.set(false);
                    LOG.warn("could not ask for a snapshot: {}", e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            snapshotAsked.set(false);
        }
    }

    /** Ratis pauses the state machine before it reloads it after a snapshot was installed. */
    @Override
    public synchronized void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /**
     * Reloads after a snapshot was installed by copy: the applied point, the replay cursor and
     * Ratis's last-applied index move to the checkpoint the copy wrote.
     */
    @Override
    public synchronized void reinitialize() throws IOException {
        AppliedIndex.Applied installed = Checkpoint.read(checkpointDirectory())
                .orElseThrow(() -> new IOException("no checkpoint in " + checkpointDirectory() + " to reload from"));
        applied.jumpTo(installed);
        replayCursor = installed.nextPosition();
        replayHead = store.headPosition();
        if (replayHead + 1 < replayCursor) {
            throw new IOException("the store ends at position " + replayHead + " but the installed checkpoint says it"
                    + " holds position " + (replayCursor - 1));
        }
        latestSnapshot = snapshotInfo(installed);
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < installed.index()) {
            setLastAppliedTermIndex(TermIndex.valueOf(installed.term(), installed.index()));
        }
        LOG.info("state machine reloaded at index {} (next position {}, store head {})", installed.index(),
                installed.nextPosition(), replayHead);
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    /** Stops a copy in progress (it fails; what it stored stays). */
    @Override
    public void close() throws IOException {
        closing = true;
        copier.shutdownNow();
        snapshotAsker.shutdownNow();
        super.close();
    }

    /** On the leader: stamps the command with the leader's clock, so every node stores that timestamp. */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        byte[] proposed = request.getMessage().getContent().toByteArray();
        if (proposed.length < Command.TIMESTAMP_OFFSET + 8 || proposed[0] != Command.FORMAT_VERSION) {
            throw new IOException("not a Rewind command of format " + Command.FORMAT_VERSION);
        }
        long now = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        return TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request)
                .setLogData(ByteString.copyFrom(Command.stamp(proposed, now))).build();
    }

    /**
     * Answers {@link #QUERY_COMMIT_INDEX} with this node's commit index. Ratis runs it on the
     * leader after confirming, with a round of heartbeats, that it still leads (the linearizable
     * read option), so every entry acknowledged anywhere before the query began is at or below it.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        ByteString content = request.getContent();
        if (content.size() > 0 && content.byteAt(0) == CatchUpCodec.QUERY_APPLIED && content.size() == 1) {
            return CompletableFuture.completedFuture(message(CatchUpCodec.encodeApplied(applied.applied())));
        }
        if (content.size() > 0 && content.byteAt(0) == CatchUpCodec.QUERY_APPENDS) {
            try {
                ByteBuffer in = content.asReadOnlyByteBuffer();
                in.get();
                CatchUpCodec.AppendsQuery asked = CatchUpCodec.decodeAppendsQuery(in);
                // Only what this node applied: the answer is committed history, whole appends.
                long end = Math.min(asked.end(), applied.applied().nextPosition());
                checkSameBefore(asked);
                return CompletableFuture.completedFuture(message(CatchUpCodec.encodeAppends(
                        store.readAppends(asked.from(), end, asked.maxBytes()))));
            } catch (RuntimeException e) {
                LOG.warn("refused a copy to a node catching up: {}", e.getMessage());
                return CompletableFuture.completedFuture(message(CatchUpCodec.encodeRefusal(e.getMessage())));
            }
        }
        if (content.size() != 1 || content.byteAt(0) != QUERY_COMMIT_INDEX) {
            return CompletableFuture.failedFuture(new InvalidCommandException("a query of " + content.size()
                    + " bytes is not a query this release answers"));
        }
        long committed = division.getRaftLog().getLastCommittedIndex();
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(
                java.nio.ByteBuffer.allocate(8).putLong(0, committed))));
    }

    /**
     * Refuses a copy whose asker's event before its start is not this node's event there: its
     * store is not a prefix of this one (diverged, or another cluster's directory).
     */
    private void checkSameBefore(CatchUpCodec.AppendsQuery asked) {
        if (asked.from() == 0) {
            return;
        }
        List<RecordedEvent> mine = store.readAll(ReadOptions.from(asked.from() - 1, Direction.FORWARD)
                .withMaxEvents(1)).events();
        UUID id = mine.isEmpty() ? null : mine.get(0).id();
        if (!asked.before().equals(id)) {
            throw new StoreFailedException("the node asking to copy from position " + asked.from() + " holds event "
                    + asked.before() + " at position " + (asked.from() - 1) + ", where this node holds " + id
                    + ": its store is not a prefix of this one and cannot be caught up by copy", null);
        }
    }

    /** Logged on every node, so an operator (and the kill test) can tell who leads. */
    @Override
    public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeader) {
        LOG.info("cluster leader is now {} (seen by {})", newLeader, member.getPeerId());
        tellLeadershipWatchers();
    }

    /**
     * Ratis applied this leader's first entry of its term (so it was committed, and every entry
     * before it too). This node's store may still be writing earlier entries: the leader counts as
     * caught up ({@link #leadingTerm}) once it applied everything committed now.
     */
    @Override
    public void notifyLeaderReady() {
        RaftServer.Division own = division;
        long term = own.getInfo().getCurrentTerm();
        long committed = own.getRaftLog().getLastCommittedIndex();
        applied.whenApplied(committed).whenComplete((done, failure) -> {
            if (failure == null) {
                readyTerm = term;
                LOG.info("this node leads term {} and has applied every entry up to index {}", term, committed);
            }
            tellLeadershipWatchers();
        });
    }

    /**
     * The term this node leads in, once it has applied every entry committed before that term (its
     * store holds their effect: the state the cluster's consumer groups start from); -1 otherwise.
     */
    long leadingTerm() {
        RaftServer.Division own = division;
        if (own == null) {
            return -1;
        }
        org.apache.ratis.server.DivisionInfo info = own.getInfo();
        long term = readyTerm;
        return info.isLeader() && term == info.getCurrentTerm() ? term : -1;
    }

    /** The leader's id as this node knows it, or null (none known: an election). */
    String leaderId() {
        RaftServer.Division own = division;
        RaftPeerId leader = own == null ? null : own.getInfo().getLeaderId();
        return leader == null ? null : leader.toString();
    }

    /** Calls {@code watcher} (on Ratis's or the store's threads; it must not block) after every leadership change. */
    void watchLeadership(Runnable watcher) {
        leadershipWatchers.add(watcher);
    }

    private void tellLeadershipWatchers() {
        for (Runnable watcher : leadershipWatchers) {
            try {
                watcher.run();
            } catch (RuntimeException e) {
                LOG.warn("a leadership watcher failed", e);
            }
        }
    }

    /**
     * An entry that carries no command (a configuration or a leader's metadata entry) was reached.
     * It counts as applied only once every entry before it has finished, so Ratis's last-applied
     * index is moved through {@link #publishApplied} like every other entry, never directly: Ratis
     * calls this from its apply thread while earlier appends may still be in the store's writer.
     */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        applied.passed(term, index);
        publishApplied();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext transaction) {
        LogEntryProto entry = transaction.getLogEntry();
        long term = entry.getTerm();
        long index = entry.getIndex();
        entriesApplied.incrementAndGet();
        if (bytesSinceSnapshot.addAndGet(entry.getSerializedSize()) >= policy.snapshotBytes()) {
            askForSnapshot();
        }
        long slow = applyNanosPerMiB;
        if (slow > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(entry.getSerializedSize() * slow / (1 << 20));
        }
        AppliedIndex tracker = applied;
        tracker.started(index);
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        Command command;
        try {
            command = Command.decode(entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
        } catch (InvalidCommandException e) {
            return stop(new StoreFailedException("entry " + index + " is not a command this node can apply: "
                    + e.getMessage(), e));
        }
        List<AppendRequest> requests = command.requests();
        byte[][] replies = new byte[requests.size()][];
        AtomicLong nextPosition = new AtomicLong(-1);
        int recognised = 0;
        // A node stopped while applying a batch may hold only its first appends: those are
        // recognised, the rest applied.
        while (recognised < requests.size() && replayCursor <= replayHead) {
            replies[recognised] = recognise(index, requests.get(recognised), nextPosition);
            recognised++;
        }
        if (recognised == requests.size()) {
            tracker.finished(term, index, nextPosition.get());
            publishApplied();
            return CompletableFuture.completedFuture(message(Reply.entry(Arrays.asList(replies))));
        }
        CompletableFuture<Message> reply = new CompletableFuture<>();
        AtomicInteger unfinished = new AtomicInteger(requests.size() - recognised);
        Instant timestamp = Instant.EPOCH.plus(command.timestampMicros(), ChronoUnit.MICROS);
        for (int i = recognised; i < requests.size(); i++) {
            try {
                inFlight.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(new StoreFailedException("interrupted while applying entry " + index, e));
                reply.completeExceptionally(failure);
                return reply;
            }
            int slot = i;
            store.appendReplicated(requests.get(i), timestamp, (result, error) -> {
                inFlight.release();
                // The reply is completed whatever happens here: an entry left unanswered would hold
                // back every later request of its Raft client (Ratis orders a client's requests).
                try {
                    if (reply.isDone()) {
                        return;
                    }
                    if (error == null) {
                        replies[slot] = Reply.result(result);
                        nextPosition.accumulateAndGet(result.lastPosition() + 1, Math::max);
                    } else if (DECISIONS.contains(error.code())) {
                        replies[slot] = Reply.refusal(error);
                    } else {
                        stop(new StoreFailedException("applying entry " + index + " failed in the store, so this node"
                                + " stops applying (a restart resumes): " + error.getMessage(), error));
                        reply.completeExceptionally(failure);
                        return;
                    }
                    if (unfinished.decrementAndGet() == 0) {
                        tracker.finished(term, index, nextPosition.get());
                        publishApplied();
                        reply.complete(message(Reply.entry(Arrays.asList(replies))));
                    }
                } catch (RuntimeException e) {
                    stop(new StoreFailedException("finishing entry " + index + " failed, so this node stops applying"
                            + " (a restart resumes): " + e, e));
                    reply.completeExceptionally(failure);
                }
            });
        }
        return reply;
    }

    /**
     * Moves Ratis's last-applied index up to the unbroken applied prefix {@link AppliedIndex}
     * holds. Every move goes through here, under this lock, so it never goes backwards (Ratis
     * asserts that) however the store's writer and Ratis's apply thread interleave.
     */
    private synchronized void publishApplied() {
        AppliedIndex.Applied now = applied.applied();
        TermIndex last = getLastAppliedTermIndex();
        if (now.index() >= 0 && (last == null || now.index() > last.getIndex())) {
            updateLastAppliedTermIndex(now.term(), now.index());
        }
    }

    /**
     * Replay of an append the store may hold already: a write is recognised by its events at the
     * replay cursor; anything else wrote nothing when it was first applied (writes are contiguous).
     * Returns the append's reply; raises {@code nextPosition} past what it recognised.
     */
    private byte[] recognise(long index, AppendRequest request, AtomicLong nextPosition) {
        List<EventData> events = new ArrayList<>();
        for (AppendRequest.StreamAppend append : request.appends()) {
            events.addAll(append.events());
        }
        List<RecordedEvent> stored = store.readAll(ReadOptions.from(replayCursor, Direction.FORWARD)
                .withMaxEvents(Math.min(events.size(), io.rewind.api.Limits.MAX_READ_LIMIT))
                .withMaxBytes(ReadOptions.NO_BYTE_LIMIT)).events();
        if (stored.isEmpty() || !stored.get(0).id().equals(events.get(0).id())) {
            return Reply.refusal(new io.rewind.api.StoreUnavailableException("the outcome of this append"
                    + " was decided before the node restarted and is not known here: it may or may not have been"
                    + " stored: retry with the same event ids"));
        }
        List<AppendResult.Written> written = new ArrayList<>(events.size());
        long position = replayCursor;
        for (EventData event : events) {
            List<RecordedEvent> one = store.readAll(ReadOptions.from(position, Direction.FORWARD).withMaxEvents(1)
                    .withMaxBytes(ReadOptions.NO_BYTE_LIMIT)).events();
            if (one.isEmpty() || !one.get(0).id().equals(event.id())) {
                stop(new StoreFailedException("replaying entry " + index + ": position " + position
                        + " holds another event than the entry's " + event.id() + "; the store and the Raft log"
                        + " disagree", null));
                throw failure;
            }
            RecordedEvent recorded = one.get(0);
            written.add(new AppendResult.Written(recorded.stream(), recorded.version(), recorded.position(),
                    recorded.id()));
            position++;
        }
        replayCursor = position;
        nextPosition.accumulateAndGet(position, Math::max);
        if (replayCursor > replayHead) {
            LOG.info("replay recognised every stored event up to position {} at index {}", replayHead, index);
        }
        return Reply.result(new AppendResult(written));
    }

    private CompletableFuture<Message> stop(EventStoreException error) {
        if (failure == null) {
            failure = error;
            LOG.error("this node stops applying the Raft log: {}", error.getMessage(), error);
            applied.failWaiters(error);
        }
        return CompletableFuture.failedFuture(failure);
    }

    private static Message message(byte[] bytes) {
        return Message.valueOf(ByteString.copyFrom(bytes));
    }
}
