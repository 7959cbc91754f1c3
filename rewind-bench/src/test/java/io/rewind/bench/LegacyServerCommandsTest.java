package io.rewind.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * {@code bench publish} against servers that speak only a legacy dialect, as the original Python
 * Rewind and GoRewind servers do (../shared/PROTOCOLS.md): they know no PING, and answer it, as any
 * command they do not know, with {@code ERROR Unknown request type}. The stand-in server here is a
 * ROUTER that answers exactly what those documents say the originals answer, and nothing else.
 */
class LegacyServerCommandsTest {

    private LegacyOnlyServer server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void publishInTheRewindDialectDrivesAServerThatKnowsOnlyRewindsCommands() {
        server = LegacyOnlyServer.start(false);

        BenchRun run = BenchRun.of("publish", "--server", server.endpoint, "--dialect", "rewind", "--clients", "2",
                "--window", "4", "--duration", "1", "--warmup", "0", "--json").succeededWithJson();

        run.hasPositive("events_per_s", "p50_us");
        assertThat(server.published.get()).as("PUBLISH requests the server answered")
                .isGreaterThanOrEqualTo((long) run.number("events"));
        assertThat(server.unknown.get()).as("the PINGs of the connection checks, one per client").isEqualTo(2);
    }

    @Test
    void publishInTheGoRewindDialectDrivesAServerThatKnowsOnlyGoRewindsCommands() {
        server = LegacyOnlyServer.start(true);

        BenchRun run = BenchRun.of("publish", "--server", server.endpoint, "--dialect", "gorewind", "--clients", "2",
                "--window", "4", "--duration", "1", "--warmup", "0", "--json").succeededWithJson();

        run.hasPositive("events_per_s", "p50_us");
        assertThat(server.published.get()).isGreaterThanOrEqualTo((long) run.number("events"));
        assertThat(server.unknown.get()).isEqualTo(2);
    }

    @Test
    void rewindsOwnCommandsAgainstAServerThatDoesNotKnowThemFailWithAClearMessage() {
        server = LegacyOnlyServer.start(false);

        BenchRun run = BenchRun.of("publish", "--server", server.endpoint, "--dialect", "native", "--clients", "1",
                "--window", "1", "--duration", "1", "--warmup", "0");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("answered PING with", "ERROR Unknown request type",
                "--dialect rewind or gorewind");
        assertThat(server.published.get()).isZero();
    }

    /**
     * A server of one legacy dialect on 127.0.0.1: Rewind's (REQ envelopes, replies after the empty
     * delimiter, PUBLISH answered {@code PUBLISHED}) or GoRewind's (replies without the delimiter,
     * PUBLISH answered {@code PUBLISHED, id}). Everything else is an unknown request type.
     */
    private static final class LegacyOnlyServer {
        final AtomicLong published = new AtomicLong();
        final AtomicLong unknown = new AtomicLong();
        final String endpoint;
        private final ZContext context = new ZContext(1);
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        private LegacyOnlyServer(boolean goRewind) {
            ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
            router.setLinger(0);
            router.setReceiveTimeOut(100);
            router.bind("tcp://127.0.0.1:*");
            endpoint = router.getLastEndpoint();
            thread = new Thread(() -> serve(router, goRewind), "legacy-only-server");
            thread.start();
        }

        static LegacyOnlyServer start(boolean goRewind) {
            return new LegacyOnlyServer(goRewind);
        }

        private void serve(ZMQ.Socket router, boolean goRewind) {
            while (running.get()) {
                byte[] identity = router.recv(0);
                if (identity == null) {
                    continue;
                }
                List<byte[]> frames = new ArrayList<>();
                while (router.hasReceiveMore()) {
                    frames.add(router.recv(0));
                }
                // The envelope ends at the empty delimiter, which both dialects' clients send.
                List<byte[]> body = frames.isEmpty() || frames.get(0).length != 0 ? frames
                        : frames.subList(1, frames.size());
                String command = body.isEmpty() ? "" : new String(body.get(0), StandardCharsets.US_ASCII);
                List<String> reply;
                if (command.equals("PUBLISH") && body.size() == (goRewind ? 3 : 2)) {
                    published.incrementAndGet();
                    reply = goRewind ? List.of("PUBLISHED", UUID.randomUUID().toString()) : List.of("PUBLISHED");
                } else {
                    unknown.incrementAndGet();
                    reply = List.of("ERROR Unknown request type");
                }
                router.sendMore(identity);
                if (!goRewind) {
                    router.sendMore(new byte[0]);
                }
                for (int i = 0; i < reply.size(); i++) {
                    router.send(reply.get(i).getBytes(StandardCharsets.US_ASCII), i < reply.size() - 1 ? ZMQ.SNDMORE : 0);
                }
            }
            router.close();
        }

        void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
            context.close();
        }
    }
}
