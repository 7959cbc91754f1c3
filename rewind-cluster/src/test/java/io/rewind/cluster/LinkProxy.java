package io.rewind.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fault-injecting TCP proxy for tests: listens on 127.0.0.1 (an ephemeral port) and forwards
 * every connection to one target, in a mode that can be switched at run time:
 *
 * <ul>
 *   <li>{@link #pass()}: bytes go through as they come;</li>
 *   <li>{@link #delay(Duration)}: every chunk, in both directions, is held for the given time
 *       after it was read (a latency, not a bandwidth cap: chunks read together leave together);</li>
 *   <li>{@link #blackhole()}: connections are accepted and kept, but every byte read in either
 *       direction is dropped (a silent partition: the peers see no error, only silence). A
 *       connection that lost bytes is closed when the link passes again, because its byte stream
 *       is no longer whole (TCP over a real partition would have retransmitted or timed out; it
 *       never delivers a stream with a hole);</li>
 *   <li>{@link #reset()}: every connection is closed with a TCP reset and every new one is reset
 *       as soon as it is accepted (a loud partition);</li>
 *   <li>{@link #flapping(Duration)}: alternates blackhole and pass, one period each, starting with
 *       the cut.</li>
 * </ul>
 *
 * <p>A mode takes effect for every byte read after the switch returns: no byte written into the
 * link after {@link #blackhole()} or {@link #reset()} returned ever reaches the other side (bytes
 * read before it may still be delivered). Each connection costs four threads (a reader and a
 * writer per direction); {@link #close} stops every thread this proxy started and waits for them.
 * {@link #record()} keeps a copy of every byte forwarded from then on, per connection and direction
 * (what an eavesdropper on the link would capture). Thread-safe.
 */
final class LinkProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LinkProxy.class);
    private static final int CHUNK_BYTES = 16 * 1024;
    /** Chunks read and not yet written, per direction (bounds memory; a full queue stops reading). */
    private static final int QUEUED_CHUNKS = 256;
    private static final Duration THREAD_STOP_TIMEOUT = Duration.ofSeconds(10);

    /** What a link does with the bytes it reads. */
    enum Mode { PASS, DELAY, BLACKHOLE, RESET, FLAPPING }

    /** The settings in force: a mode, with its delay or period. */
    private record Setting(Mode mode, Duration delay, Duration period) {
    }

    private final String name;
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong forwardedBytes = new AtomicLong();
    private final AtomicLong droppedBytes = new AtomicLong();
    private final AtomicLong acceptedConnections = new AtomicLong();
    private final AtomicLong flaps = new AtomicLong();
    private final Object modeLock = new Object();
    private volatile Setting setting = new Setting(Mode.PASS, Duration.ZERO, Duration.ZERO);
    /** True while the link drops bytes: in BLACKHOLE, and in the cut half of FLAPPING. */
    private volatile boolean dropping;
    /** True while the link resets connections. */
    private volatile boolean resetting;
    private Thread flapper;
    /** While recording: every byte forwarded, one buffer per connection and direction (else null). */
    private volatile List<ByteArrayOutputStream> recordings;

    private LinkProxy(String name, InetSocketAddress target) throws IOException {
        this.name = name;
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = newThread("accept", this::accept);
        acceptor.start();
    }

    /** Starts a proxy named {@code name} (for logs and thread names) in front of 127.0.0.1:{@code targetPort}. */
    static LinkProxy start(String name, int targetPort) throws IOException {
        return new LinkProxy(name, new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
    }

    /** The port this proxy listens on, on 127.0.0.1. */
    int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:PORT} of this proxy. */
    String address() {
        return "127.0.0.1:" + port();
    }

    String name() {
        return name;
    }

    Mode mode() {
        return setting.mode();
    }

    /**
     * From now on, keeps a copy of every byte forwarded, per connection and direction, until this
     * proxy is closed (for captures of a few megabytes at most). Recording already: no change.
     */
    synchronized void record() {
        if (recordings == null) {
            recordings = new CopyOnWriteArrayList<>();
        }
    }

    /** What {@link #record()} captured so far: one byte stream per connection and direction. */
    List<byte[]> recorded() {
        List<ByteArrayOutputStream> now = recordings;
        if (now == null) {
            throw new IllegalStateException(name + " is not recording");
        }
        List<byte[]> copies = new ArrayList<>();
        for (ByteArrayOutputStream recording : now) {
            synchronized (recording) {
                copies.add(recording.toByteArray());
            }
        }
        return copies;
    }

    /** Bytes written to either side so far. */
    long forwardedBytes() {
        return forwardedBytes.get();
    }

    /** Bytes read and dropped so far (blackhole, flapping). */
    long droppedBytes() {
        return droppedBytes.get();
    }

    /** Connections accepted so far (including those reset at once). */
    long acceptedConnections() {
        return acceptedConnections.get();
    }

    /** How many times a flapping link switched between cut and pass so far. */
    long flaps() {
        return flaps.get();
    }

    /** Connections open now. */
    int openConnections() {
        return connections.size();
    }

    void pass() {
        switchTo(new Setting(Mode.PASS, Duration.ZERO, Duration.ZERO));
    }

    /** Holds every chunk for {@code delay} after it was read, in both directions. */
    void delay(Duration delay) {
        if (delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException("a link's delay must be positive, was " + delay);
        }
        switchTo(new Setting(Mode.DELAY, delay, Duration.ZERO));
    }

    void blackhole() {
        switchTo(new Setting(Mode.BLACKHOLE, Duration.ZERO, Duration.ZERO));
    }

    void reset() {
        switchTo(new Setting(Mode.RESET, Duration.ZERO, Duration.ZERO));
    }

    /** Alternates blackhole and pass, {@code period} each, starting with the cut. */
    void flapping(Duration period) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("a flapping link's period must be positive, was " + period);
        }
        switchTo(new Setting(Mode.FLAPPING, Duration.ZERO, period));
    }

    private void switchTo(Setting next) {
        Thread stoppedFlapper;
        synchronized (modeLock) {
            if (closed.get()) {
                throw new IllegalStateException("link proxy " + name + " is closed");
            }
            stoppedFlapper = flapper;
            flapper = null;
            setting = next;
            switch (next.mode()) {
                case PASS, DELAY -> cut(false, false);
                case BLACKHOLE, FLAPPING -> cut(true, false);
                case RESET -> cut(false, true);
                default -> throw new IllegalStateException("unknown mode " + next.mode());
            }
            if (next.mode() == Mode.FLAPPING) {
                flapper = newThread("flap", () -> flap(next));
                flapper.start();
            }
        }
        if (stoppedFlapper != null) {
            stoppedFlapper.interrupt();
            join(stoppedFlapper);
        }
        LOG.info("link {} now {}{}", name, next.mode(), next.mode() == Mode.DELAY ? " " + next.delay().toMillis()
                + " ms" : next.mode() == Mode.FLAPPING ? " every " + next.period().toMillis() + " ms" : "");
    }

    /**
     * Sets whether bytes are dropped and connections reset; when the link stops dropping,
     * closes the connections that lost bytes. Under {@link #modeLock}.
     */
    private void cut(boolean drop, boolean reset) {
        dropping = drop;
        resetting = reset;
        if (reset || !drop) {
            for (Connection connection : connections) {
                if (reset || connection.lostBytes) {
                    connection.abort();
                }
            }
        }
    }

    private void flap(Setting flapping) {
        boolean cutNow = true;
        try {
            while (!closed.get()) {
                TimeUnit.MILLISECONDS.sleep(flapping.period().toMillis());
                synchronized (modeLock) {
                    if (setting != flapping || closed.get()) {
                        return;
                    }
                    cutNow = !cutNow;
                    cut(cutNow, false);
                    flaps.incrementAndGet();
                }
                LOG.debug("link {} flaps {}", name, cutNow ? "cut" : "open");
            }
        } catch (InterruptedException e) {
            // switched to another mode, or closed
        }
    }

    private void accept() {
        while (!closed.get()) {
            Socket inbound;
            try {
                inbound = server.accept();
            } catch (IOException e) {
                if (!closed.get()) {
                    LOG.warn("link {} stops accepting: {}", name, e.toString());
                }
                return;
            }
            acceptedConnections.incrementAndGet();
            if (resetting || closed.get()) {
                abort(inbound);
                continue;
            }
            Socket outbound = new Socket();
            try {
                outbound.setTcpNoDelay(true);
                inbound.setTcpNoDelay(true);
                outbound.connect(target, 5_000);
            } catch (IOException e) {
                LOG.debug("link {} cannot reach {}: {}", name, target, e.toString());
                abort(inbound);
                closeQuietly(outbound);
                continue;
            }
            Connection connection = new Connection(inbound, outbound);
            connections.add(connection);
            if (resetting || closed.get()) {
                connection.abort();
                continue;
            }
            connection.start();
        }
    }

    /** One proxied connection: a reader and a writer in each direction. */
    private final class Connection {
        final Socket inbound;
        final Socket outbound;
        final AtomicBoolean aborted = new AtomicBoolean();
        final List<Thread> pumps = new ArrayList<>(4);
        volatile boolean lostBytes;

        Connection(Socket inbound, Socket outbound) {
            this.inbound = inbound;
            this.outbound = outbound;
        }

        void start() {
            direction("out", inbound, outbound);
            direction("in", outbound, inbound);
            pumps.forEach(Thread::start);
        }

        private void direction(String label, Socket from, Socket to) {
            BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
            pumps.add(newThread(label + "-read", () -> read(from, queue)));
            pumps.add(newThread(label + "-write", () -> write(queue, to)));
        }

        private void read(Socket from, BlockingQueue<Chunk> queue) {
            try {
                InputStream in = from.getInputStream();
                while (true) {
                    byte[] buffer = new byte[CHUNK_BYTES];
                    int read = in.read(buffer);
                    if (read < 0) {
                        break;
                    }
                    boolean drop;
                    synchronized (modeLock) {
                        // Decided under the lock, so that a switch to pass sees this connection's loss.
                        drop = dropping || resetting;
                        lostBytes |= drop;
                    }
                    if (drop) {
                        droppedBytes.addAndGet(read);
                        continue;
                    }
                    queue.put(new Chunk(Arrays.copyOf(buffer, read), System.nanoTime()));
                }
                queue.put(Chunk.END);
            } catch (IOException e) {
                abort();
            } catch (InterruptedException e) {
                abort();
            }
        }

        private void write(BlockingQueue<Chunk> queue, Socket to) {
            ByteArrayOutputStream recording = null;
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk chunk = queue.take();
                    if (chunk == Chunk.END) {
                        to.shutdownOutput();
                        return;
                    }
                    Setting now = setting;
                    if (now.mode() == Mode.DELAY) {
                        long due = chunk.readNanos() + now.delay().toNanos();
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                    }
                    out.write(chunk.bytes());
                    out.flush();
                    forwardedBytes.addAndGet(chunk.bytes().length);
                    List<ByteArrayOutputStream> capture = recordings;
                    if (capture != null) {
                        if (recording == null) {
                            recording = new ByteArrayOutputStream();
                            capture.add(recording);
                        }
                        synchronized (recording) {
                            recording.write(chunk.bytes());
                        }
                    }
                }
            } catch (IOException e) {
                abort();
            } catch (InterruptedException e) {
                abort();
            }
        }

        /** Closes both sides with a reset and stops the pumps (they end on the closed sockets). */
        void abort() {
            if (!aborted.compareAndSet(false, true)) {
                return;
            }
            connections.remove(this);
            LinkProxy.abort(inbound);
            LinkProxy.abort(outbound);
            pumps.forEach(Thread::interrupt);
        }
    }

    private record Chunk(byte[] bytes, long readNanos) {
        static final Chunk END = new Chunk(new byte[0], 0);
    }

    private Thread newThread(String role, Runnable body) {
        Thread[] holder = new Thread[1];
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } finally {
                threads.remove(holder[0]);
            }
        }, "link-" + name + "-" + role);
        holder[0] = thread;
        thread.setDaemon(true);
        threads.add(thread);
        return thread;
    }

    /** Threads of this proxy still running (for tests of the proxy itself). */
    int liveThreads() {
        int live = 0;
        for (Thread thread : threads) {
            live += thread.isAlive() ? 1 : 0;
        }
        return live;
    }

    private static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing anyway
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(THREAD_STOP_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops accepting, resets every connection and waits (up to 10 s each) for every thread this
     * proxy started to end.
     *
     * @throws IllegalStateException naming the threads still running after the wait
     */
    @Override
    public void close() {
        Thread stoppedFlapper;
        synchronized (modeLock) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            stoppedFlapper = flapper;
            flapper = null;
        }
        closeQuietly(server);
        if (stoppedFlapper != null) {
            stoppedFlapper.interrupt();
        }
        // The acceptor first, so that no connection starts after the ones below are reset.
        join(acceptor);
        for (Connection connection : connections) {
            connection.abort();
        }
        List<Thread> running = new ArrayList<>(threads);
        for (Thread thread : running) {
            join(thread);
        }
        List<String> alive = new ArrayList<>();
        for (Thread thread : running) {
            if (thread.isAlive()) {
                alive.add(thread.getName());
            }
        }
        if (!alive.isEmpty()) {
            throw new IllegalStateException("link proxy " + name + " closed with threads still running: " + alive);
        }
    }
}
