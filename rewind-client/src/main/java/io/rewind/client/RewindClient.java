package io.rewind.client;

import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Connects to a Rewind server and returns it as an {@link EventStore}: the same interface, the same
 * behaviour and the same exceptions as the embedded store.
 *
 * <pre>{@code
 * try (EventStore store = RewindClient.connect(ClientConfig.builder()
 *         .endpoint("tcp://127.0.0.1:9002").build())) {
 *     store.append("order-1", ExpectedVersion.noStream(), EventData.of("OrderPlaced", bytes));
 * }
 * }</pre>
 *
 * The store returned is thread-safe; share one per server in an application. docs/CLIENT.md
 * explains timeouts, subscriptions and every error.
 */
public final class RewindClient {

    private RewindClient() {
    }

    /**
     * Connects and waits until the server answers.
     *
     * @throws StoreUnavailableException if the server does not answer within the connect timeout
     * @throws IllegalArgumentException  if the endpoint is not a ZeroMQ address
     */
    public static EventStore connect(ClientConfig config) {
        Objects.requireNonNull(config, "config");
        return connect(config, Connection.open(config));
    }

    /** As {@link #connect(ClientConfig)}, with the ZeroMQ contexts made by {@code contexts} (tests). */
    static EventStore connect(ClientConfig config, java.util.function.Supplier<org.zeromq.ZMQ.Context> contexts) {
        return connect(config, Connection.open(config, contexts));
    }

    private static EventStore connect(ClientConfig config, Connection connection) {
        try {
            awaitFirstAnswer(connection, config);
        } catch (RuntimeException | Error e) {
            connection.close();
            throw e;
        }
        return new RemoteEventStore(config, connection);
    }

    /** Connects to {@code endpoint} with the default settings; see {@link #connect(ClientConfig)}. */
    public static EventStore connect(String endpoint) {
        return connect(ClientConfig.builder().endpoint(endpoint).build());
    }

    /** Pings until a PONG comes back, again after each lost connection, until the connect timeout. */
    private static void awaitFirstAnswer(Connection connection, ClientConfig config) {
        long deadline = System.nanoTime() + config.connectTimeout().toNanos();
        String lastFailure = "";
        while (true) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                // A CURVE server refuses an unknown key silently: ZeroMQ tells the client nothing.
                String curve = config.serverKey().isEmpty() ? "" : " (with CURVE: check the server's public key, and that"
                        + " the server accepts this client's key " + config.clientKeys().orElseThrow().publicKeyZ85() + ")";
                throw new StoreUnavailableException("no answer from the Rewind server at " + config.endpoint()
                        + " within " + config.connectTimeout().toMillis() + " ms" + lastFailure + curve);
            }
            CompletableFuture<CommandReply> pong = connection.call(CommandRequest.Ping::new);
            try {
                pong.get(remaining, TimeUnit.NANOSECONDS);
                return;
            } catch (TimeoutException e) {
                lastFailure = "";
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof StoreUnavailableException)) {
                    throw e.getCause() instanceof EventStoreException failure ? failure
                            : new StoreUnavailableException("cannot connect to " + config.endpoint(), e.getCause());
                }
                lastFailure = " (" + e.getCause().getMessage() + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreUnavailableException("interrupted while connecting to " + config.endpoint(), e);
            }
        }
    }
}
