package io.rewind.cluster;

/**
 * A Raft entry or reply that is not a command (or reply) this release understands: a bug, or an
 * entry written by a newer release. A node that meets one while applying stops applying rather
 * than guess (see {@link RewindStateMachine}).
 */
public final class InvalidCommandException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidCommandException(String message) {
        super(message);
    }

    public InvalidCommandException(String message, Throwable cause) {
        super(message, cause);
    }
}
