package io.rewind.client;

import io.rewind.api.EventStoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The hand-over from caller threads to the I/O thread: a lock-free queue of {@link IoTask}s plus a
 * pipe whose read end the I/O thread polls beside its ZeroMQ sockets, so that a submitted task
 * wakes it at once. ZeroMQ sockets may not be shared between threads; a pipe may.
 *
 * <p>Invariants: a task submitted before {@link #close} either runs or is abandoned, never both and
 * never neither ({@code submit} re-checks the closed flag after queueing, {@code close} sets it
 * before draining). At most one wake-up byte is outstanding: {@code wakePending} is cleared
 * before the pipe is read, so a submit racing with {@link #runAll} writes a fresh byte.
 * Thread-safe; {@link #runAll} only from the I/O thread.
 */
final class TaskQueue {

    private final ConcurrentLinkedQueue<IoTask> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Pipe pipe;
    private final ByteBuffer drainBuffer = ByteBuffer.allocate(16);
    private volatile EventStoreException closedReason;

    TaskQueue() {
        try {
            pipe = Pipe.open();
            pipe.source().configureBlocking(false);
            pipe.sink().configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the client's wake-up pipe", e);
        }
    }

    /** The channel that becomes readable when tasks are waiting. */
    SelectableChannel wakeUpChannel() {
        return pipe.source();
    }

    /** Queues a task for the I/O thread, or abandons it at once when the queue is closed. */
    void submit(IoTask task) {
        tasks.add(task);
        EventStoreException reason = closedReason;
        if (reason != null) {
            abandonAll(reason);
            return;
        }
        wake();
    }

    /** Makes the I/O thread return from its poll, with or without a task. */
    void wake() {
        if (!wakePending.compareAndSet(false, true)) {
            return;
        }
        try {
            synchronized (pipe) {
                // The pipe is non-blocking: when it is full a wake-up is pending anyway.
                pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            }
        } catch (IOException e) {
            // Only once the pipe is closed, when there is no I/O thread left to wake.
            wakePending.set(false);
        }
    }

    /** Runs every queued task on the I/O thread. */
    void runAll() {
        wakePending.set(false);
        try {
            drainBuffer.clear();
            while (pipe.source().read(drainBuffer) > 0) {
                drainBuffer.clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the client's wake-up pipe failed", e);
        }
        IoTask task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    /** Abandons every queued task and every task submitted from now on with {@code reason}. */
    void close(EventStoreException reason) {
        closedReason = reason;
        abandonAll(reason);
        try {
            synchronized (pipe) {
                pipe.sink().close();
            }
            pipe.source().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the client's wake-up pipe", e);
        }
    }

    private void abandonAll(EventStoreException reason) {
        IoTask task;
        while ((task = tasks.poll()) != null) {
            task.abandon(reason);
        }
    }
}
