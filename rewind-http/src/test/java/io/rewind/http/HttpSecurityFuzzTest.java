package io.rewind.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With TLS and tokens on, 10,000 malformed handshakes and requests from unauthenticated peers
 * (garbage and truncated TLS ClientHellos on raw sockets, and HTTPS requests with bad, truncated,
 * oversized or absent tokens) while an authenticated client keeps appending and reading: every
 * bad request is refused (401, 400 or a closed connection), the authenticated client is answered
 * throughout, and the whole run ends within its deadline. Seeded: a failure can be replayed.
 */
class HttpSecurityFuzzTest {

    private static final int HANDSHAKES = 5_000;
    private static final int REQUESTS = 5_000;
    private static final long SEED = 20261202L;
    private static final long DEADLINE_SECONDS = 240;

    @TempDir
    Path temp;

    @Test
    void tenThousandMalformedHandshakesAndRequestsWhileAnAuthenticatedClientIsServed() throws Exception {
        TestCertificates certificates = TestCertificates.create(temp);
        try (SecuredServer http = new SecuredServer(temp, certificates)) {
            String adminToken = http.tokens.get("admin");
            AtomicBoolean fuzzing = new AtomicBoolean(true);
            AtomicLong served = new AtomicLong();
            ExecutorService threads = Executors.newFixedThreadPool(3);
            Future<?> authenticated = threads.submit(() -> {
                while (fuzzing.get()) {
                    SecuredServer.Answer append = http.send("POST", "/api/streams/orders-fuzz/events",
                            "{\"events\":[{\"type\":\"Tick\",\"data\":{\"n\":" + served.get() + "}}]}", adminToken);
                    assertThat(append.status()).as(append.body()).isEqualTo(200);
                    SecuredServer.Answer read = http.send("GET", "/api/streams/orders-fuzz?x", null, adminToken);
                    assertThat(read.status()).as("a bad parameter is still a 400 for a good token").isEqualTo(400);
                    served.incrementAndGet();
                }
                return null;
            });
            long started = System.nanoTime();
            Future<Long> handshakes = threads.submit(() -> garbageHandshakes(http.server.port(), new Random(SEED)));
            Future<Long> requests = threads.submit(() -> badTokenRequests(http, new Random(SEED + 1)));
            long refusedHandshakes = handshakes.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
            long refusedRequests = requests.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
            fuzzing.set(false);
            authenticated.get(60, TimeUnit.SECONDS);
            threads.shutdown();
            assertThat(refusedHandshakes + refusedRequests).isGreaterThanOrEqualTo(HANDSHAKES + REQUESTS);
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(DEADLINE_SECONDS);
            assertThat(served.get()).as("authenticated round trips during the fuzzing").isGreaterThan(0);
            assertThat(http.store.streamInfo("orders-fuzz").orElseThrow().headVersion() + 1).isEqualTo(served.get());
            assertThat(http.store.headPosition() + 1).as("nothing but the authenticated appends is stored")
                    .isEqualTo(served.get());
        }
    }

    /** Raw TCP: random bytes, and ClientHello-like records cut short or corrupted; the server must close them. */
    private static long garbageHandshakes(int port, Random random) throws IOException {
        long closed = 0;
        for (int i = 0; i < HANDSHAKES; i++) {
            byte[] garbage;
            switch (i % 3) {
                case 0 -> {
                    garbage = new byte[1 + random.nextInt(600)];
                    random.nextBytes(garbage);
                }
                case 1 -> {
                    // A TLS handshake record header (content type 22, version 3.1) with a random body.
                    garbage = new byte[5 + random.nextInt(300)];
                    random.nextBytes(garbage);
                    garbage[0] = 0x16;
                    garbage[1] = 0x03;
                    garbage[2] = 0x01;
                    int length = garbage.length - 5;
                    garbage[3] = (byte) (length >> 8);
                    garbage[4] = (byte) length;
                    garbage[5 % garbage.length] = 0x01;
                }
                default -> garbage = "GET /api/head HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            }
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(garbage);
                out.flush();
                socket.shutdownOutput();
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[4096];
                long answered = 0;
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    answered += n;
                    assertThat(answered).as("the server answers garbage briefly (a TLS alert at most)").isLessThan(4096);
                    assertThat(new String(buffer, 0, n, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.1 200");
                }
            } catch (java.net.SocketException e) {
                // a reset is as good as a close
            }
            closed++;
        }
        return closed;
    }

    /** HTTPS requests, each with a bad credential or none, to protected routes: all 401 (or 400 for a header Jetty refuses). */
    private static long badTokenRequests(SecuredServer http, Random random) {
        String[] targets = {"/api/head", "/api/all/events", "/api/streams", "/api/streams/orders-fuzz/events",
            "/metrics", "/api/feed?from=start"};
        String valid = http.tokens.get("orders");
        long refused = 0;
        for (int i = 0; i < REQUESTS; i++) {
            String token = switch (i % 6) {
                case 0 -> null;
                case 1 -> valid.substring(0, random.nextInt(valid.length()));
                case 2 -> valid.substring(0, valid.length() - 1) + (valid.endsWith("A") ? "B" : "A");
                case 3 -> randomText(random, 1 + random.nextInt(200));
                case 4 -> "rwt_" + randomText(random, 12) + "_" + randomText(random, 43);
                default -> "x".repeat(2000 + random.nextInt(6000));
            };
            String target = targets[random.nextInt(targets.length)];
            boolean post = target.startsWith("/api/streams/") && random.nextBoolean();
            SecuredServer.Answer answer = http.send(post ? "POST" : "GET", target,
                    post ? "{\"events\":[{\"type\":\"Evil\",\"data\":1}]}" : null, token == null ? null : token.strip());
            assertThat(answer.status()).as("request " + i + " to " + target).isIn(400, 401, 431);
            refused++;
        }
        return refused;
    }

    private static String randomText(Random random, int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=+/ ";
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
