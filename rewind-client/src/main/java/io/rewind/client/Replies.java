package io.rewind.client;

import io.rewind.protocol.command.CommandReply;
import java.util.OptionalLong;

/** What the client needs to know of a reply before it knows whom it is for. Stateless. */
final class Replies {

    private Replies() {
    }

    /** The request id a reply carries; empty for an ERROR about a request the server could not identify. */
    static OptionalLong requestId(CommandReply reply) {
        if (reply instanceof CommandReply.Error error) {
            return error.requestId();
        }
        if (reply instanceof CommandReply.Appended appended) {
            return OptionalLong.of(appended.requestId());
        }
        if (reply instanceof CommandReply.Events events) {
            return OptionalLong.of(events.requestId());
        }
        if (reply instanceof CommandReply.Position position) {
            return OptionalLong.of(position.requestId());
        }
        if (reply instanceof CommandReply.Streams streams) {
            return OptionalLong.of(streams.requestId());
        }
        if (reply instanceof CommandReply.GroupResult result) {
            return OptionalLong.of(result.requestId());
        }
        if (reply instanceof CommandReply.GroupDelivery delivery) {
            return OptionalLong.of(delivery.requestId());
        }
        return OptionalLong.of(subscriptionId(reply));
    }

    /** Whether a reply belongs to a running server subscription (as opposed to answering a request). */
    static boolean isSubscriptionTraffic(CommandReply reply) {
        return reply instanceof CommandReply.Delivery || reply instanceof CommandReply.CaughtUp
                || reply instanceof CommandReply.Subscribed || reply instanceof CommandReply.Checkpoint;
    }

    private static long subscriptionId(CommandReply reply) {
        if (reply instanceof CommandReply.Subscribed subscribed) {
            return subscribed.requestId();
        }
        if (reply instanceof CommandReply.Delivery delivery) {
            return delivery.requestId();
        }
        if (reply instanceof CommandReply.CaughtUp caughtUp) {
            return caughtUp.requestId();
        }
        if (reply instanceof CommandReply.Checkpoint checkpoint) {
            return checkpoint.requestId();
        }
        if (reply instanceof CommandReply.Cancelled cancelled) {
            return cancelled.requestId();
        }
        return ((CommandReply.Pong) reply).requestId();
    }
}
