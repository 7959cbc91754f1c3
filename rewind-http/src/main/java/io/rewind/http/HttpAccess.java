package io.rewind.http;

import io.rewind.api.EventStore;
import io.rewind.api.UnauthenticatedException;
import io.rewind.security.AccessPolicy;
import io.rewind.security.Operation;
import io.rewind.security.SecuredEventStore;
import java.util.Objects;

/**
 * Who may use the HTTP API: every request to a route that touches the store (all of {@code /api}
 * and {@code /metrics}) must carry {@code Authorization: Bearer TOKEN}, a token of the
 * {@link TokenAuthenticator}'s file; its principal's grants in the {@link AccessPolicy} decide, call
 * by call, through a {@link SecuredEventStore} view of the store. {@code /health}, {@code /ready},
 * {@code /openapi.json} and the console's files are open (they hold no event data). Failed
 * authentications are counted and logged, rate-limited, by the policy's audit, without the token.
 * Thread-safe.
 */
public final class HttpAccess {

    /** The realm named in {@code WWW-Authenticate}. */
    static final String REALM = "rewind";

    private final TokenAuthenticator tokens;
    private final AccessPolicy policy;

    private HttpAccess(TokenAuthenticator tokens, AccessPolicy policy) {
        this.tokens = tokens;
        this.policy = policy;
    }

    /** Bearer tokens from {@code tokens}, mapped to principals of {@code policy}. */
    public static HttpAccess of(TokenAuthenticator tokens, AccessPolicy policy) {
        return new HttpAccess(Objects.requireNonNull(tokens, "tokens"), Objects.requireNonNull(policy, "policy"));
    }

    /** The policy the principals' grants come from (its audit counts the denials). */
    public AccessPolicy policy() {
        return policy;
    }

    /**
     * The store as the request's principal may see it.
     *
     * @throws UnauthenticatedException when the request has no valid token ({@code tokenGiven}
     *                                  tells the {@code WWW-Authenticate} header which it was)
     */
    SecuredEventStore authenticate(String authorization, EventStore store) {
        TokenAuthenticator.Outcome outcome = tokens.authenticate(authorization);
        if (outcome instanceof TokenAuthenticator.Authenticated authenticated) {
            return SecuredEventStore.view(store, policy, authenticated.principal());
        }
        boolean given = outcome instanceof TokenAuthenticator.Invalid;
        policy.audit().denied("anonymous", Operation.AUTHENTICATE, given ? "http: invalid bearer token"
                : "http: no bearer token");
        throw new HttpUnauthenticatedException(given);
    }

    /** A request without a valid token: the message never repeats what was sent. */
    static final class HttpUnauthenticatedException extends UnauthenticatedException {
        private static final long serialVersionUID = 1L;
        final boolean tokenGiven;

        HttpUnauthenticatedException(boolean tokenGiven) {
            super(tokenGiven ? "the bearer token is not valid (unknown, revoked or malformed)"
                    : "this route needs an Authorization: Bearer TOKEN header (tokens: 'rewind tokens add')");
            this.tokenGiven = tokenGiven;
        }
    }
}
