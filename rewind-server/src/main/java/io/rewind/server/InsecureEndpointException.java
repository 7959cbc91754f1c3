package io.rewind.server;

/**
 * An endpoint on a non-loopback address with no security configured: the server refuses to start
 * rather than serve the event log to the network unauthenticated and in clear text.
 */
public final class InsecureEndpointException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    InsecureEndpointException(String role, String endpoint) {
        super("refusing to serve the " + role + " endpoint " + endpoint + " on a non-loopback address without "
                + "security: configure CURVE (--curve-secret-key, --curve-clients, --grants; see docs/SECURITY.md) "
                + "or pass --insecure");
    }
}
