package io.rewind.client;

import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.server.EndpointBindException;
import io.rewind.server.RewindServer;
import io.rewind.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A Rewind server in a JVM of its own, for tests that kill it: serves the log store in
 * {@code args[0]} on {@code tcp://127.0.0.1:<args[1]>}, prints {@code READY <endpoint>} once it
 * listens, and shuts down gracefully when its standard input reaches end of file.
 */
public final class ServerProcessMain {

    /** How long to keep trying a port that the killed predecessor has just released. */
    private static final Duration BIND_DEADLINE = Duration.ofSeconds(20);
    private static final long BIND_RETRY_MILLIS = 50;

    private ServerProcessMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path directory = Path.of(args[0]);
        String endpoint = "tcp://127.0.0.1:" + Integer.parseInt(args[1]);
        try (LogEventStore store = LogEventStore.open(LogConfig.builder(directory).build());
                RewindServer server = startWithRetry(store, endpoint)) {
            System.out.println("READY " + server.commandEndpoint());
            System.out.flush();
            while (System.in.read() != -1) {
                // Standard input only carries the end-of-file that asks for a graceful stop.
            }
        }
    }

    private static RewindServer startWithRetry(LogEventStore store, String endpoint) throws InterruptedException {
        long deadline = System.nanoTime() + BIND_DEADLINE.toNanos();
        while (true) {
            try {
                return RewindServer.start(ServerConfig.builder()
                        .commandEndpoint(endpoint)
                        .streamEndpoint("tcp://127.0.0.1:*")
                        .linger(Duration.ofMillis(100))
                        .build(), store);
            } catch (EndpointBindException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.sleep(BIND_RETRY_MILLIS);
            }
        }
    }
}
