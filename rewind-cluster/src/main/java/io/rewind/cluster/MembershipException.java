package io.rewind.cluster;

/**
 * A membership change or status request that was refused or could not be carried out, with the
 * kind of reason a caller can act on (an HTTP layer maps it to 400, 404, 409 or 503).
 */
public final class MembershipException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What kind of refusal or failure. */
    public enum Reason {
        /** The request is malformed: a bad node id or address. */
        BAD_REQUEST,
        /** The node named is not a member. */
        NOT_FOUND,
        /** The request contradicts the configuration: the id or address exists, the last member, a change under way. */
        CONFLICT,
        /** The cluster could not carry it out now: no leader, a node that does not answer, a timeout. */
        UNAVAILABLE
    }

    private final Reason reason;

    public MembershipException(Reason reason, String message) {
        this(reason, message, null);
    }

    public MembershipException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
