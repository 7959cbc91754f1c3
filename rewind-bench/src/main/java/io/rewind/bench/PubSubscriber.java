package io.rewind.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A subscriber of {@code bench subscribe --pub}: a ZeroMQ SUB socket on one of the server's
 * broadcast (PUB) endpoints, as the original clients read them (docs/PROTOCOL.md): the GoRewind
 * stream endpoint ({@code [stream, id, data]}, subscribed to the benchmark's stream name) or the
 * Rewind legacy stream endpoint ({@code [id, previous id, data]}, every event). The first 8 data
 * bytes are the publisher's send time; 0 marks a probe, sent before the run until every subscriber
 * has seen one (a SUB's subscription reaches the PUB some time after it connects, and a PUB drops
 * what nobody is subscribed to yet).
 *
 * <p>A PUB socket drops messages beyond its high-water mark, by design: what a subscriber did not
 * receive counts as gaps, not as a failed run. With the Rewind format every event names the one
 * before it, so a missed event also shows as a broken chain.
 */
final class PubSubscriber implements SubscribeCommand.Reader {

    private static final long DRAIN_NANOS = 10_000_000_000L;

    /** The two broadcast formats. */
    enum Format {
        GOREWIND, REWIND;

        static Format parse(String text) {
            return switch (text) {
                case "gorewind" -> GOREWIND;
                case "rewind" -> REWIND;
                default -> throw new IllegalArgumentException("--pub-format: '" + text
                        + "' is not one of gorewind, rewind");
            };
        }
    }

    private final ZMQ.Socket socket;
    private final Format format;
    private final LongAdder received = new LongAdder();
    private volatile long stopAfter = Long.MAX_VALUE;
    private byte[] lastId;
    private boolean sawProbe;

    private PubSubscriber(ZMQ.Socket socket, Format format) {
        this.socket = socket;
        this.format = format;
    }

    /** Connects a SUB to {@code endpoint} and subscribes to {@code stream}'s broadcasts. */
    static PubSubscriber start(ZContext context, String endpoint, Format format, String stream) {
        ZMQ.Socket socket = context.createSocket(SocketType.SUB);
        socket.setLinger(0);
        socket.setRcvHWM(1_000_000);
        socket.setReceiveTimeOut(Dealer.RECEIVE_TIMEOUT_MS);
        socket.subscribe(format == Format.GOREWIND ? stream.getBytes(StandardCharsets.UTF_8) : new byte[0]);
        if (!socket.connect(endpoint)) {
            socket.close();
            throw new BenchException("cannot connect to " + endpoint);
        }
        return new PubSubscriber(socket, format);
    }

    /** Reads what is waiting, without blocking; whether a probe has been seen so far. */
    boolean probed() {
        for (List<byte[]> message = receive(ZMQ.DONTWAIT); message != null; message = receive(ZMQ.DONTWAIT)) {
            take(message, 0, null, null, null, null);
        }
        return sawProbe;
    }

    @Override
    public void stopAfter(long events) {
        stopAfter = events;
    }

    @Override
    public void run(Phases phases, Latency latency, LongAdder delivered, LongAdder gaps, LongAdder published,
            LoadThreads threads) {
        try {
            long stopDeadline = Long.MAX_VALUE;
            while (!threads.failed() && received.sum() < stopAfter) {
                if (stopAfter != Long.MAX_VALUE && stopDeadline == Long.MAX_VALUE) {
                    stopDeadline = System.nanoTime() + DRAIN_NANOS;
                }
                if (System.nanoTime() - stopDeadline > 0) {
                    // Dropped by a PUB at its high-water mark, or never sent: lost for this subscriber.
                    gaps.add(stopAfter - received.sum());
                    return;
                }
                List<byte[]> message = receive(0);
                if (message != null) {
                    take(message, System.nanoTime(), phases, latency, delivered, gaps);
                }
            }
        } finally {
            socket.close();
        }
    }

    private void take(List<byte[]> message, long now, Phases phases, Latency latency, LongAdder delivered,
            LongAdder gaps) {
        if (message.size() != 3) {
            throw new BenchException("a broadcast has 3 frames, got " + message.size());
        }
        byte[] data = message.get(2);
        if (format == Format.REWIND) {
            byte[] id = message.get(0);
            byte[] previous = message.get(1);
            if (lastId != null && !Arrays.equals(previous, lastId) && gaps != null) {
                gaps.increment();
            }
            lastId = id;
        }
        long sent = data.length < Long.BYTES ? -1 : ByteBuffer.wrap(data).getLong(0);
        if (sent == 0) {
            sawProbe = true;
            return;
        }
        if (phases == null) {
            return; // an event of the run read while probing cannot happen: the run has not started
        }
        if (phases.measuring(sent)) {
            latency.record(now - sent);
        }
        received.increment();
        delivered.increment();
    }

    private List<byte[]> receive(int flags) {
        byte[] first = socket.recv(flags);
        if (first == null) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>(3);
        frames.add(first);
        while (socket.hasReceiveMore()) {
            frames.add(socket.recv(0));
        }
        return frames;
    }
}
