package io.rewind.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.EventStore;
import io.rewind.api.Limits;
import io.rewind.api.RecordedEvent;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionRequest;
import io.rewind.testkit.RecordingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subscriptions through a real server process that is SIGKILLed and restarted on the same port
 * and log directory while writers append: the consumer must see every acknowledged event exactly
 * once, in global order, with an unbroken chain of previous positions, and its subscription must
 * never end (an outage is not a reason to call onClose).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ServerKillTest {

    private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path directory;

    private int port;
    private ServerProcess server;

    @BeforeEach
    void startServer() {
        port = ServerProcess.freePort();
        server = startServerProcess();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aLiveSubscriptionSeesEveryAcknowledgedEventExactlyOnceAcrossThreeKills() {
        try (EventStore writerClient = connect(64); EventStore consumerClient = connect(64)) {
            RecordingListener consumer = new RecordingListener();
            Subscription subscription = consumerClient.subscribe(SubscriptionRequest.fromBeginning(), consumer);
            RetryingWriters writers = RetryingWriters.start(writerClient, 2, 5);
            try {
                for (int kill = 1; kill <= 3; kill++) {
                    int target = writers.acknowledgedCount() + 300;
                    writers.awaitAcknowledged(target, PROGRESS_TIMEOUT);
                    consumer.awaitCount(target, PROGRESS_TIMEOUT);
                    killAndRestart();
                }
                writers.awaitAcknowledged(writers.acknowledgedCount() + 300, PROGRESS_TIMEOUT);
            } finally {
                writers.close();
            }
            Set<UUID> acknowledged = writers.stop();

            assertSawEveryEventOnce(consumer, writerClient, acknowledged);
            assertThat(subscription.isClosed()).as("the subscription survived the kills").isFalse();
            assertThat(consumer.isClosed()).as("onClose was called").isFalse();
            subscription.close();
        }
    }

    @Test
    void aConsumerFarSlowerThanTheWritersGetsEverythingAcrossAKill() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RecordingListener slow = new RecordingListener((event, received) -> {
            if (received == 1) {
                assertThat(release.await(PROGRESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                        .as("the test released the slow consumer").isTrue();
            }
        });
        try (EventStore writerClient = connect(64); EventStore consumerClient = connect(16)) {
            Subscription subscription = consumerClient.subscribe(SubscriptionRequest.fromBeginning(), slow);
            RetryingWriters writers = RetryingWriters.start(writerClient, 2, 10);
            try {
                // 1,000 events while the consumer holds its first one: it is 60 windows behind.
                writers.awaitAcknowledged(1000, PROGRESS_TIMEOUT);
                assertThat(slow.count()).as("events the stuck consumer took").isEqualTo(1);
                killAndRestart();
                writers.awaitAcknowledged(writers.acknowledgedCount() + 500, PROGRESS_TIMEOUT);
            } finally {
                writers.close();
                release.countDown();
            }
            Set<UUID> acknowledged = writers.stop();

            assertSawEveryEventOnce(slow, writerClient, acknowledged);
            assertThat(subscription.isClosed()).isFalse();
            subscription.close();
        }
    }

    private EventStore connect(int creditWindow) {
        return RewindClient.connect(ClientConfig.builder()
                .endpoint("tcp://127.0.0.1:" + port)
                .connectTimeout(Duration.ofSeconds(30))
                .requestTimeout(Duration.ofSeconds(5))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .heartbeat(Duration.ofMillis(250), Duration.ofSeconds(2))
                .subscriptionCreditWindow(creditWindow)
                .build());
    }

    private ServerProcess startServerProcess() {
        return ServerProcess.start(directory.resolve("data"), port, directory.resolve("server.log"));
    }

    private void killAndRestart() {
        server.kill();
        server = startServerProcess();
    }

    /**
     * The consumer received exactly the store's events, in order, each once, chained from -1, and
     * they are exactly the acknowledged ones (the writers retried every unacknowledged append).
     */
    private static void assertSawEveryEventOnce(RecordingListener consumer, EventStore store, Set<UUID> acknowledged) {
        List<RecordedEvent> stored = readWholeStore(store);
        assertThat(stored).extracting(RecordedEvent::id).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(acknowledged);
        consumer.awaitCount(stored.size(), PROGRESS_TIMEOUT);
        assertThat(consumer.recordedEvents()).containsExactlyElementsOf(stored);
        consumer.assertUnbrokenChainFrom(-1);
    }

    private static List<RecordedEvent> readWholeStore(EventStore store) {
        List<RecordedEvent> all = new ArrayList<>();
        while (true) {
            long from = all.isEmpty() ? 0 : all.get(all.size() - 1).position() + 1;
            List<RecordedEvent> page = store.readAll(from, Direction.FORWARD, Limits.MAX_READ_LIMIT);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
        }
    }
}
