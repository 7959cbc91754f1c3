package io.rewind.bench;

import io.rewind.api.AppendRequest;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.SubscriptionRequest;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.zeromq.ZContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench subscribe}: one publisher appends events at a fixed rate (Rewind's own APPEND, one
 * event each, sent in the bursts due every millisecond; acknowledgements collected asynchronously) while K subscribers each hold a live subscription
 * (SUBSCRIBE from the end, with credit). Every event carries the publisher's send time, so each
 * delivery gives one publish→subscriber latency (publisher and subscribers share this process's
 * clock). Reports the publish rate reached, the fan-out (events delivered per second over all
 * subscribers), the latency percentiles, and the gaps seen (a subscriber checks every event's
 * previous position; any gap is a bug).
 */
@Command(name = "subscribe", mixinStandardHelpOptions = true,
        description = "Publish at a fixed rate to a running server; publish→subscriber latency and fan-out.")
final class SubscribeCommand implements Callable<Integer> {

    /** Events a subscriber grants at once; it tops up when half are used. */
    private static final int CREDIT = 10_000;
    /**
     * Acknowledgements the publisher may wait for at once, well below the server's default limit of
     * requests in flight (4,096); beyond it the publisher falls behind its rate, which the report shows.
     */
    private static final int PUBLISH_WINDOW = 1_024;
    /** The publisher wakes at most this often, sending every event due since its last turn. */
    private static final long PACING_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long SUBSCRIPTION_ID = 1;
    private static final String STREAM = "bench-subscribe";

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions run;

    @Mixin
    ServerOption server;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "10000",
            description = "Events published per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--subscribers", paramLabel = "K", defaultValue = "1",
            description = "Live subscriptions, one connection and thread each (default: ${DEFAULT-VALUE}).")
    int subscribers;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100",
            description = "Payload bytes per event, at least 8 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--sse", paramLabel = "URL",
            description = "Subscribe through the HTTP API's Server-Sent Events at this base URL (e.g."
                    + " http://127.0.0.1:9004) instead of ZeroMQ; the publisher is the same.")
    String sse;

    @Option(names = "--pub", paramLabel = "ENDPOINT",
            description = "Subscribe with ZeroMQ SUB sockets to this broadcast (PUB) endpoint of the server instead"
                    + " of SUBSCRIBE, as the original clients do (see --pub-format); the publisher is the same.")
    String pub;

    @Option(names = "--pub-format", paramLabel = "FORMAT", defaultValue = "gorewind",
            description = "What --pub carries: gorewind (the stream endpoint, [stream, id, data]) or rewind (the"
                    + " legacy stream endpoint, [id, previous id, data]) (default: ${DEFAULT-VALUE}).")
    String pubFormat;

    @Option(names = "--echo", paramLabel = "RELAY", split = ",",
            description = "Then measure the bare wire at the same rate for the same time ('bench echo'): jeromq,"
                    + " libzmq (Debian's python3-zmq) or both (jeromq,libzmq); its figures are reported beside,"
                    + " prefixed echo_ or libzmq_echo_.")
    List<String> echo = List.of();

    @Override
    public Integer call() throws Exception {
        Options.between(spec, "--rate", rate, 1, 10_000_000);
        for (String relay : echo) {
            if (!relay.equals("jeromq") && !relay.equals("libzmq")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--echo: '" + relay + "' is not one of jeromq, libzmq");
            }
        }
        Options.atLeast(spec, "--subscribers", subscribers, 1);
        Options.atLeast(spec, "--size", size, Long.BYTES);
        if (sse != null && pub != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give at most one of --sse and --pub");
        }
        PubSubscriber.Format format;
        try {
            format = PubSubscriber.Format.parse(pubFormat);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        String via = sse != null ? "sse" : pub != null ? "pub-" + pubFormat : "zeromq";
        Report report = new Report("subscribe").text("server", server.endpoint).count("rate", rate)
                .count("subscribers", subscribers).count("size", size).text("via", via);
        try (ZContext context = new ZContext(1)) {
            List<Reader> readers = new ArrayList<>();
            List<PubSubscriber> subs = new ArrayList<>();
            for (int s = 0; s < subscribers; s++) {
                if (pub != null) {
                    PubSubscriber sub = PubSubscriber.start(context, pub, format, STREAM);
                    subs.add(sub);
                    readers.add(sub);
                } else {
                    readers.add(sse == null ? Subscriber.start(Dealer.connect(context, server.endpoint))
                            : SseSubscriber.start(sse, STREAM));
                }
            }
            if (!subs.isEmpty()) {
                awaitSubscriptions(context, subs);
            }
            measure(Dealer.connect(context, server.endpoint), readers, report);
        }
        for (String relay : echo) {
            boolean libzmq = relay.equals("libzmq");
            try (EchoCommand.Relay started = EchoCommand.Relay.start(libzmq)) {
                started.measure(rate, size, run, Progress.onTerminal("echo (" + relay + ")",
                        spec.commandLine().getErr()), report, libzmq ? "libzmq_echo_" : "echo_");
            }
        }
        report.print(run.json, spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }

    /**
     * Appends probes (send time 0) until every SUB has received one, so that no event of the run is
     * published before a subscription reached the server's PUB socket.
     */
    private void awaitSubscriptions(ZContext context, List<PubSubscriber> subs) {
        try (Dealer dealer = Dealer.connect(context, server.endpoint)) {
            long deadline = System.nanoTime() + Dealer.SILENCE_LIMIT_NANOS;
            long id = 0;
            while (true) {
                dealer.send(Dealer.command(new CommandRequest.Append(++id, AppendRequest.to(STREAM,
                        ExpectedVersion.any(), EventData.of(AppendCommand.EVENT_TYPE, new byte[size])))));
                awaitAcknowledgement(dealer, id, System.nanoTime() + Dealer.SILENCE_LIMIT_NANOS);
                if (subs.stream().allMatch(PubSubscriber::probed)) {
                    return;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new BenchException("the SUB sockets on " + pub + " received no probe within "
                            + Dealer.SILENCE_LIMIT_NANOS / 1_000_000_000L + " s: is it the server's "
                            + (pubFormat.equals("rewind") ? "legacy stream endpoint" : "stream endpoint") + "?");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    private static void awaitAcknowledgement(Dealer dealer, long id, long deadline) {
        while (System.nanoTime() - deadline < 0) {
            List<byte[]> reply = dealer.receive();
            if (reply == null) {
                continue;
            }
            CommandReply decoded = CommandReply.decode(reply.subList(1, reply.size()));
            if (decoded instanceof CommandReply.Appended appended && appended.requestId() == id) {
                return;
            }
            if (decoded instanceof CommandReply.Error error) {
                throw new BenchException("the server refused a probe: " + error.code() + " " + error.reason());
            }
        }
        throw new BenchException("no answer to a probe within " + Dealer.SILENCE_LIMIT_NANOS / 1_000_000_000L + " s");
    }

    private void measure(Dealer publisherDealer, List<Reader> readers, Report report) throws InterruptedException {
        Progress progress = Progress.onTerminal("subscribe", spec.commandLine().getErr());
        Phases phases = run.begin();
        Latency latency = new Latency();
        LongAdder published = new LongAdder();
        LongAdder delivered = new LongAdder();
        LongAdder gaps = new LongAdder();
        LoadThreads subscriberThreads = new LoadThreads();
        LoadThreads publisherThread = new LoadThreads();
        for (int s = 0; s < readers.size(); s++) {
            Reader reader = readers.get(s);
            subscriberThreads.start("bench-subscriber-" + s,
                    () -> reader.run(phases, latency, delivered, gaps, published, subscriberThreads));
        }
        publisherThread.start("bench-publisher", () -> publish(publisherDealer, phases, published, publisherThread));
        long publishedBefore = phases.awaitMeasureStart(progress, published::sum);
        long deliveredBefore = delivered.sum();
        long publishedAfter = phases.awaitEnd(progress, published::sum);
        long deliveredAfter = delivered.sum();
        try {
            publisherThread.join("the publisher");
        } finally {
            for (Reader reader : readers) {
                reader.stopAfter(published.sum());
            }
            subscriberThreads.join("a subscriber");
            progress.done();
        }
        report.count("events", publishedAfter - publishedBefore)
                .figure("events_per_s", (publishedAfter - publishedBefore) / phases.seconds())
                .figure("delivered_per_s", (deliveredAfter - deliveredBefore) / phases.seconds())
                .count("gaps", gaps.sum());
        Latency.addPercentiles(report, latency.total());
    }

    /**
     * Sends the events due at the rate, each carrying its send time, waking once per
     * {@link #PACING_TICK_NANOS} at most (so at high rates in small bursts: a publisher that woke for
     * every event would take the CPU the server and the subscribers need); collects
     * acknowledgements as they come.
     */
    private void publish(Dealer dealer, Phases phases, LongAdder published, LoadThreads threads) {
        try (dealer) {
            InFlight inFlight = InFlight.byRequestId(PUBLISH_WINDOW);
            byte[] payload = new byte[size];
            long start = System.nanoTime();
            long sent = 0;
            while (!threads.failed()) {
                long now = System.nanoTime();
                if (phases.over(now)) {
                    break;
                }
                collectAcknowledgements(dealer, inFlight, published);
                long due = (long) ((now - start) / 1e9 * rate);
                for (; sent < due && inFlight.hasRoom(); sent++) {
                    ByteBuffer.wrap(payload).putLong(0, System.nanoTime());
                    long id = inFlight.start(System.nanoTime());
                    dealer.send(Dealer.command(new CommandRequest.Append(id,
                            AppendRequest.to(STREAM, ExpectedVersion.any(), EventData.of(AppendCommand.EVENT_TYPE, payload)))));
                }
                long nextDue = start + (long) ((sent + 1) * 1e9 / rate);
                LockSupport.parkNanos(Math.max(nextDue - System.nanoTime(), PACING_TICK_NANOS));
            }
            long deadline = System.nanoTime() + Dealer.SILENCE_LIMIT_NANOS;
            while (!inFlight.isEmpty() && !threads.failed() && System.nanoTime() - deadline < 0) {
                collectAcknowledgements(dealer, inFlight, published);
                LockSupport.parkNanos(PACING_TICK_NANOS);
            }
        }
    }

    private static void collectAcknowledgements(Dealer dealer, InFlight inFlight, LongAdder published) {
        for (List<byte[]> reply = dealer.poll(); reply != null; reply = dealer.poll()) {
            CommandReply decoded = CommandReply.decode(reply.subList(1, reply.size()));
            if (decoded instanceof CommandReply.Appended appended && inFlight.finish(appended.requestId()) >= 0) {
                published.increment();
            } else if (decoded instanceof CommandReply.Error error) {
                throw new BenchException("the server refused a publish: " + error.code() + " " + error.reason());
            }
        }
    }

    /** One subscriber: counts deliveries, checks the chain of positions, records latencies. */
    interface Reader {
        void run(Phases phases, Latency latency, LongAdder delivered, LongAdder gaps, LongAdder published,
                LoadThreads threads);

        /** Ends the loop once this many events of the run were received (or after a bounded wait). */
        void stopAfter(long events);
    }

    /** One live subscription on its own connection and thread. */
    private static final class Subscriber implements Reader {
        private final Dealer dealer;
        private final long start;
        private volatile long stopAfter = Long.MAX_VALUE;
        private final LongAdder received = new LongAdder();
        private long lastPosition;
        private long lastSent = System.nanoTime();
        private int unacknowledgedCredit;

        private Subscriber(Dealer dealer, long start) {
            this.dealer = dealer;
            this.start = start;
            this.lastPosition = start;
        }

        /** Subscribes from the store's end and waits for SUBSCRIBED, so no event of the run is missed. */
        static Subscriber start(Dealer dealer) {
            dealer.send(Dealer.command(new CommandRequest.Subscribe(SUBSCRIPTION_ID,
                    SubscriptionRequest.fromEnd().withStreamPrefix(STREAM), CREDIT)));
            long deadline = System.nanoTime() + Dealer.SILENCE_LIMIT_NANOS;
            while (System.nanoTime() - deadline < 0) {
                List<byte[]> reply = dealer.receive();
                if (reply != null) {
                    CommandReply decoded = CommandReply.decode(reply.subList(1, reply.size()));
                    if (decoded instanceof CommandReply.Subscribed subscribed) {
                        return new Subscriber(dealer, subscribed.startPosition());
                    }
                    if (decoded instanceof CommandReply.Error error) {
                        dealer.close();
                        throw new BenchException("the server refused a subscription: " + error.code() + " "
                                + error.reason());
                    }
                }
            }
            dealer.close();
            throw new BenchException("no SUBSCRIBED from the server within "
                    + Dealer.SILENCE_LIMIT_NANOS / 1_000_000_000L + " s");
        }

        @Override
        public void stopAfter(long events) {
            stopAfter = events;
        }

        @Override
        public void run(Phases phases, Latency latency, LongAdder delivered, LongAdder gaps, LongAdder published,
                LoadThreads threads) {
            try (dealer) {
                long stopDeadline = Long.MAX_VALUE;
                while (!threads.failed() && received.sum() < stopAfter) {
                    if (stopAfter != Long.MAX_VALUE && stopDeadline == Long.MAX_VALUE) {
                        stopDeadline = System.nanoTime() + DRAIN_NANOS;
                    }
                    if (System.nanoTime() - stopDeadline > 0) {
                        throw new BenchException("a subscriber received " + received.sum() + " of "
                                + stopAfter + " events published (" + published.sum() + " acknowledged)");
                    }
                    List<byte[]> message = dealer.receive();
                    long now = System.nanoTime();
                    if (message != null) {
                        onMessage(CommandReply.decode(message.subList(1, message.size())), now, phases, latency,
                                delivered, gaps);
                    }
                    if (now - lastSent > KEEP_ALIVE_NANOS) {
                        send(new CommandRequest.Ping(SUBSCRIPTION_ID + 1));
                    }
                }
                send(new CommandRequest.Cancel(SUBSCRIPTION_ID));
            }
        }

        private void onMessage(CommandReply reply, long now, Phases phases, Latency latency, LongAdder delivered,
                LongAdder gaps) {
            if (reply instanceof CommandReply.Delivery delivery) {
                for (io.rewind.api.SubscriptionEvent event : delivery.events()) {
                    if (event.previousPosition() != lastPosition) {
                        gaps.increment();
                    }
                    lastPosition = event.event().position();
                    long sent = ByteBuffer.wrap(event.event().data()).getLong(0);
                    if (phases.measuring(sent)) {
                        latency.record(now - sent);
                    }
                    received.increment();
                    delivered.increment();
                }
                unacknowledgedCredit += delivery.events().size();
                if (unacknowledgedCredit >= CREDIT / 2) {
                    send(new CommandRequest.Credit(SUBSCRIPTION_ID, unacknowledgedCredit));
                    unacknowledgedCredit = 0;
                }
            } else if (reply instanceof CommandReply.Error error) {
                throw new BenchException("a subscription ended: " + error.code() + " " + error.reason()
                        + " (after position " + lastPosition + ", started after " + start + ")");
            }
        }

        private void send(CommandRequest request) {
            dealer.send(Dealer.command(request));
            lastSent = System.nanoTime();
        }
    }
}
