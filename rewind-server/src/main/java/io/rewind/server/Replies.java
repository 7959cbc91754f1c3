package io.rewind.server;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * How request handlers answer, on the socket thread. The reply envelope depends on the dialect:
 * Rewind (REQ) and Rewind's own commands put the empty delimiter back, GoRewind does not.
 */
interface Replies {

    /** Sends one reply message to the client of {@code request}. */
    void send(InboundMessage request, boolean delimited, List<byte[]> frames);

    /** Marks a request answered for good, freeing its in-flight slot. */
    void finished();

    /**
     * Runs {@code action} when the client can take more replies without queueing in the server, or
     * {@code abandoned} instead if the client turns out to be gone.
     */
    void whenWritable(ByteBuffer client, Runnable action, Runnable abandoned);
}
