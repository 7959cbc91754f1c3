package io.rewind.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench echo}: what the wire itself gives, as the reference for every publish → subscriber
 * figure. A publisher DEALER sends messages at a fixed rate (the bursts due every millisecond, as
 * {@code bench subscribe} does), each carrying its send time and sequence number, to a bare ROUTER
 * relay in another process ({@link EchoRelay}, JeroMQ; or with {@code --libzmq} the same relay in
 * Python on libzmq, through Debian's python3-zmq), which forwards each to a subscriber DEALER in
 * this process. Latency runs from send to receipt on this process's clock; no Rewind code is on the
 * path. Reports the rate reached, the latency percentiles and the messages lost or out of order
 * ({@code gaps}, must be 0).
 */
@Command(name = "echo", mixinStandardHelpOptions = true,
        description = "The bare ZeroMQ reference: DEALER → ROUTER relay → DEALER at a fixed rate, latency percentiles.")
final class EchoCommand implements Callable<Integer> {

    private static final long PACING_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int RECEIVE_TIMEOUT_MS = 100;

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions run;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "10000",
            description = "Messages sent per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100",
            description = "Payload bytes per message, at least 16 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--libzmq", description = "Relay through libzmq (Python, Debian's python3-zmq) instead of JeroMQ.")
    boolean libzmq;

    @Option(names = "--relay", paramLabel = "ENDPOINT",
            description = "Use a relay already running there (see 'bench echo-relay') instead of starting one.")
    String relay;

    @Override
    public Integer call() throws Exception {
        Options.between(spec, "--rate", rate, 1, 10_000_000);
        Options.atLeast(spec, "--size", size, 2 * Long.BYTES);
        Report report = new Report("echo").count("rate", rate).count("size", size)
                .text("relay", relay != null ? relay : libzmq ? "libzmq" : "jeromq");
        try (Relay started = relay != null ? Relay.at(relay) : Relay.start(libzmq)) {
            started.measure(rate, size, run, Progress.onTerminal("echo", spec.commandLine().getErr()), report, "");
        }
        report.print(run.json, spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }

    /**
     * Runs the echo through the relay at {@code endpoint} for the warm-up and duration of {@code run}
     * (counted once the subscriber is registered) and adds its figures to {@code report}, each key
     * prefixed with {@code prefix} (e.g. {@code echo_}).
     */
    static void measure(String endpoint, int rate, int size, RunOptions run, Progress progress, Report report,
            String prefix) throws InterruptedException {
        Latency latency = new Latency();
        LongAdder received = new LongAdder();
        LongAdder gaps = new LongAdder();
        long[] sent = {0};
        try (ZContext context = new ZContext(1)) {
            ZMQ.Socket subscriber = connected(context, endpoint, EchoRelay.SUBSCRIBE);
            ZMQ.Socket publisher = connected(context, endpoint, EchoRelay.PUBLISHER);
            Phases phases = run.begin();
            LoadThreads threads = new LoadThreads();
            long[] stopAfter = {Long.MAX_VALUE};
            threads.start("bench-echo-subscriber", () -> receive(subscriber, phases, latency, received, gaps, stopAfter,
                    threads));
            threads.start("bench-echo-publisher", () -> {
                long start = System.nanoTime();
                while (!threads.failed()) {
                    long now = System.nanoTime();
                    if (phases.over(now)) {
                        break;
                    }
                    long due = (long) ((now - start) / 1e9 * rate);
                    for (; sent[0] < due; sent[0]++) {
                        // A fresh array each time: JeroMQ sends the array it is given, later, from its I/O thread.
                        byte[] payload = new byte[size];
                        ByteBuffer.wrap(payload).putLong(0, System.nanoTime()).putLong(Long.BYTES, sent[0]);
                        publisher.send(payload);
                    }
                    long nextDue = start + (long) ((sent[0] + 1) * 1e9 / rate);
                    LockSupport.parkNanos(Math.max(nextDue - System.nanoTime(), PACING_TICK_NANOS));
                }
                synchronized (stopAfter) {
                    stopAfter[0] = sent[0];
                }
            });
            long before = phases.awaitMeasureStart(progress, received::sum);
            long after = phases.awaitEnd(progress, received::sum);
            threads.join("the echo");
            progress.done();
            report.count(prefix + "messages", after - before)
                    .figure(prefix + "messages_per_s", (after - before) / phases.seconds())
                    .count(prefix + "gaps", gaps.sum());
            Report percentiles = new Report("echo");
            Latency.addPercentiles(percentiles, latency.total());
            for (String key : List.of("p50_us", "p99_us", "p999_us", "max_us")) {
                if (percentiles.has(key)) {
                    report.figure(prefix + key, ((Number) percentiles.get(key)).doubleValue());
                }
            }
        }
    }

    /**
     * A DEALER connected to the relay, which has answered {@code hello} ({@code SUB} or {@code PUB})
     * with OK. A connection that does not answer within a second is dropped and made anew (a
     * JeroMQ connection on a loaded machine has been seen to stay silent for good), for up to 30 s.
     */
    private static ZMQ.Socket connected(ZContext context, String endpoint, byte[] hello) {
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (System.nanoTime() - deadline < 0) {
            ZMQ.Socket socket = dealer(context, endpoint);
            socket.send(hello);
            for (int wait = 0; wait < 10; wait++) {
                byte[] answer = socket.recv();
                if (answer != null) {
                    if (!java.util.Arrays.equals(answer, EchoRelay.SUBSCRIBED)) {
                        throw new BenchException("the relay at " + endpoint + " answered "
                                + new String(answer, StandardCharsets.UTF_8) + " instead of OK");
                    }
                    return socket;
                }
            }
            socket.close();
        }
        throw new BenchException("the relay at " + endpoint + " did not answer within 30 s");
    }

    private static ZMQ.Socket dealer(ZContext context, String endpoint) {
        ZMQ.Socket socket = context.createSocket(SocketType.DEALER);
        socket.setLinger(0);
        socket.setRcvHWM(0);
        socket.setSndHWM(0);
        socket.setReceiveTimeOut(RECEIVE_TIMEOUT_MS);
        socket.connect(endpoint);
        return socket;
    }

    private static void receive(ZMQ.Socket subscriber, Phases phases, Latency latency, LongAdder received,
            LongAdder gaps, long[] stopAfter, LoadThreads threads) {
        long expected = 0;
        long drainDeadline = Long.MAX_VALUE;
        while (!threads.failed()) {
            long limit;
            synchronized (stopAfter) {
                limit = stopAfter[0];
            }
            if (received.sum() >= limit) {
                return;
            }
            if (limit != Long.MAX_VALUE && drainDeadline == Long.MAX_VALUE) {
                drainDeadline = System.nanoTime() + DRAIN_NANOS;
            }
            if (System.nanoTime() - drainDeadline > 0) {
                throw new BenchException("the echo received " + received.sum() + " of " + limit + " messages sent");
            }
            byte[] message = subscriber.recv();
            long now = System.nanoTime();
            if (message == null) {
                continue;
            }
            ByteBuffer buffer = ByteBuffer.wrap(message);
            long sentAt = buffer.getLong(0);
            long sequence = buffer.getLong(Long.BYTES);
            if (sequence != expected) {
                gaps.increment();
            }
            expected = sequence + 1;
            if (phases.measuring(sentAt)) {
                latency.record(now - sentAt);
            }
            received.increment();
        }
    }

    /** A relay to echo through: started here as a child process (and stopped on close), or one already running. */
    static final class Relay implements AutoCloseable {
        private final String endpoint;
        private final Process process;

        private Relay(String endpoint, Process process) {
            this.endpoint = endpoint;
            this.process = process;
        }

        static Relay at(String endpoint) {
            return new Relay(endpoint, null);
        }

        /** Starts the JeroMQ relay (this JVM's class path) or the libzmq one (python3) on 127.0.0.1. */
        static Relay start(boolean libzmq) throws IOException {
            List<String> command = new ArrayList<>();
            if (libzmq) {
                String script;
                try (InputStream in = EchoCommand.class.getResourceAsStream("echo_relay.py")) {
                    if (in == null) {
                        throw new BenchException("echo_relay.py is missing from the jar");
                    }
                    script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                // Debian's python3 is the one python3-zmq is installed for (another python3 may come first on PATH).
                String python = java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/python3"))
                        ? "/usr/bin/python3" : "python3";
                command.addAll(List.of(python, "-c", script, "tcp://127.0.0.1:*"));
            } else {
                command.add(ProcessHandle.current().info().command().orElse("java"));
                command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchMain.class.getName(),
                        "echo-relay", "--bind", "tcp://127.0.0.1:*"));
            }
            Process process;
            try {
                process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            } catch (IOException e) {
                throw new BenchException("cannot start the " + (libzmq ? "libzmq (python3 with python3-zmq)" : "JeroMQ")
                        + " relay: " + e.getMessage());
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = lines.readLine();
            if (line == null || !line.startsWith("relay ")) {
                process.destroyForcibly();
                throw new BenchException("the " + (libzmq ? "libzmq" : "JeroMQ") + " relay did not start"
                        + (libzmq ? " (is Debian's python3-zmq installed?)" : "") + "; it printed: " + line);
            }
            return new Relay(line.substring("relay ".length()).trim(), process);
        }

        String endpoint() {
            return endpoint;
        }

        /** {@link EchoCommand#measure} through this relay; a failure says whether the relay still runs. */
        void measure(int rate, int size, RunOptions run, Progress progress, Report report, String prefix)
                throws InterruptedException {
            try {
                EchoCommand.measure(endpoint, rate, size, run, progress, report, prefix);
            } catch (BenchException e) {
                if (process != null && !process.isAlive()) {
                    throw new BenchException(e.getMessage() + " (the relay process ended with status "
                            + process.exitValue() + ")");
                }
                throw e;
            }
        }

        @Override
        public void close() {
            if (process == null) {
                return;
            }
            try {
                process.getOutputStream().close(); // the relay ends at the end of its input
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (IOException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
