package io.rewind.client;

import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.NotLeaderException;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.command.CommandRequest.GroupOperation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer groups of a Rewind server (docs/GROUPS.md), over the GROUP command
 * (docs/PROTOCOL.md §5.6): manage them, and consume with {@link #consume}. Get one with
 * {@link #of} from a store {@link RewindClient#connect} returned. Failures are the server's:
 * {@code NOT_FOUND} for an unknown group, {@code BAD_REQUEST} for a duplicate or bad settings,
 * {@code ACCESS_DENIED} without the grant (docs/SECURITY.md). On a cluster, a client given every
 * node's endpoint sends these calls to the node that runs the groups, the leader, by itself
 * (docs/GROUPS.md, "On a cluster"); a client given one follower's endpoint gets its {@link NotLeaderException}. Thread-safe.
 */
public final class RemoteGroups {

    /** What {@link #create} creates; {@link #named} gives the server's defaults, the withers change them. */
    public record Spec(String name, String strategy, int maxInFlight, Duration ackTimeout, int maxRetries,
            Duration retryBackoff, String scope, String target, String start, long afterPosition, List<String> types) {
        public Spec {
            Objects.requireNonNull(name, "name");
            types = List.copyOf(types);
        }

        /** Round-robin over every stream from the beginning; 10 in flight, 30 s ack timeout, 10 retries, 1 s backoff. */
        public static Spec named(String name) {
            return new Spec(name, "ROUND_ROBIN", 10, Duration.ofSeconds(30), 10, Duration.ofSeconds(1), "ALL", "",
                    "BEGINNING", -1, List.of());
        }

        public Spec pinnedByStream() {
            return withStrategy("PINNED_BY_STREAM");
        }

        public Spec withStrategy(String value) {
            return new Spec(name, value, maxInFlight, ackTimeout, maxRetries, retryBackoff, scope, target, start,
                    afterPosition, types);
        }

        public Spec withMaxInFlight(int value) {
            return new Spec(name, strategy, value, ackTimeout, maxRetries, retryBackoff, scope, target, start,
                    afterPosition, types);
        }

        public Spec withAckTimeout(Duration value) {
            return new Spec(name, strategy, maxInFlight, value, maxRetries, retryBackoff, scope, target, start,
                    afterPosition, types);
        }

        public Spec withMaxRetries(int value) {
            return new Spec(name, strategy, maxInFlight, ackTimeout, value, retryBackoff, scope, target, start,
                    afterPosition, types);
        }

        public Spec withRetryBackoff(Duration value) {
            return new Spec(name, strategy, maxInFlight, ackTimeout, maxRetries, value, scope, target, start,
                    afterPosition, types);
        }

        public Spec streamPrefix(String prefix) {
            return new Spec(name, strategy, maxInFlight, ackTimeout, maxRetries, retryBackoff, "PREFIX", prefix, start,
                    afterPosition, types);
        }

        public Spec stream(String stream) {
            return new Spec(name, strategy, maxInFlight, ackTimeout, maxRetries, retryBackoff, "STREAM", stream, start,
                    afterPosition, types);
        }

        public Spec withTypes(List<String> value) {
            return new Spec(name, strategy, maxInFlight, ackTimeout, maxRetries, retryBackoff, scope, target, start,
                    afterPosition, value);
        }

        /** Start after a position (-1 = the beginning). */
        public Spec startAfter(long position) {
            return new Spec(name, strategy, maxInFlight, ackTimeout, maxRetries, retryBackoff, scope, target, "AFTER",
                    position, types);
        }

        /** Start at the head when the group is created. */
        public Spec startNow() {
            return new Spec(name, strategy, maxInFlight, ackTimeout, maxRetries, retryBackoff, scope, target, "NOW", -1,
                    types);
        }

        List<String> arguments() {
            List<String> args = new ArrayList<>(List.of(name, strategy, Integer.toString(maxInFlight),
                    Long.toString(ackTimeout.toMillis()), Integer.toString(maxRetries),
                    Long.toString(retryBackoff.toMillis()), scope, target, start, Long.toString(afterPosition)));
            args.addAll(types);
            return args;
        }
    }

    /** A group as DESCRIBE shows it. */
    public record Description(String name, String strategy, int maxInFlight, long ackTimeoutMillis, int maxRetries,
            long retryBackoffMillis, String scope, String target, long startAfter, long checkpoint,
            long durableCheckpoint, long head, int inFlight, int buffered, int parked, List<String> consumers,
            List<String> types) {

        static Description of(List<String> v) {
            int consumers = Integer.parseInt(v.get(15));
            return new Description(v.get(0), v.get(1), Integer.parseInt(v.get(2)), Long.parseLong(v.get(3)),
                    Integer.parseInt(v.get(4)), Long.parseLong(v.get(5)), v.get(6), v.get(7), Long.parseLong(v.get(8)),
                    Long.parseLong(v.get(9)), Long.parseLong(v.get(10)), Long.parseLong(v.get(11)),
                    Integer.parseInt(v.get(12)), Integer.parseInt(v.get(13)), Integer.parseInt(v.get(14)),
                    List.copyOf(v.subList(16, 16 + consumers)), List.copyOf(v.subList(16 + consumers, v.size())));
        }

        /** Positions between the checkpoint and the head. */
        public long lag() {
            return Math.max(0, head - checkpoint);
        }
    }

    /**
     * What {@link #update} changes: each setting given is set, each left {@code null} keeps the
     * group's current value. Start from {@link #keep()}.
     */
    public record Update(String strategy, Integer maxInFlight, Duration ackTimeout, Integer maxRetries,
            Duration retryBackoff) {

        /** Changes nothing (the server refuses an update with no setting given). */
        public static Update keep() {
            return new Update(null, null, null, null, null);
        }

        public Update withStrategy(String value) {
            return new Update(value, maxInFlight, ackTimeout, maxRetries, retryBackoff);
        }

        public Update withMaxInFlight(int value) {
            return new Update(strategy, value, ackTimeout, maxRetries, retryBackoff);
        }

        public Update withAckTimeout(Duration value) {
            return new Update(strategy, maxInFlight, value, maxRetries, retryBackoff);
        }

        public Update withMaxRetries(int value) {
            return new Update(strategy, maxInFlight, ackTimeout, value, retryBackoff);
        }

        public Update withRetryBackoff(Duration value) {
            return new Update(strategy, maxInFlight, ackTimeout, maxRetries, value);
        }

        List<String> arguments(String name) {
            return List.of(name, strategy == null ? "" : strategy, maxInFlight == null ? "" : maxInFlight.toString(),
                    ackTimeout == null ? "" : Long.toString(ackTimeout.toMillis()),
                    maxRetries == null ? "" : maxRetries.toString(),
                    retryBackoff == null ? "" : Long.toString(retryBackoff.toMillis()));
        }
    }

    /** A group's settings, as an {@link #update} left them. */
    public record Settings(String name, String strategy, int maxInFlight, long ackTimeoutMillis, int maxRetries,
            long retryBackoffMillis) {

        static Settings of(List<String> v) {
            return new Settings(v.get(0), v.get(1), Integer.parseInt(v.get(2)), Long.parseLong(v.get(3)),
                    Integer.parseInt(v.get(4)), Long.parseLong(v.get(5)));
        }
    }

    /** One entry of a group's parked list. */
    public record Parked(long position, String stream, UUID eventId, int attempts, String reason) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(RemoteGroups.class);
    /** The operations that change nothing: retried after any unavailability while looking for the leader. */
    private static final Set<GroupOperation> READ_ONLY = EnumSet.of(GroupOperation.LIST, GroupOperation.DESCRIBE,
            GroupOperation.PARKED);
    private static final long FIRST_PAUSE_MILLIS = 50;
    private static final long MAX_PAUSE_MILLIS = 1000;

    private final RemoteEventStore client;
    private final Connection connection;
    private final Duration requestTimeout;
    /** Whether management calls look for the leader across the client's several endpoints. */
    private final boolean seeksLeader;

    private RemoteGroups(RemoteEventStore client) {
        this.client = client;
        this.connection = client.connection();
        this.requestTimeout = client.config().requestTimeout();
        this.seeksLeader = client.config().endpoints().size() > 1;
    }

    /**
     * The groups of the server {@code client} talks to.
     *
     * @throws IllegalArgumentException if {@code client} is not a store {@link RewindClient#connect} returned
     */
    public static RemoteGroups of(EventStore client) {
        if (!(client instanceof RemoteEventStore remote)) {
            throw new IllegalArgumentException("consumer groups need a client store from RewindClient.connect, not "
                    + (client == null ? "null" : client.getClass().getName()));
        }
        return new RemoteGroups(remote);
    }

    public void create(Spec spec) {
        call(GroupOperation.CREATE, spec.arguments());
    }

    /**
     * Changes some of a group's settings (GROUP UPDATE, docs/GROUPS.md "Updating a group"): durable,
     * and applied at once to the running group; returns the settings now in effect. A strategy other
     * than the current one is refused ({@code BAD_REQUEST}).
     */
    public Settings update(String name, Update update) {
        Objects.requireNonNull(update, "update");
        return Settings.of(call(GroupOperation.UPDATE, update.arguments(name)));
    }

    public void delete(String name) {
        call(GroupOperation.DELETE, List.of(name));
    }

    public List<String> list() {
        return call(GroupOperation.LIST, List.of());
    }

    public Description describe(String name) {
        return Description.of(call(GroupOperation.DESCRIBE, List.of(name)));
    }

    public List<Parked> parked(String name) {
        List<String> v = call(GroupOperation.PARKED, List.of(name));
        List<Parked> out = new ArrayList<>(v.size() / 5);
        for (int i = 0; i + 4 < v.size(); i += 5) {
            out.add(new Parked(Long.parseLong(v.get(i)), v.get(i + 1), UUID.fromString(v.get(i + 2)),
                    Integer.parseInt(v.get(i + 3)), v.get(i + 4)));
        }
        return out;
    }

    /** Replays one parked event into the group. */
    public void replay(String name, long position) {
        call(GroupOperation.REPLAY, List.of(name, Long.toString(position)));
    }

    /** Replays every parked event; returns how many. */
    public int replayAll(String name) {
        return Integer.parseInt(call(GroupOperation.REPLAY, List.of(name, "ALL")).get(0));
    }

    /**
     * Joins {@code group} as consumer {@code consumer}: {@code listener} receives its deliveries on a
     * thread of the consumer's own until {@link GroupConsumer#close()}. Waits for the server to accept.
     *
     * <p>A client given several endpoints (a cluster's nodes) gives the consumer a connection of
     * its own, which finds the leader (the node that runs the groups) and follows it across
     * failovers; it is closed with the consumer or with the client. With one endpoint the consumer
     * shares the client's connection.
     */
    public GroupConsumer consume(String group, String consumer, GroupListener listener) {
        Objects.requireNonNull(listener, "listener");
        GroupConsumer joined;
        if (client.config().endpoints().size() > 1) {
            joined = new GroupConsumer(Connection.open(client.config()), true, requestTimeout, group, consumer,
                    listener);
            GroupConsumer owned = joined;
            joined.onClose(() -> client.forget(owned));
            client.closeWith(joined);
        } else {
            joined = new GroupConsumer(connection, requestTimeout, group, consumer, listener);
        }
        joined.start();
        return joined;
    }

    /**
     * One GROUP call. With one endpoint: on the client's connection, and a refusal is the caller's.
     * With several (a cluster's nodes): on the client's groups connection, which looks for the node
     * that runs the groups within the request timeout: a {@link NotLeaderException} (the node did
     * nothing) moves it to the next endpoint and the call is sent again, whatever the operation;
     * any other {@link StoreUnavailableException} (an election, a service still starting, a lost
     * connection) is retried only for the operations that change nothing (LIST, DESCRIBE, PARKED),
     * since the outcome of a change may be unknown then.
     */
    private List<String> call(GroupOperation operation, List<String> arguments) {
        if (!seeksLeader) {
            return callOnce(connection, operation, arguments, requestTimeout.toMillis());
        }
        Connection via = client.groupsConnection();
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        long pause = FIRST_PAUSE_MILLIS;
        while (true) {
            String at = via.endpoint();
            long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            try {
                return callOnce(via, operation, arguments, left);
            } catch (StoreUnavailableException e) {
                boolean notLeader = e instanceof NotLeaderException;
                if (!(notLeader || READ_ONLY.contains(operation))
                        || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause) - deadline > 0) {
                    throw e;
                }
                if (notLeader) {
                    via.moveOnFrom(at, "GROUP " + operation + " refused: " + e.getMessage());
                }
                LOG.debug("GROUP {} at {} failed ({}); trying again in {} ms", operation, at, e.getMessage(), pause);
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new StoreClosedException("interrupted while looking for the leader for GROUP " + operation);
                }
                pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
            }
        }
    }

    private static List<String> callOnce(Connection via, GroupOperation operation, List<String> arguments,
            long timeoutMillis) {
        CompletableFuture<CommandReply> future = via.call(id -> new CommandRequest.Group(id, operation, arguments));
        try {
            CommandReply reply = future.get(timeoutMillis + 1000, TimeUnit.MILLISECONDS);
            return ((CommandReply.GroupResult) reply).values();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof EventStoreException failure ? failure
                    : new StoreUnavailableException("GROUP " + operation + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new StoreUnavailableException("no answer to GROUP " + operation + " within " + timeoutMillis
                    + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreClosedException("interrupted while waiting for GROUP " + operation);
        }
    }
}
