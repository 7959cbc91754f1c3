package io.rewind.api;

/** An append's or check's expected version did not hold; nothing was written. */
public class WrongExpectedVersionException extends EventStoreException {
    private static final long serialVersionUID = 1L;

    private final String stream;
    private final ExpectedVersion expected;
    private final long actualVersion;

    /**
     * @param actualVersion the stream's current version, {@link ExpectedVersion#NO_STREAM_VERSION}
     *                      when it has no events
     */
    public WrongExpectedVersionException(String stream, ExpectedVersion expected, long actualVersion) {
        super(ErrorCode.WRONG_EXPECTED_VERSION, "wrong expected version for stream '" + stream + "': expected "
                + expected + ", actual " + describe(actualVersion));
        this.stream = stream;
        this.expected = expected;
        this.actualVersion = actualVersion;
    }

    private static String describe(long version) {
        return version == ExpectedVersion.NO_STREAM_VERSION ? "no-stream" : Long.toString(version);
    }

    public String stream() {
        return stream;
    }

    public ExpectedVersion expected() {
        return expected;
    }

    /** The stream's current version, -1 when it has no events. */
    public long actualVersion() {
        return actualVersion;
    }
}
