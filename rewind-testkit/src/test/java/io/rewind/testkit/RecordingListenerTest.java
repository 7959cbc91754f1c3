package io.rewind.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.RecordedEvent;
import io.rewind.api.SubscriptionEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The listener must catch every breach the contract relies on it to catch. */
class RecordingListenerTest {

    @Test
    void anUnbrokenChainPasses() {
        RecordingListener listener = new RecordingListener();

        listener.onEvent(delivered(3, 1));
        listener.onEvent(delivered(7, 3));
        listener.onCaughtUp();

        listener.assertUnbrokenChainFrom(1);
        assertThat(listener.positions()).containsExactly(3L, 7L);
        assertThat(listener.awaitCaughtUp()).isEqualTo(2);
    }

    @Test
    void aGapInTheChainIsReported() {
        RecordingListener listener = new RecordingListener();

        listener.onEvent(delivered(0, -1));
        listener.onEvent(delivered(2, 1));

        assertThatThrownBy(() -> listener.assertUnbrokenChainFrom(-1)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("position 2 names previous position 1")
                .hasMessageContaining("previous delivery was 0");
    }

    @Test
    void aCheckpointNoticeLeavesTheChainOfEventsAndMustMoveForward() {
        RecordingListener listener = new RecordingListener();

        listener.onEvent(delivered(0, -1));
        listener.onCheckpoint(5);
        listener.onEvent(delivered(8, 0));
        listener.assertUnbrokenChainFrom(-1);
        assertThat(listener.checkpoints()).containsExactly(5L);
        assertThat(listener.awaitCheckpointAtLeast(5)).containsExactly(5L);

        listener.onCheckpoint(8);
        assertThatThrownBy(() -> listener.assertUnbrokenChainFrom(-1)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("checkpoint at 8 after position 8");
    }

    @Test
    void anEventNamingANoticeOrAtANoticesPositionBreaksTheChain() {
        RecordingListener named = new RecordingListener();
        named.onCheckpoint(3);
        named.onEvent(delivered(4, 3));
        assertThatThrownBy(() -> named.assertUnbrokenChainFrom(-1)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("position 4 names previous position 3")
                .hasMessageContaining("previous delivery was -1");

        RecordingListener behind = new RecordingListener();
        behind.onCheckpoint(3);
        behind.onEvent(delivered(2, -1));
        assertThatThrownBy(() -> behind.assertUnbrokenChainFrom(-1)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("position 2 delivered after 3");
    }

    @Test
    void aDuplicateIsReported() {
        RecordingListener listener = new RecordingListener();

        listener.onEvent(delivered(4, -1));
        listener.onEvent(delivered(4, 4));

        assertThatThrownBy(() -> listener.assertUnbrokenChainFrom(-1)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("position 4 delivered after 4");
    }

    @Test
    void aSecondCaughtUpAndAnEventAfterCloseAreReported() {
        RecordingListener listener = new RecordingListener();

        listener.onCaughtUp();
        listener.onCaughtUp();
        listener.onClose(null);
        listener.onEvent(delivered(0, -1));

        assertThatThrownBy(() -> listener.assertUnbrokenChainFrom(-1)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("onCaughtUp called 2 times")
                .hasMessageContaining("after onClose");
        assertThat(listener.awaitClosed()).isEmpty();
    }

    @Test
    void aConcurrentCallIsReported() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordingListener listener = new RecordingListener((event, received) -> {
            if (received == 1) {
                inside.countDown();
                assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
            }
        });
        Thread first = new Thread(() -> listener.onEvent(delivered(0, -1)));
        first.start();
        try {
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
            listener.onEvent(delivered(1, 0));
        } finally {
            release.countDown();
            first.join(10_000);
        }

        assertThatThrownBy(() -> listener.assertUnbrokenChainFrom(-1)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("onEvent called while another call was in progress");
    }

    @Test
    void awaitCountFailsAfterItsTimeoutNamingWhatArrived() {
        RecordingListener listener = new RecordingListener();
        listener.onEvent(delivered(0, -1));

        assertThatThrownBy(() -> listener.awaitCount(2, Duration.ofMillis(50))).isInstanceOf(AssertionError.class)
                .hasMessageContaining("2 events").hasMessageContaining("received 1");
    }

    @Test
    void awaitCountReturnsAsSoonAsEventsArriveFromAnotherThread() throws Exception {
        RecordingListener listener = new RecordingListener();
        Thread producer = new Thread(() -> {
            for (int position = 0; position < 100; position++) {
                listener.onEvent(delivered(position, position - 1));
            }
        });
        producer.start();

        assertThat(listener.awaitCount(100)).hasSize(100);
        producer.join(10_000);
        listener.assertUnbrokenChainFrom(-1);
    }

    @Test
    void aReactionThatThrowsReachesTheCallerAfterTheEventIsRecorded() {
        IllegalStateException failure = new IllegalStateException("on purpose");
        RecordingListener listener = new RecordingListener((event, received) -> {
            throw failure;
        });

        assertThatThrownBy(() -> listener.onEvent(delivered(0, -1))).isSameAs(failure);
        assertThat(listener.count()).isEqualTo(1);
    }

    private static SubscriptionEvent delivered(long position, long previous) {
        RecordedEvent event = new RecordedEvent("s", position, position, UUID.randomUUID(), "t", Instant.EPOCH,
                new byte[0], new byte[0]);
        return new SubscriptionEvent(event, previous);
    }
}
