package io.rewind.api;

/**
 * The condition an append (or a check) places on a stream's current version.
 *
 * <p>A stream's current version is the version of its last event, or {@link #NO_STREAM_VERSION}
 * ({@code -1}) when it has no events. Immutable and thread-safe.
 */
public final class ExpectedVersion {

    /** The current version of a stream that has no events. */
    public static final long NO_STREAM_VERSION = -1;

    /** The kinds of condition. */
    public enum Kind { ANY, NO_STREAM, STREAM_EXISTS, EXACTLY }

    private static final ExpectedVersion ANY = new ExpectedVersion(Kind.ANY, -1);
    private static final ExpectedVersion NO_STREAM = new ExpectedVersion(Kind.NO_STREAM, -1);
    private static final ExpectedVersion STREAM_EXISTS = new ExpectedVersion(Kind.STREAM_EXISTS, -1);

    private final Kind kind;
    private final long version;

    private ExpectedVersion(Kind kind, long version) {
        this.kind = kind;
        this.version = version;
    }

    /** No condition: the append succeeds whatever the stream's version. */
    public static ExpectedVersion any() {
        return ANY;
    }

    /** The stream must have no events. */
    public static ExpectedVersion noStream() {
        return NO_STREAM;
    }

    /** The stream must have at least one event. */
    public static ExpectedVersion streamExists() {
        return STREAM_EXISTS;
    }

    /** The stream's last event must have exactly this version (0 for a stream of one event). */
    public static ExpectedVersion exactly(long version) {
        if (version < 0) {
            throw new IllegalArgumentException(
                    "expected version must be >= 0 (use noStream() for an empty stream), was " + version);
        }
        return new ExpectedVersion(Kind.EXACTLY, version);
    }

    public Kind kind() {
        return kind;
    }

    /** The version for {@link Kind#EXACTLY}; meaningless for the other kinds. */
    public long version() {
        return version;
    }

    /** Whether a stream whose current version is {@code currentVersion} satisfies this condition. */
    public boolean isSatisfiedBy(long currentVersion) {
        return switch (kind) {
            case ANY -> true;
            case NO_STREAM -> currentVersion == NO_STREAM_VERSION;
            case STREAM_EXISTS -> currentVersion != NO_STREAM_VERSION;
            case EXACTLY -> currentVersion == version;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExpectedVersion other && kind == other.kind && version == other.version;
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Long.hashCode(version);
    }

    /** {@code any}, {@code no-stream}, {@code stream-exists} or the exact version number. */
    @Override
    public String toString() {
        return switch (kind) {
            case ANY -> "any";
            case NO_STREAM -> "no-stream";
            case STREAM_EXISTS -> "stream-exists";
            case EXACTLY -> Long.toString(version);
        };
    }

    /** Parses what {@link #toString()} prints. */
    public static ExpectedVersion parse(String text) {
        switch (text) {
            case "any":
                return ANY;
            case "no-stream":
                return NO_STREAM;
            case "stream-exists":
                return STREAM_EXISTS;
            default:
                try {
                    return exactly(Long.parseLong(text));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not an expected version: '" + text
                            + "' (use any, no-stream, stream-exists or a version number >= 0)", e);
                }
        }
    }
}
