package io.rewind.server;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * Sends reply messages on the ROUTER socket without ever blocking the socket thread and without
 * silently losing a reply. The socket is in ROUTER_MANDATORY mode: a send to a client whose
 * ZeroMQ queue is full fails with EAGAIN instead of being dropped, and the message waits in that
 * client's backlog, in order, until {@link #retry()} gets it out; a send to a client that is gone
 * fails with EHOSTUNREACH, and the client is reported through {@code onClientGone}.
 *
 * <p>Backlogs are bounded ({@link ServerConfig#maxQueuedRepliesPerClient()}); producers that can
 * wait (streamed queries) ask {@link #whenWritable} before producing more. Socket thread only.
 */
final class RouterSender {

    private static final Logger LOG = LoggerFactory.getLogger(RouterSender.class);

    private final ZMQ.Socket router;
    private final int maxBacklog;
    private final Consumer<ByteBuffer> onClientGone;
    private final Map<ByteBuffer, ArrayDeque<List<byte[]>>> backlogs = new HashMap<>();
    private final Map<ByteBuffer, List<Waiter>> waiting = new HashMap<>();

    /** An action waiting for a client's backlog to drain, and what to do if the client goes instead. */
    private record Waiter(Runnable action, Runnable abandoned) {
    }

    RouterSender(ZMQ.Socket router, int maxBacklog, Consumer<ByteBuffer> onClientGone) {
        this.router = router;
        this.maxBacklog = maxBacklog;
        this.onClientGone = onClientGone;
    }

    /** Sends {@code message} (envelope first) now, or queues it behind the client's backlog. */
    void send(List<byte[]> message) {
        ByteBuffer client = ByteBuffer.wrap(message.get(0));
        ArrayDeque<List<byte[]>> backlog = backlogs.get(client);
        if (backlog == null) {
            Outcome outcome = trySend(message);
            if (outcome == Outcome.GONE) {
                onClientGone.accept(client);
            }
            if (outcome != Outcome.FULL) {
                return;
            }
            backlog = new ArrayDeque<>();
            backlogs.put(client, backlog);
            LOG.debug("Client {} is full; holding replies for it", HexFormat.of().formatHex(message.get(0)));
        }
        if (backlog.size() >= maxBacklog) {
            LOG.warn("Dropping a reply to client {}: it has not read its last {} replies",
                    HexFormat.of().formatHex(message.get(0)), backlog.size());
            return;
        }
        backlog.add(message);
    }

    /** Whether some client's replies are waiting for room in its ZeroMQ queue. */
    boolean hasBacklog() {
        return !backlogs.isEmpty();
    }

    /**
     * Runs {@code action} once {@code client} has no backlog: now, or when its backlog drains; runs
     * {@code abandoned} instead if the client is found gone first.
     */
    void whenWritable(ByteBuffer client, Runnable action, Runnable abandoned) {
        if (!backlogs.containsKey(client)) {
            action.run();
        } else {
            waiting.computeIfAbsent(client, c -> new ArrayList<>()).add(new Waiter(action, abandoned));
        }
    }

    /** Tries again to send every backlog, oldest first, stopping at the first client still full. */
    void retry() {
        Iterator<Map.Entry<ByteBuffer, ArrayDeque<List<byte[]>>>> entries = backlogs.entrySet().iterator();
        List<Runnable> ready = new ArrayList<>();
        List<ByteBuffer> gone = new ArrayList<>();
        List<Runnable> abandoned = new ArrayList<>();
        while (entries.hasNext()) {
            Map.Entry<ByteBuffer, ArrayDeque<List<byte[]>>> entry = entries.next();
            ArrayDeque<List<byte[]>> backlog = entry.getValue();
            Outcome outcome = Outcome.SENT;
            while (!backlog.isEmpty() && outcome == Outcome.SENT) {
                outcome = trySend(backlog.peek());
                if (outcome == Outcome.SENT) {
                    backlog.poll();
                }
            }
            if (outcome == Outcome.GONE) {
                entries.remove();
                gone.add(entry.getKey());
                waiting.getOrDefault(entry.getKey(), List.of()).forEach(w -> abandoned.add(w.abandoned()));
                waiting.remove(entry.getKey());
            } else if (backlog.isEmpty()) {
                entries.remove();
                waiting.getOrDefault(entry.getKey(), List.of()).forEach(w -> ready.add(w.action()));
                waiting.remove(entry.getKey());
            }
        }
        gone.forEach(onClientGone);
        abandoned.forEach(Runnable::run);
        ready.forEach(Runnable::run);
    }

    /** What became of one send attempt. */
    private enum Outcome { SENT, FULL, GONE }

    /**
     * One non-blocking send. ZeroMQ checks the high-water mark on a message's first frame only, so
     * a message is either refused whole or accepted whole.
     */
    private Outcome trySend(List<byte[]> message) {
        int last = message.size() - 1;
        for (int i = 0; i <= last; i++) {
            int flags = ZMQ.DONTWAIT | (i < last ? ZMQ.SNDMORE : 0);
            boolean sent;
            try {
                sent = router.send(message.get(i), flags);
            } catch (ZMQException e) {
                if (e.getErrorCode() == ZMQ.Error.EHOSTUNREACH.getCode()) {
                    return Outcome.GONE;
                }
                throw e;
            }
            if (!sent) {
                if (i == 0) {
                    return Outcome.FULL;
                }
                throw new IllegalStateException("ZeroMQ refused frame " + i + " of a message it had started");
            }
        }
        return Outcome.SENT;
    }
}
