package io.rewind.server;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Hands work to the socket thread from any other thread and wakes it at once. The socket thread
 * polls {@link #signal()} beside its ZeroMQ sockets, so a posted task runs as soon as the poller
 * returns: no sleep loop, no added latency.
 *
 * <p>The wake-up is a ZeroMQ message on an in-process PAIR socket pair, not a raw pipe: JeroMQ's
 * poller (0.6.0) reports a raw channel as readable from the readiness it last saw whenever any
 * other item in the same poll is ready, and the ROUTER's own wake-up channel is ready again and
 * again while clients talk, so with a raw pipe beside the ROUTER every poll returned at once and
 * the socket thread spun (about 100,000 polls a second at 1,000 events a second, nearly all for
 * nothing; see docs/BENCHMARKS.md). A ZeroMQ socket's readiness is read from the socket itself on
 * every poll, so the poll blocks until there is work.
 *
 * <p>Invariant: while a task is queued and not yet taken, a wake-up message is queued on the
 * signal socket or {@link #drain} is running and will see the task ({@link #drain} clears the flag
 * before it takes tasks, so a post that races with it sends a fresh message). Thread-safe;
 * {@link #drain} and polling {@link #signal()} only from the socket thread.
 */
final class Mailbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Mailbox.class);

    private static final AtomicLong MAILBOXES = new AtomicLong();
    private static final byte[] WAKE = {1};

    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean signalled = new AtomicBoolean();
    /** Our own context when none was given (tests), closed with the mailbox; else null. */
    private final ZMQ.Context ownContext;
    /** Polled and read by the socket thread. */
    private final ZMQ.Socket receiver;
    /** Written by any thread, always under its own lock; null once closed. */
    private ZMQ.Socket sender;
    /** Wake-up messages sent (one per idle-to-woken transition) and read, for the socket thread's counters. */
    private final AtomicLong wakeUpsSent = new AtomicLong();
    private final AtomicLong wakeUpsRead = new AtomicLong();

    /** A mailbox on a context of its own. */
    Mailbox() {
        this(null);
    }

    /** A mailbox whose wake-up sockets live in {@code context} (closed by {@link #close} before the context is). */
    Mailbox(ZMQ.Context context) {
        ownContext = context == null ? ZMQ.context(1) : null;
        ZMQ.Context in = context == null ? ownContext : context;
        String endpoint = "inproc://rewind-mailbox-" + MAILBOXES.incrementAndGet();
        receiver = in.socket(SocketType.PAIR);
        receiver.setLinger(0);
        receiver.bind(endpoint);
        ZMQ.Socket out = in.socket(SocketType.PAIR);
        out.setLinger(0);
        out.connect(endpoint);
        sender = out;
    }

    /** The socket the socket thread polls for {@link ZMQ.Poller#POLLIN}. */
    ZMQ.Socket signal() {
        return receiver;
    }

    /** How many wake-up messages were sent so far (one per idle-to-woken transition). Any thread. */
    long wakeUpsSent() {
        return wakeUpsSent.get();
    }

    /** How many wake-up messages {@link #drain} has read so far. Any thread. */
    long wakeUpsRead() {
        return wakeUpsRead.get();
    }

    /** Queues a task for the socket thread and wakes it. */
    void post(Runnable task) {
        tasks.add(task);
        wake();
    }

    /** Wakes the socket thread without a task (new broadcast events, shutdown). */
    void wake() {
        if (signalled.compareAndSet(false, true)) {
            synchronized (this) {
                // Null only after close(): the socket thread is gone, nobody is left to wake. A
                // full queue (EAGAIN) means wake-ups are already waiting to be read.
                if (sender != null) {
                    sender.send(WAKE, ZMQ.DONTWAIT);
                    wakeUpsSent.incrementAndGet();
                }
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
        while (receiver.recv(ZMQ.DONTWAIT) != null) {
            wakeUpsRead.incrementAndGet(); // each message is one wake-up; the tasks are in the queue
        }
        signalled.set(false);
    }

    /** Closes the wake-up sockets (and the mailbox's own context); later wake-ups do nothing. */
    @Override
    public void close() {
        synchronized (this) {
            if (sender == null) {
                return;
            }
            sender.close();
            sender = null;
        }
        receiver.close();
        if (ownContext != null) {
            ownContext.close();
        }
    }
}
