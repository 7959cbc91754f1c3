package io.rewind.server;

import io.rewind.api.EventStore;
import io.rewind.api.UnauthenticatedException;
import io.rewind.security.AccessPolicy;
import io.rewind.security.ClientKeys;
import io.rewind.security.SecuredEventStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where a request enters: finds who sent it and what it is served with. Without security, every
 * request is served with the store itself. With one configured principal, every request is served
 * with that principal's {@link SecuredEventStore}. With CURVE, the message's ZAP user id (the
 * client's public key) is mapped to its principal through the {@link ClientKeys} as they are now,
 * for every request, so a key removed from the directory stops working for open connections too.
 * The services for each principal are made once and kept. Socket thread only.
 *
 * @param <S> the services a request is served by
 */
final class Gate<S> {

    private final ServerSecurity security;
    private final EventStore store;
    private final Function<Optional<SecuredEventStore>, S> servicesOf;
    private final Map<String, S> byPrincipal = new HashMap<>();
    private final S open;

    /**
     * @param servicesOf makes the services for a principal's view, or for the bare store (empty)
     */
    Gate(ServerSecurity security, EventStore store, Function<Optional<SecuredEventStore>, S> servicesOf) {
        this.security = security;
        this.store = store;
        this.servicesOf = servicesOf;
        this.open = security.checksGrants() ? null : servicesOf.apply(Optional.empty());
    }

    /**
     * The services for {@code message}'s sender.
     *
     * @throws UnauthenticatedException if the message carries no accepted key
     */
    S servicesFor(InboundMessage message) {
        if (open != null) {
            return open;
        }
        String principal = security.principal().orElse(null);
        if (principal == null) {
            String key = message.userId();
            if (key == null) {
                throw new UnauthenticatedException("this connection has no CURVE key");
            }
            principal = security.clientKeys().orElseThrow().principalOf(key).orElseThrow(
                    () -> new UnauthenticatedException("the client key " + key + " is no longer accepted"));
        }
        AccessPolicy policy = security.policy().orElseThrow();
        return byPrincipal.computeIfAbsent(principal,
                name -> servicesOf.apply(Optional.of(SecuredEventStore.view(store, policy, name))));
    }
}
