package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.memory.MemoryEventStore;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.testkit.Await;
import io.rewind.testkit.ForwardingEventStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

class ServerLifecycleTest {

    @Test
    void reportsTheRealPortsOfWildcardEndpoints() {
        try (TestServer server = TestServer.start()) {
            assertThat(server.server.commandEndpoint()).matches("tcp://127\\.0\\.0\\.1:\\d+");
            assertThat(server.server.commandEndpoint()).doesNotEndWith(":0");
            assertThat(server.server.streamEndpoint()).isNotEqualTo(server.server.commandEndpoint());
            assertThat(server.server.legacyStreamEndpoint()).isPresent();
        }
    }

    @Test
    void legacyStreamIsOffUnlessConfigured() {
        try (MemoryEventStore store = MemoryEventStore.create();
                RewindServer server = RewindServer.start(ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*")
                        .streamEndpoint("tcp://127.0.0.1:*").build(), store)) {
            assertThat(server.legacyStreamEndpoint()).isEmpty();
        }
    }

    @Test
    void anEndpointInUseFailsWithAClearOneLineErrorAndLeavesNothingBehind() {
        try (ZContext context = new ZContext(1); MemoryEventStore store = MemoryEventStore.create()) {
            ZMQ.Socket squatter = context.createSocket(SocketType.REP);
            squatter.bind("tcp://127.0.0.1:*");
            String taken = squatter.getLastEndpoint();
            ServerConfig config = ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*").streamEndpoint(taken)
                    .build();
            assertThatThrownBy(() -> RewindServer.start(config, store))
                    .isInstanceOf(EndpointBindException.class)
                    .hasMessage("cannot bind the stream endpoint " + taken
                            + ": address already in use, or not an address of this machine")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            assertThatThrownBy(() -> RewindServer.start(ServerConfig.builder().commandEndpoint("nonsense://x")
                    .streamEndpoint("tcp://127.0.0.1:*").build(), store))
                    .isInstanceOf(EndpointBindException.class)
                    .hasMessageStartingWith("cannot bind the command endpoint nonsense://x: unsupported transport");
        }
    }

    @Test
    void closeAnswersAppendsInFlightAndLeavesTheStoreOpen() throws Exception {
        CountDownLatch reachedStore = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        MemoryEventStore memory = MemoryEventStore.create();
        EventStore held = new HoldingStore(memory, reachedStore, release);
        ServerConfig config = ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*")
                .streamEndpoint("tcp://127.0.0.1:*").linger(Duration.ofSeconds(2)).build();
        RewindServer server = RewindServer.start(config, held);
        try (ZContext context = new ZContext(1)) {
            TestClient client = appendHeld(context, server, reachedStore);
            Thread closer = new Thread(server::close);
            closer.start();
            release.countDown();
            closer.join(30_000);
            assertThat(closer.isAlive()).isFalse();
            assertThat(client.receiveReply()).isInstanceOf(CommandReply.Appended.class);
        }
        assertThat(memory.readAll(0, Direction.FORWARD, 10)).hasSize(1);
        memory.append("s", ExpectedVersion.any(), EventData.of("t", new byte[0]));
        memory.close();
    }

    /**
     * While the server closes and waits for an append in flight, a request that arrives stays unread
     * and the socket thread keeps sleeping in its poll: it used to poll the ROUTER still, which
     * reported the unread request at once on every poll, so the thread spun until the last answer.
     * Two poll timeouts after the request was sent show it slept (a spinning poll never times out).
     */
    @Test
    void aRequestArrivingWhileTheServerFinishesStaysUnreadAndTheSocketThreadSleeps() throws Exception {
        CountDownLatch reachedStore = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        MemoryEventStore memory = MemoryEventStore.create();
        ServerConfig config = ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*")
                .streamEndpoint("tcp://127.0.0.1:*").shutdownTimeout(Duration.ofSeconds(60)).build();
        RewindServer server = RewindServer.start(config, new HoldingStore(memory, reachedStore, release));
        Thread closer = new Thread(server::close);
        try (ZContext context = new ZContext(1)) {
            TestClient client = appendHeld(context, server, reachedStore);
            closer.start();
            Await.until(server::loopDraining, "the socket thread finishes what is in flight");
            long idleBefore = server.loopCounters().idlePolls();
            client.sendCommand(new CommandRequest.Append(2,
                    AppendRequest.to("s", ExpectedVersion.any(), EventData.of("t", new byte[] {2}))));
            long timeoutsAtSend = server.loopCounters().timeouts();
            Await.until(() -> server.loopCounters().timeouts() >= timeoutsAtSend + 2, Duration.ofSeconds(30),
                    () -> "two poll timeouts after the second request was sent (" + server.loopCounters() + ")");
            assertThat(server.loopCounters().idlePolls()).as("polls that returned for nothing while finishing (%s)",
                    server.loopCounters()).isEqualTo(idleBefore);
            release.countDown();
            closer.join(30_000);
            assertThat(closer.isAlive()).isFalse();
            CommandReply reply = client.receiveReply();
            assertThat(reply).isInstanceOf(CommandReply.Appended.class);
            assertThat(((CommandReply.Appended) reply).requestId()).isEqualTo(1);
        } finally {
            release.countDown();
            if (closer.isAlive()) {
                closer.join(30_000);
            } else if (closer.getState() == Thread.State.NEW) {
                server.close();
            }
        }
        assertThat(memory.readAll(0, Direction.FORWARD, 10)).as("the request sent while closing was not served")
                .hasSize(1);
        memory.close();
    }

    /** Connects a client and sends an append (request 1) that the store holds; returns once it is held. */
    private static TestClient appendHeld(ZContext context, RewindServer server, CountDownLatch reachedStore)
            throws InterruptedException {
        ZMQ.Socket socket = context.createSocket(SocketType.DEALER);
        socket.setReceiveTimeOut(TestServer.RECEIVE_TIMEOUT_MS);
        socket.setHandshakeIvl(TestServer.HANDSHAKE_INTERVAL_MS);
        socket.connect(server.commandEndpoint());
        TestClient client = new TestClient(socket);
        client.sendCommand(new CommandRequest.Append(1,
                AppendRequest.to("s", ExpectedVersion.any(), EventData.of("t", new byte[] {1}))));
        assertThat(reachedStore.await(10, TimeUnit.SECONDS)).isTrue();
        return client;
    }

    /** A real store whose appends wait for a latch, to hold one in flight. */
    private static final class HoldingStore extends ForwardingEventStore {
        private final CountDownLatch reached;
        private final CountDownLatch release;

        HoldingStore(EventStore store, CountDownLatch reached, CountDownLatch release) {
            super(store);
            this.reached = reached;
            this.release = release;
        }

        @Override
        public CompletableFuture<AppendResult> appendAsync(AppendRequest request) {
            reached.countDown();
            return CompletableFuture.runAsync(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).thenCompose(ignored -> delegate().appendAsync(request));
        }
    }
}
