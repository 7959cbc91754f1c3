package io.rewind.server;

/**
 * A server socket could not bind its endpoint: the address is in use, malformed, or not local.
 * The message names the endpoint, its role and the reason, in one line.
 */
public class EndpointBindException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String endpoint;

    public EndpointBindException(String role, String endpoint, String reason, Throwable cause) {
        super("cannot bind the " + role + " endpoint " + endpoint + ": " + reason, cause);
        this.endpoint = endpoint;
    }

    /** The endpoint that could not be bound. */
    public String endpoint() {
        return endpoint;
    }
}
