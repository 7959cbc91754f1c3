package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the real log with fsync=always: while the fsync of a PUBLISH's batch has not returned, the
 * publisher gets no PUBLISHED and no SUB socket sees the event; once it returns, both happen.
 */
class DurableBeforeBroadcastTest {

    /** How long the test watches for an early reply or broadcast while the fsync is held. */
    private static final int WATCH_MS = 500;

    @TempDir
    Path directory;

    @Test
    void anEventIsAcknowledgedAndBroadcastOnlyAfterItsFsync() throws Exception {
        HeldForceFileIO files = new HeldForceFileIO();
        LogEventStore store = LogEventStore.open(LogConfig.builder(directory).fileIO(files).build());
        try (TestServer server = TestServer.start(store, b -> b)) {
            TestClient sub = server.sub(server.server.streamEndpoint(), "held-");
            awaitSubscribed(server, sub);

            files.holdNextForce();
            TestClient publisher = server.dealer();
            publisher.sendDelimited(TestClient.texts("PUBLISH", "held-stream", "not yet durable"));
            assertThat(files.awaitForceEntered(10_000)).as("the writer reached the fsync").isTrue();

            publisher.socket.setReceiveTimeOut(WATCH_MS);
            sub.socket.setReceiveTimeOut(WATCH_MS);
            assertThat(publisher.receiveOrNull()).as("PUBLISHED before the fsync returned").isNull();
            assertThat(receiveSkippingProbes(sub)).as("broadcast before the fsync returned").isNull();

            files.release();
            publisher.socket.setReceiveTimeOut(TestServer.RECEIVE_TIMEOUT_MS);
            sub.socket.setReceiveTimeOut(TestServer.RECEIVE_TIMEOUT_MS);
            List<String> reply = publisher.receiveText();
            assertThat(reply.get(0)).isEqualTo("PUBLISHED");
            List<byte[]> broadcast = receiveSkippingProbes(sub);
            assertThat(broadcast).as("the broadcast after the fsync").isNotNull();
            assertThat(new String(broadcast.get(0), StandardCharsets.UTF_8)).isEqualTo("held-stream");
            assertThat(new String(broadcast.get(1), StandardCharsets.US_ASCII)).isEqualTo(reply.get(1));
            assertThat(new String(broadcast.get(2), StandardCharsets.UTF_8)).isEqualTo("not yet durable");
        }
    }

    /**
     * The next broadcast that is not a probe of {@link #awaitSubscribed} (one may still arrive after
     * its drain on a loaded machine), or null when the socket's receive timeout passes without one.
     */
    private static List<byte[]> receiveSkippingProbes(TestClient sub) {
        List<byte[]> message;
        do {
            message = sub.receiveOrNull();
        } while (message != null && new String(message.get(0), StandardCharsets.UTF_8).equals("held-probe"));
        return message;
    }

    /** SUB sockets join late: append probes until one is broadcast, then drain the rest. */
    private static void awaitSubscribed(TestServer server, TestClient sub) {
        sub.socket.setReceiveTimeOut(50);
        boolean seen = false;
        for (int i = 0; i < 200 && !seen; i++) {
            server.store.append("held-probe", ExpectedVersion.any(), EventData.of("probe", new byte[0]));
            seen = sub.receiveOrNull() != null;
        }
        assertThat(seen).as("the SUB socket received a probe").isTrue();
        while (sub.receiveOrNull() != null) {
            // drain the probes still in flight
        }
    }
}
