package io.rewind.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionRequest;
import io.rewind.memory.MemoryEventStore;
import io.rewind.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client given several endpoints moves to the next when its server goes away: two servers over
 * one store stand for two nodes of a cluster (same events at the same positions). Appends go on
 * after a retry with the same ids, and a live subscription continues on the other server with no
 * gap and no repeat.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MultiEndpointTest {

    @Test
    void aClientWithSeveralEndpointsMovesOnWhenItsServerStopsAndItsSubscriptionResumes() {
        MemoryEventStore shared = MemoryEventStore.create();
        InProcessServer first = InProcessServer.start(shared, settings -> settings);
        InProcessServer second = InProcessServer.start(shared, settings -> settings);
        List<RecordedEvent> seen = Collections.synchronizedList(new ArrayList<>());
        try (EventStore client = RewindClient.connect(ClientConfig.builder()
                .endpoints(List.of(first.endpoint(), second.endpoint()))
                .heartbeat(Duration.ofMillis(200), Duration.ofMillis(1000))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build())) {
            Subscription subscription = client.subscribe(SubscriptionRequest.fromBeginning(),
                    event -> seen.add(event.event()));
            for (int i = 0; i < 10; i++) {
                appendRetrying(client, i);
            }
            Await.until(() -> seen.size() == 10, Duration.ofSeconds(30), "the first ten events delivered");
            first.server.close(); // the store stays open: the second server serves it
            for (int i = 10; i < 20; i++) {
                appendRetrying(client, i);
            }
            Await.until(() -> seen.size() >= 20, Duration.ofSeconds(30), () -> seen.size() + " of 20 delivered");
            assertThat(new ArrayList<>(seen)).extracting(RecordedEvent::position)
                    .as("every event once, in order, across the move").containsExactlyElementsOf(
                            java.util.stream.LongStream.range(0, 20).boxed().toList());
            assertThat(shared.headPosition()).isEqualTo(19);
            subscription.close();
        } finally {
            second.close();
        }
    }

    /** Appends event {@code i} and retries it with the same id while the outcome is unknown. */
    private static void appendRetrying(EventStore client, int i) {
        EventData event = EventData.of(UUID.nameUUIDFromBytes(("event-" + i).getBytes()), "t", new byte[] {(byte) i});
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                client.append("s", ExpectedVersion.any(), event);
                return;
            } catch (EventStoreException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }
}
