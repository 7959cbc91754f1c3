package io.rewind.client;

import io.rewind.api.EventStoreException;

/** Work handed to a client's I/O thread, the only thread that touches its sockets. */
interface IoTask {

    /** Runs on the I/O thread. */
    void run();

    /**
     * The I/O thread has stopped and will never run this task: fail whatever waits on it.
     * Called at most once, from any thread, instead of {@link #run()}.
     */
    default void abandon(EventStoreException reason) {
    }
}
