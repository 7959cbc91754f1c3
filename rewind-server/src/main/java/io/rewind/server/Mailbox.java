package io.rewind.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands work to the socket thread from any other thread and wakes it at once. The socket thread
 * polls {@link #signal()} beside its ZeroMQ sockets, so a posted task runs as soon as the poller
 * returns: no sleep loop, no added latency.
 *
 * <p>Invariant: while a task is queued and not yet taken, a wake-up byte is in the pipe or
 * {@link #drain} is running and will see the task ({@link #drain} clears the flag before it takes
 * tasks, so a post that races with it writes a fresh byte). Thread-safe; {@link #drain} only from
 * the socket thread.
 */
final class Mailbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Mailbox.class);

    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean signalled = new AtomicBoolean();
    private final Pipe pipe;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64);

    Mailbox() {
        try {
            pipe = Pipe.open();
            pipe.source().configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the socket thread's wake-up pipe", e);
        }
    }

    /** The channel the socket thread polls for readability. */
    SelectableChannel signal() {
        return pipe.source();
    }

    /** Queues a task for the socket thread and wakes it. */
    void post(Runnable task) {
        tasks.add(task);
        wake();
    }

    /** Wakes the socket thread without a task (new broadcast events, shutdown). */
    void wake() {
        if (signalled.compareAndSet(false, true)) {
            try {
                synchronized (pipe) {
                    pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
                }
            } catch (IOException e) {
                // Only after close(): the socket thread is gone, nobody is left to wake.
                signalled.set(false);
            }
        }
    }

    /** Runs every queued task, on the socket thread. Returns how many ran. */
    int drain() {
        clearSignal();
        int ran = 0;
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                // A bug in one reply path must not take the socket thread, and every client, down.
                LOG.error("A task on the socket thread failed", e);
            }
            ran++;
        }
        return ran;
    }

    private void clearSignal() {
        try {
            readBuffer.clear();
            while (pipe.source().read(readBuffer) > 0) {
                readBuffer.clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the wake-up pipe failed", e);
        }
        signalled.set(false);
    }

    @Override
    public void close() {
        try {
            pipe.sink().close();
            pipe.source().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the wake-up pipe", e);
        }
    }
}
