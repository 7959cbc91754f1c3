package io.rewind.server;

import io.rewind.security.AccessPolicy;
import io.rewind.security.ClientKeys;
import io.rewind.security.CurveKeys;
import io.rewind.security.Principal;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link RewindServer} protects its endpoints. One of:
 * <ul>
 *   <li>{@link #none()}, the default: no authentication, and therefore only loopback endpoints
 *       (tcp on 127.0.0.0/8, ::1 or localhost; ipc; inproc). Binding any other address refuses to
 *       start with {@link InsecureEndpointException};</li>
 *   <li>{@link #insecure()}: no authentication on any address, because the operator said so
 *       ({@code rewind serve --insecure});</li>
 *   <li>{@link #curve}: CURVE encryption and authentication on the command endpoint and both PUB
 *       endpoints. A client's public key must be among the {@link ClientKeys}; every request is
 *       served through a {@link io.rewind.security.SecuredEventStore} of the principal its key maps
 *       to now. The PUB endpoints carry every event, so only keys of principals with
 *       {@code read:$all} may connect to them;</li>
 *   <li>{@link #asPrincipal}: a plain (unauthenticated) endpoint for clients that cannot
 *       authenticate, the legacy dialects and PUB, every request served as one configured principal
 *       and the PUB endpoints publishing only the events that principal may read.</li>
 * </ul>
 * Immutable; the key set and policy it holds are thread-safe and may reload themselves.
 */
public final class ServerSecurity {

    /** The kinds of protection. */
    public enum Mode { NONE, INSECURE, CURVE, PRINCIPAL }

    private final Mode mode;
    private final CurveKeys serverKeys;
    private final ClientKeys clientKeys;
    private final AccessPolicy policy;
    private final String principal;

    private ServerSecurity(Mode mode, CurveKeys serverKeys, ClientKeys clientKeys, AccessPolicy policy,
            String principal) {
        this.mode = mode;
        this.serverKeys = serverKeys;
        this.clientKeys = clientKeys;
        this.policy = policy;
        this.principal = principal;
    }

    /** No authentication; loopback endpoints only. */
    public static ServerSecurity none() {
        return new ServerSecurity(Mode.NONE, null, null, null, null);
    }

    /** No authentication on any address: everyone who can reach the ports may do everything. */
    public static ServerSecurity insecure() {
        return new ServerSecurity(Mode.INSECURE, null, null, null, null);
    }

    /** CURVE with this server key pair, accepting these client keys, under this policy. */
    public static ServerSecurity curve(CurveKeys serverKeys, ClientKeys clientKeys, AccessPolicy policy) {
        Objects.requireNonNull(serverKeys, "server keys");
        if (!serverKeys.hasSecret()) {
            throw new IllegalArgumentException("the server needs its secret key, not only its public key");
        }
        return new ServerSecurity(Mode.CURVE, serverKeys, Objects.requireNonNull(clientKeys, "client keys"),
                Objects.requireNonNull(policy, "policy"), null);
    }

    /** Unauthenticated clients, each served as {@code principal} under {@code policy}. */
    public static ServerSecurity asPrincipal(AccessPolicy policy, String principal) {
        return new ServerSecurity(Mode.PRINCIPAL, null, null, Objects.requireNonNull(policy, "policy"),
                Principal.requireValidName(principal));
    }

    public Mode mode() {
        return mode;
    }

    /** Whether requests are checked against a policy (CURVE or one principal). */
    public boolean checksGrants() {
        return mode == Mode.CURVE || mode == Mode.PRINCIPAL;
    }

    Optional<CurveKeys> serverKeys() {
        return Optional.ofNullable(serverKeys);
    }

    Optional<ClientKeys> clientKeys() {
        return Optional.ofNullable(clientKeys);
    }

    Optional<AccessPolicy> policy() {
        return Optional.ofNullable(policy);
    }

    Optional<String> principal() {
        return Optional.ofNullable(principal);
    }

    /** Names the mode, the server's public key and the principal; never a secret. */
    @Override
    public String toString() {
        return switch (mode) {
            case NONE -> "no security (loopback only)";
            case INSECURE -> "no security (--insecure)";
            case CURVE -> "CURVE, server key " + serverKeys.publicKeyZ85() + ", " + clientKeys;
            case PRINCIPAL -> "unauthenticated, every request as principal '" + principal + "'";
        };
    }
}
