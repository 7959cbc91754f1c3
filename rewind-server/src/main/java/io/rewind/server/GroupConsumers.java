package io.rewind.server;

import io.rewind.api.ErrorCode;
import io.rewind.api.EventStoreException;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.SubscriptionRequest;
import io.rewind.api.UnauthenticatedException;
import io.rewind.groups.Delivery;
import io.rewind.groups.DeliverySink;
import io.rewind.groups.GroupFilter;
import io.rewind.groups.GroupService;
import io.rewind.groups.NackAction;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.command.ErrorReplies;
import io.rewind.security.SecuredEventStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote consumers of consumer groups (GROUP JOIN, ACK, NACK, LEAVE; docs/PROTOCOL.md §5.6):
 * which connection holds which consumer, the deliveries pushed to it, and its liveness. A consumer
 * whose connection goes silent for {@link ServerConfig#subscriptionTimeout()} or that the ROUTER
 * reports gone leaves its group, so its deliveries go to the others — the same rule as for
 * subscriptions. The {@link GroupService} is called on workers (its methods wait for its thread);
 * its sinks hand deliveries back to the socket thread through the mailbox. Socket thread only,
 * except the sinks.
 */
final class GroupConsumers {

    private static final Logger LOG = LoggerFactory.getLogger(GroupConsumers.class);

    /** Sends one reply to an envelope on the socket thread. */
    interface Sender {
        void send(List<byte[]> envelope, CommandReply reply);
    }

    private record Key(String group, String consumer) {
        @Override
        public String toString() {
            return "consumer '" + consumer + "' of group '" + group + "'";
        }
    }

    /** One joined (or joining) consumer. Socket thread only. */
    private static final class Member {
        final Key key;
        final ByteBuffer peer;
        final List<byte[]> envelope;
        final long joinId;
        /** The ZAP user id (a CURVE client key) of its connection, or null. */
        final String userId;
        /** The principal it joined as, or null without security. */
        final String principal;
        /** The service it joined (a cluster node's may be replaced: docs/GROUPS.md "On a cluster"). */
        final GroupService service;
        boolean leaving;
        /** The outcome of the leave sent to the service when it was removed: null while none settled. */
        Boolean leftAtService;
        /** Its JOIN succeeded at the service only after it had been removed (or had sent LEAVE). */
        boolean joinedAfterRemoval;

        Member(Key key, ByteBuffer peer, List<byte[]> envelope, long joinId, String userId, String principal,
                GroupService service) {
            this.service = service;
            this.key = key;
            this.peer = peer;
            this.envelope = envelope;
            this.joinId = joinId;
            this.userId = userId;
            this.principal = principal;
        }
    }

    private final GroupServiceSource groups;
    private final OffThread offThread;
    private final Mailbox mailbox;
    private final Sender sender;
    private final ServerConfig config;
    private final Map<Key, Member> members = new HashMap<>();
    private final Map<ByteBuffer, Long> lastHeard = new HashMap<>();

    GroupConsumers(GroupServiceSource groups, OffThread offThread, Mailbox mailbox, Sender sender,
            ServerConfig config) {
        this.groups = groups;
        this.offThread = offThread;
        this.mailbox = mailbox;
        this.sender = sender;
        this.config = config;
    }

    /**
     * The service to serve a GROUP command with now; throws why there is none (no groups here, or a
     * cluster node that does not lead: {@link io.rewind.api.NotLeaderException}).
     */
    GroupService requireService() {
        return groups.current();
    }

    static boolean isConsumerOperation(CommandRequest.GroupOperation operation) {
        return switch (operation) {
            case JOIN, ACK, NACK, LEAVE -> true;
            default -> false;
        };
    }

    /** Notes a sign of life of a connection; every message counts. */
    void heardFrom(ByteBuffer peer, long nowNanos) {
        lastHeard.computeIfPresent(peer, (p, previous) -> nowNanos);
    }

    /** Serves JOIN, ACK, NACK or LEAVE; {@code done} receives the reply values or the failure, on the socket thread. */
    void serve(InboundMessage message, CommandRequest.Group request, Optional<SecuredEventStore> guard, long nowNanos,
            BiConsumer<List<String>, Throwable> done) {
        try {
            List<String> args = request.arguments();
            switch (request.operation()) {
                case JOIN -> join(requireService(), message, request, guard, nowNanos, done);
                case ACK -> {
                    count(request, 3);
                    Key key = held(message, args);
                    GroupService service = members.get(key).service;
                    long delivery = number(args.get(2), "delivery id");
                    offThread.call(() -> {
                        service.ack(key.group, key.consumer, delivery);
                        return List.<String>of();
                    }, done);
                }
                case NACK -> {
                    count(request, 5);
                    Key key = held(message, args);
                    GroupService service = members.get(key).service;
                    long delivery = number(args.get(2), "delivery id");
                    NackAction action = nackAction(args.get(3));
                    String reason = args.get(4);
                    offThread.call(() -> {
                        service.nack(key.group, key.consumer, delivery, action, reason);
                        return List.<String>of();
                    }, done);
                }
                case LEAVE -> {
                    count(request, 2);
                    Key key = held(message, args);
                    Member member = members.get(key);
                    GroupService service = member.service;
                    member.leaving = true;
                    offThread.call(() -> {
                        service.leave(key.group, key.consumer);
                        return List.of(key.group, key.consumer);
                    }, (result, failure) -> {
                        members.remove(key, member);
                        forgetPeerIfIdle(member.peer);
                        settled(service, member, failure);
                        done.accept(result, failure);
                    });
                }
                default -> throw new IllegalStateException("not a consumer operation: " + request.operation());
            }
        } catch (RuntimeException e) {
            done.accept(null, e);
        }
    }

    private void join(GroupService service, InboundMessage message, CommandRequest.Group request,
            Optional<SecuredEventStore> guard, long nowNanos, BiConsumer<List<String>, Throwable> done) {
        count(request, 2);
        Key key = new Key(request.arguments().get(0), request.arguments().get(1));
        Member existing = members.get(key);
        if (existing != null) {
            throw new InvalidRequestException(key + " is already joined" + (existing.peer.equals(message.peer())
                    ? " on this connection" : " on another connection") + "; choose another consumer name");
        }
        Member member = new Member(key, message.peer(), message.envelope(), request.requestId(), message.userId(),
                guard.map(SecuredEventStore::principalName).orElse(null), service);
        members.put(key, member);
        lastHeard.put(member.peer, nowNanos);
        offThread.call(() -> {
            if (guard.isPresent()) {
                guard.get().checkSubscription(asSubscription(service.describe(key.group).definition().filter()));
            }
            service.join(key.group, key.consumer, sink(member));
            return List.of(key.group, key.consumer,
                    Integer.toString(service.describe(key.group).definition().settings().maxInFlightPerConsumer()));
        }, (result, failure) -> {
            if (failure != null) {
                members.remove(key, member);
                forgetPeerIfIdle(member.peer);
                done.accept(result, failure);
            } else if (members.get(key) != member || member.leaving) {
                // Removed (its connection dropped or went silent, or it sent LEAVE) while the JOIN ran: the
                // leave sent then may have reached the service first and failed. The service must not keep a
                // consumer nobody serves, so it leaves again unless that earlier leave is known to have worked.
                member.joinedAfterRemoval = true;
                if (Boolean.FALSE.equals(member.leftAtService)) {
                    leaveStale(service, member);
                }
                done.accept(null, new EventStoreException(ErrorCode.UNAVAILABLE,
                        key + " was removed while its JOIN ran; it is not joined"));
            } else {
                LOG.info("{} joined from client {}", key, SubscriptionHub.hex(member.peer));
                done.accept(result, null);
            }
        });
    }

    /**
     * The leave sent for a removed {@code member} settled with {@code failure} (null: it left). A
     * failed leave whose JOIN then succeeded leaves a consumer at the service: it leaves again.
     */
    private void settled(GroupService service, Member member, Throwable failure) {
        member.leftAtService = failure == null;
        if (failure != null && member.joinedAfterRemoval) {
            leaveStale(service, member);
        }
    }

    /** Removes at the service a consumer whose JOIN completed after the server had removed it. */
    private void leaveStale(GroupService service, Member member) {
        LOG.info("{} joined at the group service after it was removed here; it leaves again", member.key);
        offThread.call(() -> {
            service.leave(member.key.group, member.key.consumer);
            return null;
        }, (result, failure) -> {
            if (failure != null) {
                LOG.warn("{} could not leave its group after a late JOIN: {}", member.key, failure.getMessage());
            }
        });
    }

    /** The sink of a remote consumer: called on the group service's thread, it only posts to the socket thread. */
    private DeliverySink sink(Member member) {
        return new DeliverySink() {
            @Override
            public void deliver(Delivery delivery) {
                CommandReply reply = new CommandReply.GroupDelivery(member.joinId, delivery.id(), delivery.attempt(),
                        delivery.replay(), delivery.event());
                mailbox.post(() -> {
                    if (members.get(member.key) == member) {
                        sender.send(member.envelope, reply);
                    }
                });
            }

            @Override
            public void closed(String reason) {
                mailbox.post(() -> {
                    if (members.remove(member.key, member)) {
                        forgetPeerIfIdle(member.peer);
                        if (!member.leaving) {
                            sender.send(member.envelope, outOfGroup(member, reason));
                        }
                    }
                });
            }
        };
    }

    /**
     * What a consumer whose service told it {@code reason} hears: {@code CLOSED} when its service is
     * still this server's (the group was deleted, or the server closes its groups); otherwise (a
     * cluster node that stopped leading, or whose service was replaced) why this server has no
     * service for it now — a {@link io.rewind.api.NotLeaderException} naming the leader — so that it
     * joins again, elsewhere.
     */
    private CommandReply outOfGroup(Member member, String reason) {
        EventStoreException now;
        try {
            GroupService current = groups.current();
            if (current == member.service) {
                return new CommandReply.Error(OptionalLong.of(member.joinId), ErrorCode.CLOSED,
                        member.key + " is out of the group: " + reason, List.of());
            }
            now = new EventStoreException(ErrorCode.UNAVAILABLE, member.key + " is out of the group: " + reason
                    + "; this server's consumer groups restarted: join again");
        } catch (io.rewind.api.NotLeaderException e) {
            now = new io.rewind.api.NotLeaderException(member.key + " is out of the group: " + reason + "; "
                    + e.getMessage(), e.leader().orElse(null));
        } catch (EventStoreException e) {
            now = new EventStoreException(ErrorCode.UNAVAILABLE, member.key + " is out of the group: " + reason + "; "
                    + e.getMessage());
        }
        return ErrorReplies.of(member.joinId, now);
    }

    /** The consumer the request names, which must be joined on the request's own connection. */
    private Key held(InboundMessage message, List<String> args) {
        Key key = new Key(args.get(0), args.get(1));
        Member member = members.get(key);
        if (member == null || !member.peer.equals(message.peer()) || member.leaving) {
            throw new EventStoreException(ErrorCode.NOT_FOUND, key + " is not joined on this connection;"
                    + " send GROUP JOIN first (a consumer settles only its own deliveries)");
        }
        return key;
    }

    /** The consumers of a connection the ROUTER reports gone leave their groups. */
    void clientGone(ByteBuffer peer) {
        lastHeard.remove(peer);
        leaveAll(peer, "its client disconnected");
    }

    /** The consumers of connections silent for longer than the subscription timeout leave their groups. */
    void expireSilent(long nowNanos) {
        long timeout = config.subscriptionTimeout().toNanos();
        List<ByteBuffer> silent = new ArrayList<>();
        lastHeard.forEach((peer, heard) -> {
            if (nowNanos - heard > timeout) {
                silent.add(peer);
            }
        });
        for (ByteBuffer peer : silent) {
            lastHeard.remove(peer);
            leaveAll(peer, "its client sent nothing for " + config.subscriptionTimeout().toMillis() + " ms");
        }
    }

    /**
     * The consumers whose connection's key no longer maps to the principal they joined as (a client
     * key removed while they are joined) leave their groups; each client gets UNAUTHENTICATED for its
     * JOIN, as a revoked subscription does ({@link SubscriptionHub#endRevoked}).
     */
    void endRevoked(Function<String, Optional<String>> principalOfKey) {
        for (Member member : new ArrayList<>(members.values())) {
            if (member.userId != null && member.principal != null
                    && !principalOfKey.apply(member.userId).equals(Optional.of(member.principal))) {
                remove(member, "its client key is no longer accepted", ErrorReplies.of(member.joinId,
                        new UnauthenticatedException("the client key " + member.userId + " is no longer accepted: "
                                + member.key + " leaves its group")));
                forgetPeerIfIdle(member.peer);
            }
        }
    }

    private void leaveAll(ByteBuffer peer, String why) {
        for (Member member : new ArrayList<>(members.values())) {
            if (member.peer.equals(peer)) {
                remove(member, why, new CommandReply.Error(OptionalLong.of(member.joinId), ErrorCode.UNAVAILABLE,
                        member.key + " was removed: " + why, List.of()));
            }
        }
    }

    /** Removes a member here, tells its client {@code reply}, and has it leave at the service. */
    private void remove(Member member, String why, CommandReply reply) {
        GroupService service = member.service;
        members.remove(member.key, member);
        member.leaving = true;
        LOG.info("{} leaves: {}", member.key, why);
        sender.send(member.envelope, reply);
        offThread.call(() -> {
            service.leave(member.key.group, member.key.consumer);
            return null;
        }, (result, failure) -> {
            if (failure != null) {
                LOG.debug("{} had already left: {}", member.key, failure.getMessage());
            }
            settled(service, member, failure);
        });
    }

    private void forgetPeerIfIdle(ByteBuffer peer) {
        if (members.values().stream().noneMatch(m -> m.peer.equals(peer))) {
            lastHeard.remove(peer);
        }
    }

    /** The subscription a group's filter amounts to, for the read check of a JOIN. */
    static SubscriptionRequest asSubscription(GroupFilter filter) {
        SubscriptionRequest all = SubscriptionRequest.fromBeginning();
        return switch (filter.scope()) {
            case ALL -> all;
            case STREAM -> all.toStream(filter.target());
            case PREFIX -> all.withStreamPrefix(filter.target());
        };
    }

    private static NackAction nackAction(String text) {
        try {
            return NackAction.valueOf(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("GROUP NACK: action must be RETRY, SKIP or PARK, was '" + text + "'");
        }
    }

    private static long number(String text, String what) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("GROUP: " + what + " must be a decimal number, was '" + text + "'");
        }
    }

    private static void count(CommandRequest.Group request, int expected) {
        if (request.arguments().size() != expected) {
            throw new InvalidRequestException("GROUP " + request.operation() + " takes " + expected
                    + " argument(s), got " + request.arguments().size());
        }
    }
}
