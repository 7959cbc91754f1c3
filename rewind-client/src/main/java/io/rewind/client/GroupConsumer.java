package io.rewind.client;

import io.rewind.api.EventStoreException;
import io.rewind.api.NotLeaderException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.StoreClosedException;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.command.CommandRequest.GroupOperation;
import io.rewind.protocol.command.ErrorReplies;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote consumer of a consumer group (docs/GROUPS.md): joins with GROUP JOIN, hands every
 * GROUP_DELIVER to its {@link GroupListener} on a thread of its own, pings so the server keeps it,
 * and joins again after a lost connection or a removal (with a growing pause, as subscriptions
 * reconnect). {@link #close()} leaves the group.
 *
 * <p>With several endpoints (a cluster's nodes) it has a connection of its own and finds the node
 * that runs the groups, the leader: a node that answers {@link NotLeaderException} (to the JOIN,
 * or to end a membership when it stops leading), or whose connection is lost, makes it move to the
 * next endpoint and join there (docs/GROUPS.md "On a cluster"). Thread-safe.
 */
public final class GroupConsumer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupConsumer.class);
    /** Well below the server's default subscription timeout (60 s): the server drops silent consumers. */
    static final Duration PING_INTERVAL = Duration.ofSeconds(5);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(5);
    /** The longest pause between two JOINs while looking for the leader across endpoints. */
    private static final long MAX_MOVE_PAUSE_MILLIS = 1000;

    private final Connection connection;
    /** Whether {@link #connection} is this consumer's own, which it may move between endpoints and closes. */
    private final boolean ownConnection;
    private final Duration requestTimeout;
    private final String group;
    private final String name;
    private final GroupListener listener;
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> firstJoin = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile long joinId = -1;
    /** Why the last JOIN failed, for the first join's timeout message. */
    private volatile EventStoreException lastJoinFailure;
    private final java.util.concurrent.atomic.AtomicInteger moves = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * A JOIN of this consumer went unanswered (no reply in time, or the connection dropped first):
     * the server may still take it later and count this consumer as joined on this connection — a
     * JOIN sent while the server is down waits in ZeroMQ's queue and reaches the restarted server.
     * Such a membership would get the deliveries, which nobody here handles, and refuse every later
     * JOIN as a duplicate; so a LEAVE goes first (it follows that JOIN in the same queue).
     */
    private volatile boolean mayBeJoined;
    /**
     * The join id of the last membership that ended (set by the I/O thread the moment it hears, so
     * that deliveries of that membership still queued in {@link #inbox} are dropped, not handed to
     * the listener: their acks could only fail, and the server hands the events out again).
     */
    private volatile long endedJoinId = -1;
    private final java.util.concurrent.atomic.AtomicLong droppedDeliveries = new java.util.concurrent.atomic.AtomicLong();

    /**
     * The membership ended (an ERROR on the join id, or the connection was lost): join again.
     * {@code error} is the server's ERROR, null for a lost connection.
     */
    private record Ended(long joinId, String reason, EventStoreException error) {
    }

    private static final Object STOP = new Object();

    GroupConsumer(Connection connection, Duration requestTimeout, String group, String name, GroupListener listener) {
        this(connection, false, requestTimeout, group, name, listener);
    }

    /** With {@code ownConnection}, the consumer moves {@code connection} between endpoints and closes it. */
    GroupConsumer(Connection connection, boolean ownConnection, Duration requestTimeout, String group, String name,
            GroupListener listener) {
        this.ownConnection = ownConnection;
        this.connection = connection;
        this.requestTimeout = requestTimeout;
        this.group = group;
        this.name = name;
        this.listener = listener;
        this.thread = new Thread(this::run, "rewind-client-group-" + group + "-" + name);
        this.thread.setDaemon(true);
    }

    /** Starts and waits for the first JOIN's answer; throws what the server said if it refused. */
    void start() {
        thread.start();
        try {
            firstJoin.get(requestTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            close();
            throw e.getCause() instanceof EventStoreException failure ? failure
                    : new EventStoreException(io.rewind.api.ErrorCode.INTERNAL, e.getCause().getMessage());
        } catch (TimeoutException e) {
            close();
            EventStoreException last = lastJoinFailure;
            throw new io.rewind.api.StoreUnavailableException("no answer to GROUP JOIN of consumer '" + name
                    + "' of group '" + group + "' within " + requestTimeout.toMillis() * 2 + " ms"
                    + (last == null ? "" : "; the last answer: " + last.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new io.rewind.api.StoreUnavailableException("interrupted while joining group '" + group + "'", e);
        }
    }

    public String group() {
        return group;
    }

    public String name() {
        return name;
    }

    /** How many times this consumer moved to another endpoint to find the node that runs the groups. */
    public int moves() {
        return moves.get();
    }

    /**
     * How many deliveries this consumer dropped unhandled because their membership had ended
     * (the connection dropped, or the server ended it) before the listener's turn came.
     */
    public long droppedDeliveries() {
        return droppedDeliveries.get();
    }

    /** How many deliveries wait in this consumer's queue for the listener (tests). */
    int queuedForTest() {
        return (int) inbox.stream().filter(CommandReply.GroupDelivery.class::isInstance).count();
    }

    /** Whether the current membership has ended and the consumer has not joined again yet (tests). */
    boolean membershipEnded() {
        return endedJoinId == joinId;
    }

    /** The endpoint this consumer talks to now. */
    public String endpoint() {
        return connection.endpoint();
    }

    private void run() {
        long pause = 100;
        boolean joined = false;
        long nextPing = System.nanoTime() + PING_INTERVAL.toNanos();
        while (!closed) {
            if (!joined) {
                try {
                    if (mayBeJoined) {
                        leaveUnansweredJoin();
                    }
                    join();
                    joined = true;
                    mayBeJoined = false; // whatever an earlier JOIN did, the server took it before this one
                    pause = 100;
                    firstJoin.complete(null);
                } catch (EventStoreException e) {
                    lastJoinFailure = e;
                    boolean moving = ownConnection && e instanceof NotLeaderException;
                    // Across a cluster's nodes, the first JOIN also looks for the leader (and waits out
                    // an election, a starting service or one that closed as its node stepped down)
                    // until start() gives up.
                    boolean passing = e instanceof StoreUnavailableException
                            || e.code() == io.rewind.api.ErrorCode.CLOSED;
                    if (!firstJoin.isDone() && !(ownConnection && passing)) {
                        firstJoin.completeExceptionally(e);
                        return;
                    }
                    if (moving) {
                        moveOn("GROUP JOIN refused: " + e.getMessage());
                    }
                    LOG.info("Consumer '{}' of group '{}' could not join{} ({}); retrying in {} ms", name, group,
                            firstJoin.isDone() ? " again" : "", e.getMessage(), pause);
                    if (waitFor(pause) == STOP) {
                        break;
                    }
                    pause = Math.min(pause * 2, moving ? MAX_MOVE_PAUSE_MILLIS : MAX_PAUSE.toMillis());
                    continue;
                }
            }
            Object next = waitFor(Math.max(1, (nextPing - System.nanoTime()) / 1_000_000));
            if (next == null) {
                connection.call(CommandRequest.Ping::new); // keeps the membership; a lost one shows as Ended
                nextPing = System.nanoTime() + PING_INTERVAL.toNanos();
            } else if (next == STOP) {
                break;
            } else if (next instanceof CommandReply.GroupDelivery delivery && delivery.requestId() == joinId) {
                if (delivery.requestId() == endedJoinId) {
                    droppedDeliveries.incrementAndGet();
                    LOG.debug("Consumer '{}' of group '{}' drops delivery {} of a membership that ended", name, group,
                            delivery.deliveryId());
                } else {
                    deliver(delivery);
                }
            } else if (next instanceof Ended ended && ended.joinId() == joinId) {
                LOG.info("Consumer '{}' of group '{}' lost its membership: {}; joining again", name, group,
                        ended.reason());
                connection.unroute(ended.joinId());
                joined = false;
                if (ended.error() == null) {
                    // A lost connection says nothing of the server's side: it may still count this
                    // consumer as joined (it notices a drop only later, or the JOIN reached it just as
                    // the client gave the connection up), and a JOIN from the same client would then
                    // be refused as a duplicate. A LEAVE goes first.
                    mayBeJoined = true;
                }
                if (ownConnection && ended.error() instanceof NotLeaderException) {
                    moveOn("the membership ended: " + ended.reason());
                }
            }
        }
        listener.onStopped("consumer '" + name + "' of group '" + group + "' closed");
    }

    private void deliver(CommandReply.GroupDelivery delivery) {
        GroupMessage message = new GroupMessage(this, delivery.deliveryId(), delivery.attempt(), delivery.replay(),
                delivery.event());
        try {
            listener.onDelivery(message);
        } catch (RuntimeException e) {
            LOG.warn("The listener of consumer '{}' of group '{}' failed on {}; nacking it for a retry", name, group,
                    message, e);
            try {
                message.nack(GroupMessage.NackAction.RETRY, "listener failed: " + e);
            } catch (EventStoreException refused) {
                LOG.warn("Nack of {} refused: {}", message, refused.getMessage());
            }
        }
    }

    /** Moves this consumer's own connection to the next endpoint. */
    private void moveOn(String reason) {
        moves.incrementAndGet();
        connection.moveOn(reason);
    }

    private Object waitFor(long millis) {
        try {
            return inbox.poll(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return STOP;
        }
    }

    private void join() {
        long id = connection.nextRequestId();
        joinId = id;
        connection.route(id, new Connection.GroupRoute() {
            @Override
            public void onReply(CommandReply reply) {
                if (reply instanceof CommandReply.Error error) {
                    endedJoinId = id;
                    inbox.add(new Ended(id, error.code() + ": " + error.reason(), ErrorReplies.toException(error)));
                } else {
                    inbox.add(reply);
                }
            }

            @Override
            public void connectionLost(String reason) {
                endedJoinId = id;
                inbox.add(new Ended(id, reason, null));
            }
        });
        try {
            await(connection.call(id, requestId -> new CommandRequest.Group(requestId, GroupOperation.JOIN,
                    List.of(group, name))));
        } catch (EventStoreException e) {
            connection.unroute(id);
            if (e instanceof io.rewind.api.StoreUnavailableException || holdsTheNameAlready(e)) {
                mayBeJoined = true;
            }
            throw e;
        }
    }

    /**
     * Whether the server refused a JOIN because this very client already holds the name there (an
     * earlier membership it no longer knows of): a LEAVE frees it.
     */
    private static boolean holdsTheNameAlready(EventStoreException e) {
        return e.code() == io.rewind.api.ErrorCode.BAD_REQUEST && e.getMessage() != null
                && e.getMessage().contains("is already joined on this connection");
    }

    /** Sends LEAVE for a JOIN that may have reached the server unanswered ({@link #mayBeJoined}). */
    private void leaveUnansweredJoin() {
        try {
            await(connection.call(requestId -> new CommandRequest.Group(requestId, GroupOperation.LEAVE,
                    List.of(group, name))));
            mayBeJoined = false;
            LOG.info("Consumer '{}' of group '{}' left the membership an unanswered JOIN had made", name, group);
        } catch (io.rewind.api.StoreUnavailableException e) {
            LOG.debug("Leave of consumer '{}' of group '{}' before joining again: {}", name, group, e.getMessage());
        } catch (EventStoreException e) {
            mayBeJoined = false; // answered: this connection holds no such membership (any more)
        }
    }

    /** Sends ACK or NACK of a delivery and waits for the answer. */
    void settle(String operation, long deliveryId, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of(group, name, Long.toString(deliveryId)));
        args.addAll(List.of(more));
        await(connection.call(id -> new CommandRequest.Group(id, GroupOperation.valueOf(operation), args)));
    }

    /**
     * Sends ACK or NACK of a delivery; the future completes with the answer or fails with the
     * refusal (the connection fails a request with no answer within the request timeout).
     */
    CompletableFuture<Void> settleAsync(String operation, long deliveryId, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of(group, name, Long.toString(deliveryId)));
        args.addAll(List.of(more));
        CompletableFuture<Void> settled = new CompletableFuture<>();
        connection.call(id -> new CommandRequest.Group(id, GroupOperation.valueOf(operation), args))
                .whenComplete((reply, failure) -> {
                    if (failure == null) {
                        settled.complete(null);
                        return;
                    }
                    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    settled.completeExceptionally(cause instanceof EventStoreException ? cause
                            : new EventStoreException(io.rewind.api.ErrorCode.INTERNAL, String.valueOf(cause)));
                });
        return settled;
    }

    private CommandReply await(CompletableFuture<CommandReply> future) {
        try {
            return future.get(requestTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof EventStoreException failure ? failure
                    : new EventStoreException(io.rewind.api.ErrorCode.INTERNAL, String.valueOf(e.getCause()));
        } catch (TimeoutException e) {
            throw new io.rewind.api.StoreUnavailableException("no answer from the server within "
                    + requestTimeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreClosedException("interrupted while waiting for the server");
        }
    }

    /** Leaves the group (the server hands what this consumer held to the others) and stops the thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        inbox.add(STOP);
        if (Thread.currentThread() != thread) {
            try {
                thread.join(requestTimeout.toMillis() * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long id = joinId;
        if (id >= 0 && (mayBeJoined || (firstJoin.isDone() && !firstJoin.isCompletedExceptionally()))) {
            connection.unroute(id);
            try {
                await(connection.call(requestId -> new CommandRequest.Group(requestId, GroupOperation.LEAVE,
                        List.of(group, name))));
            } catch (EventStoreException e) {
                LOG.debug("Leave of consumer '{}' of group '{}': {}", name, group, e.getMessage());
            }
        }
        if (ownConnection) {
            connection.close();
            if (onClose != null) {
                onClose.run();
            }
        }
    }

    /** Run after close (the client forgets this consumer); set before start. */
    private Runnable onClose;

    void onClose(Runnable action) {
        this.onClose = action;
    }

    static EventStoreException toException(CommandReply.Error error) {
        return ErrorReplies.toException(error);
    }
}
