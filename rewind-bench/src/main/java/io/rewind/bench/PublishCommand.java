package io.rewind.bench;

import io.rewind.security.CurveCertificate;
import io.rewind.security.CurveKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import org.zeromq.ZContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench publish}: N clients, each a DEALER thread keeping W publish requests in flight
 * against a running server ({@code --server}) or one this command starts in its own process
 * ({@code --serve}, which can count the log's fsyncs); events/s and publish→acknowledge latency
 * (from the send of a request to the receipt of its reply; legacy replies carry no id and are
 * matched oldest first).
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Publish over ZeroMQ to a running server: events/s and publish→acknowledge latency.")
final class PublishCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions run;

    @Option(names = "--server", paramLabel = "ENDPOINT",
            description = "The running server's command endpoint, e.g. tcp://127.0.0.1:9002.")
    String endpoint;

    @Option(names = "--serve", paramLabel = "URI",
            description = "Instead of --server: start a server in this process over this store (log:DIR, memory:,"
                    + " sqlite:FILE, postgresql://…) on 127.0.0.1 and publish to it; for a log store the report adds"
                    + " the mean events per fsync.")
    String serve;

    @Option(names = "--fsync", paramLabel = "MODE", defaultValue = "always",
            description = "With --serve: always, never or interval:MS (default: ${DEFAULT-VALUE}).")
    String fsync;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "1",
            description = "Connections, one thread each (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--window", paramLabel = "W", defaultValue = "1",
            description = "Requests in flight per client (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100",
            description = "Payload bytes per event (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1",
            description = "Events per request, native dialect only (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--dialect", paramLabel = "DIALECT", defaultValue = "native",
            description = "rewind (PUBLISH to the default stream), gorewind (PUBLISH to a stream) or native"
                    + " (APPEND) (default: ${DEFAULT-VALUE}).")
    String dialectName;

    @Option(names = "--server-key", paramLabel = "FILE",
            description = "With --server: the server's CURVE public certificate; connect with CURVE (needs --key).")
    java.nio.file.Path serverKey;

    @Option(names = "--key", paramLabel = "FILE",
            description = "With --server-key: the clients' CURVE secret certificate (mode 600).")
    java.nio.file.Path key;

    @Override
    public Integer call() throws Exception {
        Options.atLeast(spec, "--clients", clients, 1);
        if ((serverKey == null) != (key == null) || (serverKey != null && endpoint == null)) {
            throw new ParameterException(spec.commandLine(), "--server-key and --key go together, with --server");
        }
        CurveKeys serverPublic = null;
        CurveKeys own = null;
        if (serverKey != null) {
            try {
                serverPublic = CurveKeys.ofPublic(CurveCertificate.read(serverKey).keys().publicKey());
                own = CurveCertificate.readSecret(key, "--key").keys();
            } catch (java.io.IOException e) {
                throw new BenchException(e.getMessage(), e);
            }
        }
        Options.between(spec, "--window", window, 1, InFlight.MAX_WINDOW);
        Options.atLeast(spec, "--size", size, 0);
        Options.between(spec, "--batch", batch, 1, io.rewind.api.Limits.MAX_EVENTS_PER_APPEND);
        PublishDialect dialect;
        try {
            dialect = PublishDialect.parse(dialectName);
            dialect.messages("check", new byte[0], batch);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if ((endpoint == null) == (serve == null)) {
            throw new ParameterException(spec.commandLine(), "give exactly one of --server ENDPOINT and --serve URI");
        }
        try (InProcessServer local = serve == null ? null : InProcessServer.start(spec, serve, fsync)) {
            String target = local == null ? endpoint : local.endpoint();
            Report report = new Report("publish").text("server", local == null ? target : "in-process over " + serve)
                    .text("dialect", dialectName).count("clients", clients).count("window", window)
                    .count("batch", batch).count("size", size).text("curve", serverKey == null ? "off" : "on");
            try (ZContext context = new ZContext(1)) {
                List<Dealer> dealers = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    dealers.add(Dealer.connect(context, target, serverPublic, own,
                            dialect == PublishDialect.NATIVE ? Dealer.Answer.PONG : Dealer.Answer.ANY));
                }
                measure(dialect, dealers, report, local == null ? null : local.forces());
            }
            report.print(run.json, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
        return 0;
    }

    private void measure(PublishDialect dialect, List<Dealer> dealers, Report report, ForceCounter forces)
            throws InterruptedException {
        Progress progress = Progress.onTerminal("publish", spec.commandLine().getErr());
        Phases phases = run.begin();
        LongAdder events = new LongAdder();
        Latency latency = new Latency();
        LoadThreads threads = new LoadThreads();
        byte[] payload = new byte[size];
        new Random(42).nextBytes(payload);
        for (int c = 0; c < dealers.size(); c++) {
            Dealer dealer = dealers.get(c);
            PublishDialect.Messages messages = dialect.messages("bench-c" + c, payload, batch);
            InFlight inFlight = dialect.repliesCarryId() ? InFlight.byRequestId(window) : InFlight.oldestFirst(window);
            threads.start("bench-client-" + c,
                    () -> publish(dealer, messages, inFlight, phases, events, latency, threads));
        }
        long before = phases.awaitMeasureStart(progress, events::sum);
        long forcesBefore = forces == null ? 0 : forces.segmentForces();
        long after = phases.awaitEnd(progress, events::sum);
        long forcesAfter = forces == null ? 0 : forces.segmentForces();
        threads.join("a client");
        progress.done();
        double perSecond = (after - before) / phases.seconds();
        report.count("events", after - before).figure("events_per_s", perSecond)
                .figure("mb_per_s", perSecond * size / 1e6);
        Latency.addPercentiles(report, latency.total());
        if (forcesAfter > forcesBefore) {
            report.count("fsyncs", forcesAfter - forcesBefore)
                    .figure("mean_events_per_fsync", (after - before) / (double) (forcesAfter - forcesBefore));
        }
    }

    /** One client's loop: keep the window full until the run is over, then collect the last replies. */
    private static void publish(Dealer dealer, PublishDialect.Messages messages, InFlight inFlight, Phases phases,
            LongAdder events, Latency latency, LoadThreads threads) {
        long lastHeard = System.nanoTime();
        while (!threads.failed()) {
            if (!phases.over(System.nanoTime())) {
                while (inFlight.hasRoom()) {
                    long id = inFlight.start(System.nanoTime());
                    dealer.send(messages.request(id));
                }
            } else if (inFlight.isEmpty()) {
                return;
            }
            List<byte[]> reply = dealer.receive();
            long now = System.nanoTime();
            if (reply == null) {
                if (now - lastHeard > Dealer.SILENCE_LIMIT_NANOS) {
                    throw new BenchException("the server sent no reply for "
                            + Dealer.SILENCE_LIMIT_NANOS / 1_000_000_000L + " s with requests in flight");
                }
                continue;
            }
            lastHeard = now;
            long id = messages.replyTo(reply);
            long sent = id == PublishDialect.Messages.OLDEST ? inFlight.finishOldest() : inFlight.finish(id);
            if (sent < 0) {
                continue; // a reply to no request of ours (e.g. a late PONG): nothing to count
            }
            events.add(messages.eventsPerRequest());
            if (phases.measuring(sent)) {
                latency.record(now - sent);
            }
        }
    }
}
