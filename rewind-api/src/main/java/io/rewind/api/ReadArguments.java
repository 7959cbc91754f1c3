package io.rewind.api;

import java.util.UUID;

/**
 * The checks every store makes of the arguments of its read methods before it reads, written once
 * so that every store (and the remote client, before it sends) refuses the same arguments with the
 * same {@link InvalidRequestException} and message. The ranges inside the options are checked
 * where the options are made ({@link ReadOptions}, {@link StreamListOptions}). Stateless.
 */
public final class ReadArguments {

    private ReadArguments() {
    }

    /**
     * Checks the arguments of a stream read.
     *
     * @return the stream name's UTF-8 bytes
     */
    public static byte[] checkStreamRead(String stream, ReadOptions options) {
        byte[] name = Limits.checkStreamName(stream);
        checkOptions(options);
        return name;
    }

    /** Checks the argument of a read of the whole store. */
    public static ReadOptions checkOptions(ReadOptions options) {
        if (options == null) {
            throw new InvalidRequestException("read options must not be null");
        }
        return options;
    }

    /** Checks the argument of a read by event id. */
    public static UUID checkEventId(UUID id) {
        if (id == null) {
            throw new InvalidRequestException("event id must not be null");
        }
        return id;
    }

    /** Checks the argument of a stream listing. */
    public static StreamListOptions checkListing(StreamListOptions options) {
        if (options == null) {
            throw new InvalidRequestException("stream listing options must not be null");
        }
        return options;
    }
}
