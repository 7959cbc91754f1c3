package io.rewind.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench http-append}: N keep-alive HTTP/1.1 connections (a thread and a client each, one
 * request in flight per connection, as HTTP/1.1 allows) appending batches of B events to their own
 * stream through {@code POST /api/streams/{stream}/events}; events/s and request→response latency,
 * to compare with {@code bench publish --dialect native} at the same batch.
 */
@Command(name = "http-append", mixinStandardHelpOptions = true,
        description = "Append over the HTTP API of a running server: events/s and request→response latency.")
final class HttpAppendCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions run;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:9004",
            description = "The server's HTTP endpoint (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "16",
            description = "Keep-alive connections, one thread each (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1",
            description = "Events per request (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100",
            description = "Payload bytes per event, sent in base64 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "For an https:// URL: the PEM certificate to trust (the server's, or its CA's).")
    java.nio.file.Path caCertificate;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "A file holding the bearer token to send (from 'rewind tokens add'; not on the command line,"
                    + " where ps would show it).")
    java.nio.file.Path tokenFile;

    private javax.net.ssl.SSLContext tls;
    private String authorization;

    @Override
    public Integer call() throws Exception {
        if (caCertificate != null) {
            tls = trusting(caCertificate);
        }
        if (tokenFile != null) {
            authorization = "Bearer " + java.nio.file.Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        }
        Options.atLeast(spec, "--connections", connections, 1);
        Options.between(spec, "--batch", batch, 1, io.rewind.api.Limits.MAX_EVENTS_PER_APPEND);
        Options.atLeast(spec, "--size", size, 0);
        Report report = new Report("http-append").text("url", url).count("connections", connections)
                .count("batch", batch).count("size", size);
        byte[] payload = new byte[size];
        new Random(42).nextBytes(payload);
        String event = "{\"type\":\"bench\",\"data_base64\":\"" + Base64.getEncoder().encodeToString(payload) + "\"}";
        StringBuilder body = new StringBuilder("{\"events\":[");
        for (int i = 0; i < batch; i++) {
            body.append(i == 0 ? "" : ",").append(event);
        }
        byte[] request = body.append("]}").toString().getBytes(StandardCharsets.UTF_8);

        Progress progress = Progress.onTerminal("http-append", spec.commandLine().getErr());
        Phases phases = run.begin();
        LongAdder events = new LongAdder();
        Latency latency = new Latency();
        LoadThreads threads = new LoadThreads();
        for (int c = 0; c < connections; c++) {
            URI target = URI.create(url + "/api/streams/bench-http-" + c + "/events");
            threads.start("bench-http-" + c, () -> append(target, request, phases, events, latency, threads));
        }
        long before = phases.awaitMeasureStart(progress, events::sum);
        long after = phases.awaitEnd(progress, events::sum);
        threads.join("a connection");
        progress.done();
        double perSecond = (after - before) / phases.seconds();
        report.count("events", after - before).figure("events_per_s", perSecond)
                .figure("mb_per_s", perSecond * size / 1e6);
        Latency.addPercentiles(report, latency.total());
        report.print(run.json, spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }

    /** An SSL context that trusts exactly the certificates of a PEM file. */
    private static javax.net.ssl.SSLContext trusting(java.nio.file.Path pem) {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(pem)) {
            java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            int i = 0;
            for (java.security.cert.Certificate certificate : java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + i++, certificate);
            }
            javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new BenchException("--cacert: cannot read " + pem + " as PEM certificates: " + e.getMessage());
        }
    }

    private void append(URI target, byte[] body, Phases phases, LongAdder events, Latency latency, LoadThreads threads) {
        HttpClient.Builder clientBuilder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10));
        if (tls != null) {
            clientBuilder.sslContext(tls);
        }
        HttpClient client = clientBuilder.build();
        HttpRequest.Builder requestBuilder = HttpRequest.newBuilder(target).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            requestBuilder.header("Authorization", authorization);
        }
        HttpRequest request = requestBuilder.build();
        while (!threads.failed()) {
            long sent = System.nanoTime();
            if (phases.over(sent)) {
                return;
            }
            HttpResponse<Void> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.discarding());
            } catch (java.io.IOException e) {
                throw new BenchException("HTTP append to " + target + " failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (response.statusCode() != 200) {
                throw new BenchException("HTTP append to " + target + " answered " + response.statusCode());
            }
            long now = System.nanoTime();
            events.add(batch);
            if (phases.measuring(sent)) {
                latency.record(now - sent);
            }
        }
    }
}
