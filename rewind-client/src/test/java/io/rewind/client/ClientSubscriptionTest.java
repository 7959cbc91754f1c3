package io.rewind.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.RecordedEvent;
import io.rewind.api.SubscriptionEvent;
import io.rewind.testkit.Await;
import io.rewind.testkit.RecordingListener;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The listener side of a client subscription, fed directly as the I/O thread feeds it. */
class ClientSubscriptionTest {

    private static SubscriptionEvent delivered(long position, long previous) {
        RecordedEvent event = new RecordedEvent("s", position, position, new UUID(1, position), "t",
                Instant.EPOCH, new byte[0], new byte[0]);
        return new SubscriptionEvent(event, previous);
    }

    @Test
    void noticesQueuedBackToBackReachTheListenerAsTheLatestOneInOrderWithEvents() {
        RecordingListener listener = new RecordingListener();
        ClientSubscription subscription = new ClientSubscription(listener, 100, "test-subscription", () -> { },
                () -> { });
        // Queued before the listener thread starts, so nothing is taken in between.
        subscription.offer(delivered(0, -1));
        subscription.offerCheckpoint(5);
        subscription.offerCheckpoint(6);
        subscription.offerCheckpoint(7);
        subscription.offer(delivered(8, 0));
        subscription.offerCheckpoint(12);

        subscription.start(-1);
        listener.awaitCheckpointAtLeast(12);

        assertThat(listener.positions()).containsExactly(0L, 8L);
        assertThat(listener.checkpoints()).containsExactly(7L, 12L);
        listener.assertUnbrokenChainFrom(-1);
        Await.until(() -> subscription.lastPosition() == 12, "lastPosition() reaches the last notice");
        assertThat(subscription.unreleased()).isZero();
        subscription.close();
        assertThat(listener.awaitClosed()).isEmpty();
    }
}
