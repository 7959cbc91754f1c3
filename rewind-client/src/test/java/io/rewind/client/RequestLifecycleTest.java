package io.rewind.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.testkit.Await;
import io.rewind.testkit.TestEvents;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What happens to a request when the server does not answer: the connect timeout, the request
 * timeout, a connection lost with requests in flight, and the client closed under them. The server
 * is scripted to answer PING and nothing else.
 */
class RequestLifecycleTest {

    @Test
    void connectFailsWithinItsTimeoutWhenNothingListens() {
        String endpoint = "tcp://127.0.0.1:" + ServerProcess.freePort();
        long started = System.nanoTime();

        Throwable failure = catchThrowable(() -> RewindClient.connect(ClientConfig.builder()
                .endpoint(endpoint).connectTimeout(Duration.ofMillis(300)).build()));

        assertThat(failure).isExactlyInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining(endpoint).hasMessageContaining("300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aRequestWithoutReplyFailsAfterTheRequestTimeoutNamingTheEndpoint() {
        try (ScriptedServer server = ScriptedServer.start(RequestLifecycleTest::answerOnlyPing);
                EventStore client = connect(server, Duration.ofMillis(300))) {
            long started = System.nanoTime();

            Throwable read = catchThrowable(client::headPosition);
            Throwable append = catchThrowable(() -> client.append("s", ExpectedVersion.any(), TestEvents.event("e")));

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
            assertThat(read).isExactlyInstanceOf(StoreUnavailableException.class)
                    .hasMessage("no reply from " + server.endpoint() + " to HEAD within 300 ms");
            assertThat(append).isExactlyInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("to APPEND within 300 ms")
                    .hasMessageContaining("retry it with the same event ids");
        }
    }

    @Test
    void requestsInFlightFailAtOnceWhenTheConnectionIsLost() {
        ScriptedServer server = ScriptedServer.start(RequestLifecycleTest::answerOnlyPing);
        try (EventStore client = connect(server, Duration.ofMinutes(2))) {
            CompletableFuture<Long> head = CompletableFuture.supplyAsync(client::headPosition);
            Await.until(() -> !server.received(CommandRequest.Head.class).isEmpty(), "the server has the request");

            server.close();

            Throwable failure = catchThrowable(() -> head.get(30, TimeUnit.SECONDS));
            assertThat(failure).hasCauseExactlyInstanceOf(StoreUnavailableException.class);
            assertThat(failure.getCause()).hasMessageContaining("lost the connection to " + server.endpoint())
                    .hasMessageContaining("HEAD");
        } finally {
            server.close();
        }
    }

    @Test
    void closingTheClientFailsRequestsInFlightWithStoreClosed() {
        try (ScriptedServer server = ScriptedServer.start(RequestLifecycleTest::answerOnlyPing)) {
            EventStore client = connect(server, Duration.ofMinutes(2));
            CompletableFuture<Long> head = CompletableFuture.supplyAsync(client::headPosition);
            Await.until(() -> !server.received(CommandRequest.Head.class).isEmpty(), "the server has the request");

            client.close();

            Throwable failure = catchThrowable(() -> head.get(30, TimeUnit.SECONDS));
            assertThat(failure).hasCauseExactlyInstanceOf(StoreClosedException.class);
            assertThat(catchThrowable(client::headPosition)).isExactlyInstanceOf(StoreClosedException.class);
        }
    }

    private static void answerOnlyPing(ScriptedServer.Peer peer, CommandRequest request) {
        if (request instanceof CommandRequest.Ping ping) {
            peer.reply(new CommandReply.Pong(ping.requestId()));
        }
    }

    private static EventStore connect(ScriptedServer server, Duration requestTimeout) {
        return RewindClient.connect(ClientConfig.builder().endpoint(server.endpoint())
                .requestTimeout(requestTimeout).build());
    }
}
