package io.rewind.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.memory.MemoryEventStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.zeromq.ZMQ;

/**
 * A client whose ZeroMQ context stops making connections (its I/O thread never runs: what a
 * client's JeroMQ context was seen to do once in ClusterKillTest) gets going again from a new
 * context, with one endpoint or several, and a healthy client never replaces its context.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ContextRenewalTest {

    /**
     * Longer than the client's 1 s ZeroMQ handshake interval: a healthy connection whose handshake
     * stalled once (JeroMQ; torn down and made again by the socket) still answers within it on a
     * loaded machine, so only the wedged context counts as silent.
     */
    private static final Duration HEARTBEAT_TIMEOUT = Duration.ofMillis(2000);

    @ParameterizedTest(name = "{0} endpoint(s)")
    @ValueSource(ints = {1, 2})
    void aClientWhoseContextMakesNoConnectionsConnectsFromANewOne(int endpoints) throws Exception {
        MemoryEventStore shared = MemoryEventStore.create();
        List<InProcessServer> servers = new ArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger made = new AtomicInteger();
        // The first context's threads (I/O and reaper) wait until the end of the test: its sockets
        // never connect, never send, never receive. Every later context is an ordinary one.
        Supplier<ZMQ.Context> contexts = () -> {
            ZMQ.Context context = ZMQ.context(1);
            if (made.getAndIncrement() == 0) {
                context.setThreadFactor((runnable, name) -> new Thread(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    runnable.run();
                }, name));
            }
            return context;
        };
        try {
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < endpoints; i++) {
                InProcessServer server = InProcessServer.start(shared, settings -> settings);
                servers.add(server);
                addresses.add(server.endpoint());
            }
            ClientConfig config = ClientConfig.builder().endpoints(addresses)
                    .heartbeat(Duration.ofMillis(200), HEARTBEAT_TIMEOUT)
                    .connectTimeout(Duration.ofSeconds(30)).build();
            long started = System.nanoTime();
            try (EventStore client = RewindClient.connect(config, contexts)) {
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                Connection connection = ((RemoteEventStore) client).connection();
                assertThat(connection.contextRenewals()).as("contexts replaced").isEqualTo(1);
                assertThat(made.get()).isEqualTo(2);
                // Not before every endpoint was tried (at least three heartbeat timeouts).
                assertThat(tookMillis).as("ms until connected").isGreaterThanOrEqualTo(
                        HEARTBEAT_TIMEOUT.multipliedBy(3).toMillis() - 100);
                UUID id = UUID.randomUUID();
                AppendResult result = appendRetrying(client, id);
                assertThat(client.readEvent(id)).hasValueSatisfying(event -> assertThat(event.position())
                        .isEqualTo(result.firstPosition()));
                assertThat(connection.contextRenewals()).isEqualTo(1);
            }
        } finally {
            release.countDown();
            servers.forEach(InProcessServer::close);
            shared.close();
        }
    }

    @Test
    void aHealthyClientKeepsItsContextThroughAMoveToAnotherEndpoint() {
        MemoryEventStore shared = MemoryEventStore.create();
        InProcessServer first = InProcessServer.start(shared, settings -> settings);
        InProcessServer second = InProcessServer.start(shared, settings -> settings);
        try (EventStore client = RewindClient.connect(ClientConfig.builder()
                .endpoints(List.of(first.endpoint(), second.endpoint()))
                .heartbeat(Duration.ofMillis(200), HEARTBEAT_TIMEOUT).build())) {
            appendRetrying(client, UUID.randomUUID());
            first.server.close();
            appendRetrying(client, UUID.randomUUID());
            assertThat(((RemoteEventStore) client).connection().contextRenewals()).isZero();
        } finally {
            second.close();
            first.close();
            shared.close();
        }
    }

    /** Appends one event, retrying (same id) an outcome the client could not know, for at most 30 s. */
    private static AppendResult appendRetrying(EventStore client, UUID id) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        EventStoreException last = null;
        while (System.nanoTime() < deadline) {
            try {
                return client.append("renewal", ExpectedVersion.any(),
                        EventData.of(id, "t", "e".getBytes(StandardCharsets.UTF_8)));
            } catch (EventStoreException e) {
                last = e;
            }
        }
        throw new AssertionError("no append acknowledged within 30 s; last failure: " + last, last);
    }
}
