package io.rewind.client;

import io.rewind.api.EventStoreException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The hand-over from caller threads to the I/O thread: a lock-free queue of {@link IoTask}s plus a
 * wake-up message on an in-process ZeroMQ PAIR pair whose receiving end the I/O thread polls beside
 * its ZeroMQ sockets, so that a submitted task wakes it at once. Not a pipe: JeroMQ 0.6.0's poller
 * reports a raw channel readable again from the readiness it last saw whenever any other item is
 * ready, so once a pipe had been written a single time the I/O thread's polls returned at once
 * while the server talked, and it spun (the server's {@code Mailbox} met the same, see
 * docs/BENCHMARKS.md). The pair lives in a context of its own with no I/O thread (in-process
 * sockets need none), so it outlives the connection's contexts, which are replaced at times.
 *
 * <p>Invariants: a task submitted before {@link #close} either runs or is abandoned, never both and
 * never neither ({@code submit} re-checks the closed flag after queueing, {@code close} sets it
 * before draining). At most one wake-up message is outstanding: {@code wakePending} is cleared
 * before the wake-ups are read, so a submit racing with {@link #runAll} sends a fresh one. The
 * sending socket is used only under its lock; the receiving one only on the I/O thread.
 * Thread-safe; {@link #runAll} and {@link #close} only from the I/O thread.
 */
final class TaskQueue {

    private static final AtomicLong QUEUES = new AtomicLong();
    private static final byte[] WAKE = {1};

    private final ConcurrentLinkedQueue<IoTask> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final ZMQ.Context context;
    private final ZMQ.Socket receiver;
    /** Null once closed; guarded by {@link #senderLock}. */
    private ZMQ.Socket sender;
    private final Object senderLock = new Object();
    /** Wake-up messages sent and read, for tests that guard against a spinning I/O thread. */
    private final AtomicLong wakeUpsSent = new AtomicLong();
    private final AtomicLong wakeUpsRead = new AtomicLong();
    private volatile EventStoreException closedReason;

    TaskQueue() {
        context = ZMQ.context(0);
        ZMQ.Socket in = null;
        ZMQ.Socket out = null;
        try {
            String endpoint = "inproc://rewind-client-tasks-" + QUEUES.incrementAndGet();
            in = context.socket(SocketType.PAIR);
            in.setLinger(0);
            in.bind(endpoint);
            out = context.socket(SocketType.PAIR);
            out.setLinger(0);
            out.connect(endpoint);
        } catch (RuntimeException e) {
            // A context waits for its sockets when it closes: close them first.
            if (out != null) {
                out.close();
            }
            if (in != null) {
                in.close();
            }
            context.close();
            throw e;
        }
        receiver = in;
        sender = out;
    }

    /** The socket that becomes readable when tasks are waiting; polled for POLLIN by the I/O thread only. */
    ZMQ.Socket wakeUpSocket() {
        return receiver;
    }

    /** Wake-up messages sent so far. Any thread. */
    long wakeUpsSent() {
        return wakeUpsSent.get();
    }

    /** Wake-up messages {@link #runAll} has read so far. Any thread. */
    long wakeUpsRead() {
        return wakeUpsRead.get();
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
        synchronized (senderLock) {
            // Null only once closed, when there is no I/O thread left to wake. A full queue means
            // wake-ups are waiting to be read anyway.
            if (sender != null && sender.send(WAKE, ZMQ.DONTWAIT)) {
                wakeUpsSent.incrementAndGet();
            }
        }
    }

    /** Runs every queued task on the I/O thread. */
    void runAll() {
        wakePending.set(false);
        while (receiver.recv(ZMQ.DONTWAIT) != null) {
            wakeUpsRead.incrementAndGet();
        }
        IoTask task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    /** Abandons every queued task and every task submitted from now on with {@code reason}. I/O thread. */
    void close(EventStoreException reason) {
        closedReason = reason;
        abandonAll(reason);
        synchronized (senderLock) {
            if (sender != null) {
                sender.close();
                sender = null;
            }
        }
        receiver.close();
        context.close();
    }

    private void abandonAll(EventStoreException reason) {
        IoTask task;
        while ((task = tasks.poll()) != null) {
            task.abandon(reason);
        }
    }
}
