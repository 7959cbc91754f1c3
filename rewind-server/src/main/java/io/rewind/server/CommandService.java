package io.rewind.server;

import io.rewind.api.ErrorCode;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.EventPage;
import io.rewind.api.ReadOptions;
import io.rewind.api.StreamListOptions;
import io.rewind.api.SystemStreams;
import io.rewind.groups.GroupService;
import io.rewind.protocol.MalformedMessageException;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.command.ErrorReplies;
import io.rewind.security.SecuredEventStore;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves Rewind's own commands: appends go from the socket thread straight to the store's
 * {@code appendAsync} ({@link AppendPath}), so the store's group commit batches every client's
 * appends in flight; reads and listings go through the store's {@code ...Async} reads, started on
 * the socket thread, which never read on it; the other store calls run one per request on a worker.
 * Each answer is matched to the request by its id. Subscription commands go to the
 * {@link SubscriptionHub}. Socket thread only.
 */
final class CommandService {

    private static final Logger LOG = LoggerFactory.getLogger(CommandService.class);

    private final EventStore store;
    private final ServerConfig config;
    private final OffThread offThread;
    private final Replies replies;
    private final SubscriptionHub subscriptions;
    private final AppendPath appends;
    private final Optional<SecuredEventStore> guard;
    private final GroupConsumers groups;

    /**
     * @param guard the principal's view when {@code store} is one, so subscriptions (which the hub
     *              serves from the bare store) are checked against the same grants
     */
    CommandService(EventStore store, ServerConfig config, OffThread offThread, AppendPath appends, Replies replies,
            SubscriptionHub subscriptions, Optional<SecuredEventStore> guard, GroupConsumers groups) {
        this.store = store;
        this.groups = groups;
        this.guard = guard;
        this.appends = appends;
        this.config = config;
        this.offThread = offThread;
        this.replies = replies;
        this.subscriptions = subscriptions;
    }

    /** Whether a command is answered on the socket thread at once and so needs no in-flight slot. */
    static boolean isImmediate(CommandRequest request) {
        return request instanceof CommandRequest.Ping || request instanceof CommandRequest.Credit
                || request instanceof CommandRequest.Cancel || request instanceof CommandRequest.Subscribe;
    }

    /** Decodes a command, answering an ERROR (with its request id when readable) if it is malformed. */
    CommandRequest decode(InboundMessage message) {
        try {
            return CommandRequest.decode(message.body());
        } catch (MalformedMessageException e) {
            Long id = CommandRequest.requestIdOf(message.body());
            fail(message, id == null ? OptionalLong.empty() : OptionalLong.of(id), e);
            return null;
        }
    }

    /** Serves a command answered on the socket thread. */
    void serveImmediate(InboundMessage message, CommandRequest request, long nowNanos) {
        if (request instanceof CommandRequest.Ping ping) {
            replies.send(message, true, new CommandReply.Pong(ping.requestId()).toFrames());
        } else if (request instanceof CommandRequest.Credit credit) {
            subscriptions.credit(message.envelope(), message.peer(), credit);
        } else if (request instanceof CommandRequest.Cancel cancel) {
            subscriptions.cancel(message.envelope(), message.peer(), cancel);
        } else {
            subscriptions.subscribe(message.envelope(), message.peer(), (CommandRequest.Subscribe) request, nowNanos,
                    guard, message.userId());
        }
    }

    /** Serves a command that calls the store; the caller has counted it in flight. */
    void serve(InboundMessage message, CommandRequest request) {
        long id = request.requestId();
        if (request instanceof CommandRequest.Append append) {
            appends.start(append.request(),
                    (result, failure) -> answer(message, id, result, failure, r -> new CommandReply.Appended(id, r)));
        } else if (request instanceof CommandRequest.ReadStream read) {
            readEvents(message, id, read.maxBytes(), budget -> store.readStreamAsync(read.stream(),
                    ReadOptions.from(read.fromVersion(), read.direction()).withMaxEvents(read.limit())
                            .withMaxBytes(budget).withLeaderConsistency(read.leader())));
        } else if (request instanceof CommandRequest.ReadAll read) {
            readEvents(message, id, read.maxBytes(), budget -> store.readAllAsync(
                    ReadOptions.from(read.fromPosition(), read.direction()).withMaxEvents(read.limit())
                            .withMaxBytes(budget).withLeaderConsistency(read.leader())));
        } else if (request instanceof CommandRequest.ReadEvent read) {
            offThread.started(() -> store.readEventAsync(read.eventId()), (found, failure) -> answer(message, id,
                    found, failure, f -> new CommandReply.Events(id, f.stream().toList(), false)));
        } else if (request instanceof CommandRequest.PositionAt at) {
            call(message, id, () -> store.firstPositionAtOrAfter(at.time()), p -> new CommandReply.Position(id, p));
        } else if (request instanceof CommandRequest.Head) {
            call(message, id, store::headPosition, p -> new CommandReply.Position(id, p));
        } else if (request instanceof CommandRequest.StreamInfoRequest info) {
            call(message, id, () -> store.streamInfo(info.stream()),
                    found -> new CommandReply.Streams(id, found.stream().toList(), Optional.empty()));
        } else if (request instanceof CommandRequest.ListStreams list) {
            // Names are at most 255 bytes: even 10,000 of them fit a reply, so the client's budget is the only one.
            offThread.started(() -> store.listStreamsAsync(StreamListOptions.withPrefix(list.prefix())
                    .after(list.after()).withMaxStreams(list.limit()).withMaxBytes(list.maxBytes())),
                    (page, failure) -> answer(message, id, page, failure,
                            p -> new CommandReply.Streams(id, SystemStreams.userView(p, list.prefix()), p.nextAfter())));
        } else if (request instanceof CommandRequest.Group group
                && GroupConsumers.isConsumerOperation(group.operation())) {
            groups.serve(message, group, guard, System.nanoTime(), (values, failure) -> answer(message, id, values,
                    failure, v -> new CommandReply.GroupResult(id, v)));
        } else if (request instanceof CommandRequest.Group group) {
            call(message, id, () -> group(group), values -> new CommandReply.GroupResult(id, values));
        } else {
            throw new IllegalStateException("not a store command: " + request);
        }
    }

    /** Runs a GROUP command on a worker; with security, every group operation needs the admin grant (docs/SECURITY.md). */
    private List<String> group(CommandRequest.Group request) {
        GroupService service = groups.requireService();
        guard.ifPresent(g -> g.requireAdmin("manage consumer groups (GROUP " + request.operation() + ")"));
        return GroupCommands.run(service, request);
    }

    /**
     * Serves a read with the store's async form, started on this thread, under the smaller of the
     * request's byte budget and {@link ServerConfig#maxReplyBytes()}. When the server's budget was
     * the one that stopped the read, the reply says {@code truncated} and the client continues;
     * when the request's own budget did, it says so, as the embedded read would.
     */
    private void readEvents(InboundMessage message, long id, long requestedBytes,
            LongFunction<CompletableFuture<EventPage>> read) {
        long budget = Math.min(requestedBytes, config.maxReplyBytes());
        boolean serverBudget = budget < requestedBytes;
        offThread.started(() -> read.apply(budget), (page, failure) -> answer(message, id, page, failure,
                p -> new CommandReply.Events(id, p.events(), serverBudget && p.byteBudgetReached(),
                        !serverBudget && p.byteBudgetReached())));
    }

    private <T> void call(InboundMessage message, long id, Callable<T> work, Function<T, CommandReply> reply) {
        offThread.call(work, (result, failure) -> answer(message, id, result, failure, reply));
    }

    private <T> void answer(InboundMessage message, long id, T result, Throwable failure,
            Function<T, CommandReply> reply) {
        if (failure != null) {
            fail(message, OptionalLong.of(id), failure);
        } else {
            replies.send(message, true, reply.apply(result).toFrames());
        }
        replies.finished();
    }

    /** Answers an ERROR for a failed or malformed command, and logs it. */
    void fail(InboundMessage message, OptionalLong id, Throwable failure) {
        String reason = LegacyService.reason(message, failure);
        EventStoreException error = failure instanceof EventStoreException e ? e
                : new EventStoreException(ErrorCode.INTERNAL, reason);
        replies.send(message, true, ErrorReplies.of(id, error).toFrames());
    }

    /** Answers an ERROR with a given code for a command that could not even be considered. */
    void reject(InboundMessage message, ErrorCode code, String reason) {
        Long id = CommandRequest.requestIdOf(message.body());
        LOG.warn("Rejected a command from {}: {}", message.describe(), reason);
        replies.send(message, true, new CommandReply.Error(id == null ? OptionalLong.empty() : OptionalLong.of(id),
                code, reason, List.of()).toFrames());
    }
}
