package io.rewind.cluster;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.EventPage;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.EventTooLargeException;
import io.rewind.api.HeadListener;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StoreOverloadedException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamListOptions;
import io.rewind.api.StreamPage;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.log.LogEventStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of a replicated cluster, as an {@link EventStore}: appends go through Raft (Apache
 * Ratis) and are acknowledged once committed by a majority, applied on the leader and applied on
 * this node; reads, listings, subscriptions and head watches are served by this node's local
 * {@link LogEventStore}, from what it has applied. docs/CLUSTER.md has the design and the
 * guarantees.
 *
 * <p>Start one with {@link #start}; it owns the local store and closes it. Thread-safe.
 */
public final class ClusterEventStore implements EventStore {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterEventStore.class);
    /** Every Rewind cluster is one Raft group; its id is fixed so that every node names the same group. */
    static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(
            UUID.nameUUIDFromBytes("rewind-cluster-1".getBytes(StandardCharsets.UTF_8)));
    /**
     * The most bytes one append may encode to as a command: a Raft entry is held whole in memory
     * by the leader's log appender and by every follower, and Ratis's log write buffer (allocated
     * once per node) must hold one, so it is bounded well below the log's own 1 GiB per append: room
     * for one event of the default largest size (16 MiB) with its metadata.
     */
    public static final int MAX_COMMAND_BYTES = 24 * 1024 * 1024;
    /** How long {@link #close} waits for the Raft server to close. */
    static final Duration SERVER_CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** The most appends this node holds waiting for or in flight through Raft (beyond them: OVERLOADED). */
    static final int MAX_APPENDS_IN_FLIGHT = 4096;
    /**
     * The most Raft entries this node has in flight at once. Appends that arrive while they are
     * all out wait and go together in the next entry: under load an entry carries many appends,
     * and Raft's cost per entry is paid once for them all; alone, an append goes at once.
     */
    static final int MAX_ENTRIES_IN_FLIGHT = 4;
    /** The most appends in one entry. */
    static final int MAX_APPENDS_PER_ENTRY = 1024;
    /**
     * The most bytes of appends batched into one entry (a larger append goes alone). 512 KiB: at
     * 4 MiB, four entries in flight were 16 MiB of Raft work ahead of an append, which a loaded
     * machine (load ~20, about 1 MB/s through Raft) took longer than {@link #APPEND_TIMEOUT} to
     * commit; now at most 2 MiB are ahead of a proposed append (2 s at 1 MB/s), and an entry
     * still carries ~40 appends of 100 small events, so Raft's cost per entry stays shared
     * (docs/CLUSTER.md, "What a client sees").
     */
    static final int MAX_BATCH_BYTES = 512 * 1024;
    /**
     * How long an append may wait for a leader and its commit before it fails as unknown: below
     * the Java client's default request timeout (10 s), so the client hears why.
     */
    static final Duration APPEND_TIMEOUT = Duration.ofSeconds(8);
    /**
     * How long an append may wait for the proposer (behind the entries in flight) before it is
     * refused as OVERLOADED, unproposed: half of {@link #APPEND_TIMEOUT}, so that a proposed
     * append has the other half for its entry's round (docs/CLUSTER.md, "What a client sees").
     */
    static final Duration PROPOSE_TIMEOUT = APPEND_TIMEOUT.dividedBy(2);
    /**
     * How long a Raft client Ratis gave up stays open for the requests it sent before (they are
     * answered normally or time out): beyond {@link #APPEND_TIMEOUT}, whose callers have heard by then.
     */
    static final Duration CLIENT_RETIRE_GRACE = APPEND_TIMEOUT.plusSeconds(4);
    /** The Raft client's timeout per request: beyond {@link #APPEND_TIMEOUT} (see clientProperties). */
    static final TimeDuration RAFT_REQUEST_TIMEOUT = TimeDuration.valueOf(APPEND_TIMEOUT.toMillis() + 2000,
            TimeUnit.MILLISECONDS);

    private final ClusterConfig config;
    private final LogEventStore local;
    private final RewindStateMachine stateMachine;
    private final RaftServer server;
    /** This node's Raft client, replaced when Ratis gives it up (see {@link RenewableRaftClient}). */
    private final RenewableRaftClient clients;
    private final ClusterMembership membership;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** For a node that lost its data: removing and adding itself back; null otherwise. */
    private volatile Rejoin rejoin;
    /**
     * Room for appends waiting for or in flight through Raft: a server thread must never block,
     * so this node takes a permit without waiting and refuses an append as overloaded when there
     * is none.
     */
    private final Semaphore inFlight = new Semaphore(MAX_APPENDS_IN_FLIGHT);
    /** Appends waiting for the proposer, in the order they came; guarded by itself. */
    private final ArrayDeque<Proposal> waiting = new ArrayDeque<>();
    /** Raft entries sent and not answered; guarded by {@link #waiting}. */
    private int entriesInFlight;
    /**
     * The one thread that hands entries to the Raft client, in the order their appends came.
     * Ratis's asynchronous {@code send} can block (its sliding window is locked while a retry
     * connects to another node), and a caller may be a server's socket thread, which must never
     * block.
     */
    private final Thread proposer;

    /** An append waiting to be proposed: its encoded body, the caller's future, and when it came (System.nanoTime). */
    private record Proposal(byte[] body, CompletableFuture<AppendResult> future, long arrivedNanos) {
    }

    private ClusterEventStore(ClusterConfig config, LogEventStore local, RewindStateMachine stateMachine,
            RaftServer server, RenewableRaftClient clients, ClusterMembership membership) {
        this.membership = membership;
        this.config = config;
        this.local = local;
        this.stateMachine = stateMachine;
        this.server = server;
        this.clients = clients;
        this.proposer = new Thread(this::propose, "rewind-cluster-proposer-" + config.nodeId());
        this.proposer.setDaemon(true);
        this.proposer.start();
    }

    /**
     * Starts this node's Raft server on its port (replaying what its store has not applied) and
     * its client, and returns at once: the node joins an election with its peers in the
     * background, and appends wait for a leader.
     *
     * @throws StoreUnavailableException if Ratis cannot start (port taken, Raft storage unreadable);
     *                                   the local store is closed then
     */
    public static ClusterEventStore start(ClusterConfig config, LogEventStore local) {
        return start(config, local, null);
    }

    /**
     * As {@link #start(ClusterConfig, LogEventStore)}, with this node's cluster traffic (to and
     * from every peer) under mutual TLS when {@code tls} is given; every peer must then use TLS
     * with a certificate from the same CA.
     */
    public static ClusterEventStore start(ClusterConfig config, LogEventStore local, ClusterTls tls) {
        return start(config, local, tls, false);
    }

    /**
     * As {@link #start(ClusterConfig, LogEventStore, ClusterTls)}; with {@code join}, a node new to
     * a running cluster: unless it has a Raft log already (a restart), its Raft server starts with
     * an empty group and waits for the leader, once {@link ClusterMembership#add} has added it,
     * to send it the configuration and the whole log. {@code config}'s other members are only whom
     * its appends are first sent to (they find the leader from there).
     */
    public static ClusterEventStore start(ClusterConfig config, LogEventStore local, ClusterTls tls, boolean join) {
        RaftServer server = null;
        try {
            List<RaftPeer> peers = new ArrayList<>();
            for (Map.Entry<String, String> member : config.members().entrySet()) {
                peers.add(RaftPeer.newBuilder().setId(member.getKey()).setAddress(member.getValue()).build());
            }
            RaftGroup group = RaftGroup.valueOf(GROUP_ID, peers);
            RewindStateMachine stateMachine = new RewindStateMachine(local);
            Files.createDirectories(config.raftDirectory());
            boolean existing = Files.isDirectory(config.raftDirectory().resolve(GROUP_ID.getUuid().toString()));
            Parameters parameters = parameters(tls);
            // No Raft directory: a member of a cluster being created, or a node that lost its data,
            // which must not take part under its old membership (docs/CLUSTER.md, "A node that lost
            // its data"): it runs as a joining node and removes and adds itself back (Rejoin).
            // A node stopped while it did so has its marker and goes on with it.
            LostDataCheck.Evidence lost = null;
            if (!join && Rejoin.underWay(config.raftDirectory())) {
                lost = new LostDataCheck.Evidence(config.nodeId(), config.address(), -1);
                LOG.warn("node {} stopped while it was removing and adding itself back after it lost its data ({}):"
                        + " it goes on with it", config.nodeId(), Rejoin.marker(config.raftDirectory()));
            } else if (!join && !existing) {
                lost = LostDataCheck.ask(config, parameters).orElse(null);
                if (lost != null) {
                    LOG.warn(LostDataCheck.describe(config, lost));
                    Rejoin.markUnderWay(config);
                }
            }
            // A joining node knows no configuration: it learns it from the leader (Ratis starts a
            // server outside any configuration in its initializing state, never standing for election).
            RaftGroup serverGroup = (join && !existing) || lost != null ? RaftGroup.valueOf(GROUP_ID) : group;
            server = RaftServer.newBuilder().setServerId(RaftPeerId.valueOf(config.nodeId())).setGroup(serverGroup)
                    .setStateMachine(stateMachine).setProperties(serverProperties(config)).setParameters(parameters)
                    .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                    .build();
            server.start();
            RenewableRaftClient clients = new RenewableRaftClient(config.nodeId(), () -> RaftClient.newBuilder()
                    .setProperties(clientProperties()).setParameters(parameters)
                    .setRaftGroup(group)
                    .setClientId(ClientId.randomId())
                    .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(Integer.MAX_VALUE,
                            TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                    .build(), CLIENT_RETIRE_GRACE.toMillis());
            stateMachine.useLeaderQueries(query -> leaderQuery(clients, query));
            LOG.info("cluster node {} started on {} with members {}{}; cluster traffic {}", config.nodeId(),
                    config.address(), config.members(),
                    lost != null ? " (it lost its data: removing and adding itself back)"
                            : join && !existing ? " (joining: waiting to be added)" : "",
                    tls == null ? "in plain text" : "under mutual TLS (CA " + tls.trustedCa() + ")");
            ClusterMembership membership = new ClusterMembership(config.nodeId(), server, parameters,
                    () -> stateMachine.appliedIndex().applied().index(), local::headPosition);
            ClusterEventStore node = new ClusterEventStore(config, local, stateMachine, server, clients, membership);
            if (lost != null) {
                node.rejoin = new Rejoin(config, parameters);
                node.rejoin.start();
            }
            return node;
        } catch (IOException | RuntimeException e) {
            closeQuietly(server);
            local.close();
            throw new StoreUnavailableException("cannot start cluster node '" + config.nodeId() + "' on "
                    + config.address() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A read-only query answered by the leader from its own state, without a ReadIndex round: a
     * node catching up asks for committed history only, and must not depend on a majority
     * acknowledging the leader's heartbeats (it may itself be one of the majority).
     */
    private static CompletableFuture<ByteBuffer> leaderQuery(RenewableRaftClient clients, byte[] query) {
        Message message = Message.valueOf(ByteString.copyFrom(query));
        RaftClient client = clients.get();
        CompletableFuture<RaftClientReply> sent;
        try {
            sent = client.async().sendReadOnlyNonLinearizable(message);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.whenComplete((reply, failure) -> {
            if (failure != null) {
                clients.renewIfGivenUp(client, failure);
            }
        }).thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw new CompletionException(reply.getException());
            }
            return reply.getMessage().getContent().asReadOnlyByteBuffer();
        });
    }

    /** Ratis's parameters: the same mutual TLS for its server, its client and its admin calls, or none. */
    private static Parameters parameters(ClusterTls tls) {
        Parameters parameters = new Parameters();
        if (tls != null) {
            GrpcTlsConfig conf = new GrpcTlsConfig(tls.privateKey().toFile(), tls.certificate().toFile(),
                    tls.trustedCa().toFile(), true);
            GrpcConfigKeys.Server.setTlsConf(parameters, conf);
            GrpcConfigKeys.Client.setTlsConf(parameters, conf);
            GrpcConfigKeys.Admin.setTlsConf(parameters, conf);
        }
        return parameters;
    }

    private static RaftProperties serverProperties(ClusterConfig config) {
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        GrpcConfigKeys.Server.setPort(properties, config.port());
        RaftServerConfigKeys.setStorageDir(properties, List.of(config.raftDirectory().toFile()));
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, duration(config.electionTimeoutMin()));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, duration(config.electionTimeoutMax()));
        // Leader-consistent reads ask the leader's commit index through ReadIndex: the leader
        // confirms that it still leads before it answers (a deposed leader cannot answer stale).
        RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        // Snapshots (docs/CLUSTER.md): Ratis takes one (the applied-index checkpoint) every
        // snapshotEntries entries and purges its log up to it, but never past what every member is
        // known to have committed (purgeUptoSnapshotIndex false): a member that is behind, down or
        // cut off keeps the entries it needs in the others' logs and catches up from them. Only a
        // node that has no Raft log the leader can continue (an empty directory, a new member after
        // a purge) is told to install a snapshot, and copies the events from the leader itself (not
        // Ratis's file transfer). Purging past a behind member was tried: a healed old leader whose
        // next index was the leader's log start stayed behind for good (Ratis 3.2.2: the appender
        // died on "Previous TermIndex not found"; 3.3.0: the install was never taken up while its
        // own diverged entries were still in its log) — PartitionTest
        // .aLeaderCutOffWhileTheMajoritySnapshotsKeepsWhatItNeedsAndRejoins. This node also writes
        // its checkpoint itself when it stops cleanly.
        SnapshotPolicy snapshots = SnapshotPolicy.current();
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, snapshots.snapshotEntries());
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(properties, false);
        RaftServerConfigKeys.Log.setPurgeGap(properties, snapshots.purgeGap());
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, false);
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(properties, false);
        // A follower writes each append it is sent before it acknowledges it. Ratis 3.3.0's default
        // ("compose") skips an append whose first index another append still being written starts
        // at, yet acknowledges its last index: a leader re-sending from where a follower's log ends,
        // with more entries, then holds a match index past what that follower holds, never sends
        // it the rest (the follower stayed behind for good after PartitionTest's flapping links),
        // and counts the false acknowledgement toward a majority. Without compose the follower
        // appends each request to its log in the order it handles them (docs/CLUSTER.md,
        // OverlappingAppendEntriesTest).
        RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(properties, false);
        // Room for the largest command in an append batch to a follower, and in a log segment.
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(properties, SizeInBytes.valueOf(MAX_COMMAND_BYTES + (1 << 16)));
        RaftServerConfigKeys.Log.setWriteBufferSize(properties, SizeInBytes.valueOf(MAX_COMMAND_BYTES + (1 << 17)));
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf(snapshots.raftSegmentBytes()));
        RaftServerConfigKeys.Write.setByteLimit(properties, SizeInBytes.valueOf(4L * MAX_COMMAND_BYTES));
        return properties;
    }

    private static RaftProperties clientProperties() {
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        // Longer than an append waits (APPEND_TIMEOUT): Ratis re-sends a request whose answer is
        // late, and a late answer under load means the leader is still working on the entry; the
        // re-sent copy (up to an entry's bytes) only added to that work. Requests are still
        // re-sent at once on an error (not the leader, connection lost).
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, RAFT_REQUEST_TIMEOUT);
        // One more than this node ever has in flight, so that the client's send never blocks.
        RaftClientConfigKeys.Async.setOutstandingRequestsMax(properties, MAX_APPENDS_IN_FLIGHT + 1);
        return properties;
    }

    private static TimeDuration duration(Duration duration) {
        return TimeDuration.valueOf(duration.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The Raft client this node sends through now (tests: to have Ratis give it up). */
    RaftClient raftClient() {
        return clients.get();
    }

    /** How many times Ratis gave up this node's Raft client and a new one took its place. */
    long raftClientRenewals() {
        return clients.renewals();
    }

    /** This node's configuration. */
    public ClusterConfig config() {
        return config;
    }

    /** The cluster's status and membership changes, as seen from this node (docs/CLUSTER.md). */
    public ClusterMembership membership() {
        checkOpen();
        return membership;
    }

    /** How this node, which lost its data, is bringing itself back; null when it did not (tests). */
    Rejoin rejoin() {
        return rejoin;
    }

    /** This node's Raft server (tests: to hand it Raft requests as a leader would). */
    RaftServer raftServer() {
        return server;
    }

    /** This node's state machine (tests: its catch-up counters and Raft log start). */
    RewindStateMachine stateMachine() {
        return stateMachine;
    }

    /** The index of the last Raft entry this node applied (-1 before the first). */
    public long appliedIndex() {
        return stateMachine.appliedIndex().applied().index();
    }

    /** True while this node is the leader of the cluster. */
    public boolean isLeader() {
        try {
            return server.getDivision(GROUP_ID).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The term this node leads in, once it has applied every entry committed before that term
     * (Ratis's leader-ready point, then this node's store caught up to it); -1 while it does not
     * lead or has not caught up. What a service that must run on the leader alone, from the
     * replicated state, waits for (the consumer groups, docs/GROUPS.md "On a cluster").
     */
    public long leadingTerm() {
        return stateMachine.leadingTerm();
    }

    /** The leader's node id as this node knows it; empty while none is known (an election). */
    public Optional<String> leader() {
        return Optional.ofNullable(stateMachine.leaderId());
    }

    /**
     * Calls {@code watcher} after every change of the leadership this node sees: the leader changed
     * (this node among them), or this node caught up as leader ({@link #leadingTerm}). Called on
     * Ratis's or the store's threads: it must return at once and look at {@link #leadingTerm} itself.
     */
    public void watchLeadership(Runnable watcher) {
        stateMachine.watchLeadership(java.util.Objects.requireNonNull(watcher, "watcher"));
    }

    /**
     * {@inheritDoc} Validated here, given ids where it has none, then proposed to the leader,
     * batched with the other appends waiting on this node into one Raft entry; the future
     * completes after commit by a majority and apply on the leader and on this node. When no
     * answer comes within {@link #APPEND_TIMEOUT} the future fails with
     * {@link StoreUnavailableException} (the outcome is unknown: retry with the same event ids);
     * when the append could not even be proposed within {@link #PROPOSE_TIMEOUT} (too much ahead
     * of it on this node) it fails with {@link StoreOverloadedException} (nothing stored).
     */
    @Override
    public CompletableFuture<AppendResult> appendAsync(AppendRequest request) {
        byte[] body;
        try {
            checkOpen();
            if (request == null) {
                throw new InvalidRequestException("append request must not be null");
            }
            request.validate(local.config().maxEventBytes());
            if (stateMachine.failure() != null) {
                throw stateMachine.failure();
            }
            body = Command.encodeAppend(withIds(request));
            if (Command.overheadBytes() + Command.framedSize(body) > MAX_COMMAND_BYTES) {
                throw new EventTooLargeException("the append encodes to " + body.length + " bytes; a cluster"
                        + " replicates at most " + (MAX_COMMAND_BYTES - Command.overheadBytes() - 4)
                        + " bytes per append: split it");
            }
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (!inFlight.tryAcquire()) {
            return CompletableFuture.failedFuture(new StoreOverloadedException("cluster node '" + config.nodeId()
                    + "' has " + MAX_APPENDS_IN_FLIGHT + " appends waiting for or in flight through Raft; nothing was"
                    + " stored, retry later"));
        }
        CompletableFuture<AppendResult> future = new CompletableFuture<>();
        synchronized (waiting) {
            if (closed.get()) {
                inFlight.release();
                return CompletableFuture.failedFuture(new StoreClosedException("cluster node '" + config.nodeId()
                        + "' is closed"));
            }
            Proposal proposal = new Proposal(body, future, System.nanoTime());
            waiting.add(proposal);
            waiting.notifyAll();
            CompletableFuture.delayedExecutor(PROPOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .execute(() -> expireUnproposed(proposal));
        }
        return future.orTimeout(APPEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).handle((result, failure) -> {
            if (failure != null) {
                throw unknownOutcome(failure);
            }
            return result;
        });
    }

    /**
     * An append still waiting for the proposer after {@link #PROPOSE_TIMEOUT} is never proposed:
     * nothing was stored, and it fails at once as OVERLOADED (this node holds more than it gets
     * through Raft in time). One already proposed is left to its entry (and {@link #APPEND_TIMEOUT}).
     */
    private void expireUnproposed(Proposal proposal) {
        boolean unproposed;
        synchronized (waiting) {
            unproposed = !proposal.future().isDone() && waiting.removeFirstOccurrence(proposal);
        }
        if (unproposed) {
            inFlight.release();
            proposal.future().completeExceptionally(new StoreOverloadedException("cluster node '" + config.nodeId()
                    + "' could not propose the append within " + PROPOSE_TIMEOUT.toSeconds() + " s (the appends ahead"
                    + " of it were still going through Raft); nothing was stored, retry later"));
        }
    }

    /**
     * The proposer's loop: while fewer than {@link #MAX_ENTRIES_IN_FLIGHT} entries are out, takes
     * what waits (up to an entry's limits) and sends it as one entry. Ends when the node closes
     * and nothing waits.
     */
    private void propose() {
        while (true) {
            List<Proposal> batch = new ArrayList<>();
            synchronized (waiting) {
                while ((waiting.isEmpty() || entriesInFlight >= MAX_ENTRIES_IN_FLIGHT) && !closed.get()) {
                    try {
                        waiting.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (closed.get()) {
                    failWaiting();
                    return;
                }
                int bytes = Command.overheadBytes();
                while (!waiting.isEmpty() && batch.size() < MAX_APPENDS_PER_ENTRY) {
                    Proposal next = waiting.peek();
                    if (next.future().isDone()) {
                        // Its time ran out before its expiry took it out (a late timer thread):
                        // its caller heard "unknown"; nothing was proposed.
                        waiting.poll();
                        inFlight.release();
                        continue;
                    }
                    int size = Command.framedSize(next.body());
                    if (!batch.isEmpty() && bytes + size > MAX_BATCH_BYTES) {
                        break;
                    }
                    batch.add(waiting.poll());
                    bytes += size;
                }
                if (batch.isEmpty()) {
                    continue;
                }
                entriesInFlight++;
            }
            send(batch);
        }
    }

    private void send(List<Proposal> batch) {
        List<byte[]> bodies = new ArrayList<>(batch.size());
        for (Proposal proposal : batch) {
            bodies.add(proposal.body());
        }
        long sentNanos = System.nanoTime();
        int entryBytes = Command.overheadBytes();
        for (byte[] body : bodies) {
            entryBytes += Command.framedSize(body);
        }
        int bytesOfEntry = entryBytes;
        CompletableFuture<RaftClientReply> sent;
        RaftClient client = clients.get();
        try {
            sent = client.async().send(Message.valueOf(ByteString.copyFrom(Command.encodeAppends(bodies))));
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((reply, failure) -> {
            if (LOG.isDebugEnabled()) {
                long now = System.nanoTime();
                LOG.debug("entry of {} appends, {} bytes: waited {} ms for the proposer, {} ms in Raft ({})", batch.size(),
                        bytesOfEntry, (sentNanos - batch.get(0).arrivedNanos()) / 1_000_000, (now - sentNanos) / 1_000_000,
                        failure != null ? failure.toString() : reply.isSuccess() ? "committed at " + reply.getLogIndex()
                                : String.valueOf(reply.getException()));
            }
            synchronized (waiting) {
                entriesInFlight--;
                waiting.notifyAll();
            }
            inFlight.release(batch.size());
            if (failure != null) {
                if (!closed.get()) {
                    clients.renewIfGivenUp(client, failure);
                }
                batch.forEach(proposal -> proposal.future().completeExceptionally(failure));
            } else if (!reply.isSuccess()) {
                batch.forEach(proposal -> proposal.future().completeExceptionally(reply.getException()));
            } else {
                answer(batch, reply);
            }
        });
    }

    /**
     * Completes each append of an answered entry with its own outcome, once this node applied
     * the entry too: what the caller reads next here then agrees with the outcome (a refusal is
     * decided at apply time, like a result).
     */
    private void answer(List<Proposal> batch, RaftClientReply reply) {
        List<ByteBuffer> replies;
        try {
            replies = Reply.split(reply.getMessage().getContent().asReadOnlyByteBuffer(), batch.size());
        } catch (EventStoreException e) {
            batch.forEach(proposal -> proposal.future().completeExceptionally(e));
            return;
        }
        stateMachine.appliedIndex().whenApplied(reply.getLogIndex()).whenComplete((applied, failure) -> {
            for (int i = 0; i < batch.size(); i++) {
                CompletableFuture<AppendResult> future = batch.get(i).future();
                if (failure != null) {
                    future.completeExceptionally(failure);
                    continue;
                }
                try {
                    future.complete(Reply.decode(replies.get(i)));
                } catch (EventStoreException e) {
                    future.completeExceptionally(e);
                }
            }
        });
    }

    /** Fails every append still waiting: the node closed before proposing them. Under {@link #waiting}. */
    private void failWaiting() {
        for (Proposal proposal; (proposal = waiting.poll()) != null; ) {
            inFlight.release();
            proposal.future().completeExceptionally(new StoreClosedException("cluster node '" + config.nodeId()
                    + "' closed before proposing the append; nothing was stored"));
        }
    }

    /** The failure inside any layers of {@link CompletionException}. */
    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static EventStoreException unknownOutcome(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof EventStoreException e) {
            return e;
        }
        String why = cause instanceof TimeoutException ? "no answer from the cluster's leader within "
                + APPEND_TIMEOUT.toSeconds() + " s" : String.valueOf(cause);
        return new StoreUnavailableException("the cluster did not confirm the append (" + why + "): it may or may"
                + " not have been stored: retry with the same event ids", cause);
    }

    /** The request with a fresh id on every event that has none, so the command is the same on every node. */
    private static AppendRequest withIds(AppendRequest request) {
        boolean complete = true;
        for (AppendRequest.StreamAppend append : request.appends()) {
            for (EventData event : append.events()) {
                complete &= event.id() != null;
            }
        }
        if (complete) {
            return request;
        }
        AppendRequest.Builder builder = AppendRequest.builder();
        for (AppendRequest.StreamAppend append : request.appends()) {
            List<EventData> events = new ArrayList<>(append.events().size());
            for (EventData event : append.events()) {
                events.add(event.id() != null ? event : event.withId(UUID.randomUUID()));
            }
            builder.append(append.stream(), append.expected(), events);
        }
        for (AppendRequest.StreamCheck check : request.checks()) {
            builder.check(check.stream(), check.expected());
        }
        return builder.build();
    }

    /** {@inheritDoc} With leader consistency, after {@link #leaderBarrier}. */
    @Override
    public CompletableFuture<EventPage> readStreamAsync(String stream, ReadOptions options) {
        if (options != null && options.leaderConsistent()) {
            return leaderBarrier().thenCompose(caughtUp -> local.readStreamAsync(stream, options));
        }
        return local.readStreamAsync(stream, options);
    }

    @Override
    public EventPage readStream(String stream, ReadOptions options) {
        if (options != null && options.leaderConsistent()) {
            awaitBarrier();
        }
        return local.readStream(stream, options);
    }

    /** {@inheritDoc} With leader consistency, after {@link #leaderBarrier}. */
    @Override
    public CompletableFuture<EventPage> readAllAsync(ReadOptions options) {
        if (options != null && options.leaderConsistent()) {
            return leaderBarrier().thenCompose(caughtUp -> local.readAllAsync(options));
        }
        return local.readAllAsync(options);
    }

    @Override
    public EventPage readAll(ReadOptions options) {
        if (options != null && options.leaderConsistent()) {
            awaitBarrier();
        }
        return local.readAll(options);
    }

    /**
     * Completes once this node has applied every entry the leader had committed when it was asked:
     * the leader's commit index comes through Ratis's linearizable read (the leader confirms that
     * it still leads first), and an append acknowledged by any node was committed before its
     * acknowledgement. Fails with {@link StoreUnavailableException} when that takes longer than
     * {@link #APPEND_TIMEOUT} (no leader, or this node cannot catch up in time).
     */
    CompletableFuture<Void> leaderBarrier() {
        try {
            checkOpen();
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<RaftClientReply> asked;
        try {
            asked = clients.get().async().sendReadOnlyUnordered(Message.valueOf(ByteString.copyFrom(
                    new byte[] {RewindStateMachine.QUERY_COMMIT_INDEX})));
        } catch (RuntimeException e) {
            asked = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> caughtUp = asked.thenCompose(reply -> {
            if (!reply.isSuccess()) {
                throw new CompletionException(reply.getException());
            }
            long committed = reply.getMessage().getContent().asReadOnlyByteBuffer().getLong();
            return stateMachine.appliedIndex().whenApplied(committed);
        });
        return caughtUp.orTimeout(APPEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).handle((done, failure) -> {
            if (failure != null) {
                Throwable cause = unwrap(failure);
                if (cause instanceof EventStoreException e) {
                    throw e;
                }
                String why = cause instanceof TimeoutException ? "no answer within " + APPEND_TIMEOUT.toSeconds() + " s"
                        : String.valueOf(cause);
                throw new StoreUnavailableException("cluster node '" + config.nodeId() + "' could not make the read"
                        + " leader-consistent (" + why + "): nothing was read, retry", cause);
            }
            return null;
        });
    }

    private void awaitBarrier() {
        try {
            leaderBarrier().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof EventStoreException cause) {
                throw cause;
            }
            throw e;
        }
    }

    @Override
    public CompletableFuture<Optional<RecordedEvent>> readEventAsync(UUID id) {
        return local.readEventAsync(id);
    }

    @Override
    public Optional<RecordedEvent> readEvent(UUID id) {
        return local.readEvent(id);
    }

    @Override
    public long firstPositionAtOrAfter(Instant time) {
        return local.firstPositionAtOrAfter(time);
    }

    @Override
    public long headPosition() {
        return local.headPosition();
    }

    @Override
    public Optional<StreamInfo> streamInfo(String stream) {
        return local.streamInfo(stream);
    }

    @Override
    public CompletableFuture<StreamPage> listStreamsAsync(StreamListOptions options) {
        return local.listStreamsAsync(options);
    }

    @Override
    public Subscription subscribe(SubscriptionRequest request, SubscriptionListener listener) {
        return local.subscribe(request, listener);
    }

    @Override
    public HeadListener.Registration watchHead(HeadListener listener) {
        return local.watchHead(listener);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new StoreClosedException("cluster node '" + config.nodeId() + "' is closed");
        }
    }

    /**
     * Stops the client, then the Raft server (which writes this node's applied-index checkpoint),
     * then the local store. Appends in flight fail or complete; idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Rejoin rejoining = rejoin;
        if (rejoining != null) {
            rejoining.close();
        }
        synchronized (waiting) {
            waiting.notifyAll();
        }
        try {
            proposer.join(APPEND_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clients.close();
        closeWithin(server, SERVER_CLOSE_TIMEOUT);
        if (stateMachine.failure() == null) {
            try {
                stateMachine.takeSnapshot();
            } catch (IOException e) {
                LOG.warn("node {} could not write its applied-index checkpoint; its next start replays more of the"
                        + " Raft log: {}", config.nodeId(), e.toString());
            }
        }
        local.close();
    }

    /**
     * Closes the Raft server, waiting at most {@code timeout}: Ratis's close waits for its thread
     * pools, which was seen to take minutes on the last node of a stopping cluster. After the
     * timeout the local store is closed anyway; an entry Ratis still applies then fails against
     * the closed store, which stops this node applying and leaves the store a prefix of the log.
     */
    private void closeWithin(RaftServer raftServer, Duration timeout) {
        Thread closing = new Thread(() -> closeQuietly(raftServer), "rewind-cluster-close-" + config.nodeId());
        closing.setDaemon(true);
        closing.start();
        try {
            closing.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closing.isAlive()) {
            LOG.warn("the Raft server of node {} did not close within {} s; closing the local store anyway",
                    config.nodeId(), timeout.toSeconds());
        }
    }

    private static void closeQuietly(RaftServer server) {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("closing the Raft server failed: {}", e.toString());
        }
    }
}
