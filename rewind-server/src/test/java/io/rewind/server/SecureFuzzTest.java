package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.security.CurveKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;

/**
 * 10,000 malformed handshakes and requests from unauthenticated peers against a CURVE server (raw
 * TCP connections sending random bytes, ZMTP greetings that offer the wrong mechanism or follow a
 * CURVE greeting with garbage, and ZeroMQ clients with unknown keys sending requests) while an
 * authenticated client keeps being answered, every request within its receive timeout; nothing the
 * unauthenticated peers sent is stored.
 */
class SecureFuzzTest {

    private static final int ATTEMPTS = 10_000;
    private static final int FUZZERS = 2;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void unauthenticatedGarbageNeverStopsTheServerServingAuthenticatedClients() throws Exception {
        try (SecureTestServer secure = new SecureTestServer(dir, "writer read:fuzz-* write:fuzz-*\n")) {
            int port = Integer.parseInt(secure.server.commandEndpoint().substring(
                    secure.server.commandEndpoint().lastIndexOf(':') + 1));
            AtomicInteger attempts = new AtomicInteger();
            AtomicBoolean done = new AtomicBoolean();
            ExecutorService threads = Executors.newFixedThreadPool(FUZZERS);
            List<Future<?>> fuzzers = new ArrayList<>();
            for (int f = 0; f < FUZZERS; f++) {
                long seed = 20_261_202L + f;
                fuzzers.add(threads.submit(() -> {
                    fuzz(secure, port, new Random(seed), attempts);
                    return null;
                }));
            }
            CommandClient client = new CommandClient(secure.dealer("writer"));
            int answered = 0;
            try {
                while (!done.get()) {
                    client.call(CommandRequest.Ping::new, CommandReply.Pong.class);
                    client.dealer.sendText("", "PUBLISH", "fuzz-ok", "served " + answered);
                    assertThat(client.dealer.receiveText()).first().isEqualTo("PUBLISHED");
                    answered++;
                    done.set(fuzzers.stream().allMatch(Future::isDone));
                }
                for (Future<?> fuzzer : fuzzers) {
                    fuzzer.get();
                }
            } finally {
                threads.shutdownNow();
            }
            assertThat(attempts.get()).isGreaterThanOrEqualTo(ATTEMPTS);
            assertThat(answered).as("the authenticated client was served throughout").isPositive();
            assertThat(secure.store.listStreams("", null, 10).streams()).extracting(s -> s.stream())
                    .as("only the authenticated client's stream was written").containsExactly("fuzz-ok");
            client.call(CommandRequest.Ping::new, CommandReply.Pong.class);
        }
    }

    private static void fuzz(SecureTestServer secure, int port, Random random, AtomicInteger attempts)
            throws IOException {
        while (attempts.get() < ATTEMPTS) {
            int kind = random.nextInt(100);
            if (kind < 2) {
                unknownKeyClient(secure, random);
                attempts.addAndGet(5);
            } else {
                rawConnection(port, random, kind);
                attempts.incrementAndGet();
            }
        }
    }

    /** A ZeroMQ client with a key the server does not know, sending a few requests it never gets answered. */
    private static void unknownKeyClient(SecureTestServer secure, Random random) {
        TestClient stranger = secure.client(SocketType.DEALER, secure.server.commandEndpoint(), CurveKeys.generate(), 1);
        for (int i = 0; i < 5; i++) {
            stranger.sendText("", "PUBLISH", "fuzz-stranger", "garbage " + random.nextInt());
        }
        stranger.socket.close();
    }

    /** One raw TCP connection: random bytes, or a ZMTP 3.0 greeting followed by garbage. */
    private static void rawConnection(int port, Random random, int kind) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoLinger(true, 0);
            OutputStream out = socket.getOutputStream();
            if (kind < 40) {
                byte[] junk = new byte[1 + random.nextInt(128)];
                random.nextBytes(junk);
                out.write(junk);
            } else {
                out.write(greeting(kind < 70 ? "CURVE" : random.nextBoolean() ? "NULL" : "PLAIN"));
                byte[] command = new byte[2 + random.nextInt(200)];
                random.nextBytes(command);
                command[0] = 0x04; // a short command frame: a HELLO (or not) with random content
                command[1] = (byte) (command.length - 2);
                if (random.nextBoolean() && command.length > 8) {
                    System.arraycopy(new byte[] {5, 'H', 'E', 'L', 'L', 'O'}, 0, command, 2, 6);
                }
                out.write(command);
            }
            out.flush();
        } catch (java.net.SocketException e) {
            // The server may reset a connection it refuses before the write completes: that is the point.
        }
    }

    /** A ZMTP 3.0 greeting: signature, version 3.0, a mechanism name, as-server 0, filler. */
    private static byte[] greeting(String mechanism) {
        byte[] greeting = new byte[64];
        greeting[0] = (byte) 0xFF;
        greeting[9] = 0x7F;
        greeting[10] = 3;
        greeting[11] = 0;
        byte[] name = mechanism.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, greeting, 12, name.length);
        return greeting;
    }
}
