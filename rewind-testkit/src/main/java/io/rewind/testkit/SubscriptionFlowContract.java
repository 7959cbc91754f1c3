package io.rewind.testkit;

import static io.rewind.testkit.TestEvents.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionRequest;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Subscriptions under load: the hand-over from history to live while writers append has no gap
 * and no duplicate, and a slow subscriber never blocks writers and is never dropped.
 */
public interface SubscriptionFlowContract extends ContractFixture {

    @Test
    default void catchingUpWhileWritersAppendDeliversEveryEventExactlyOnceInOrder() throws Exception {
        for (int batch = 0; batch < 5; batch++) {
            store().append("history-" + batch, ExpectedVersion.any(), events("history-" + batch, 100));
        }
        // The listener holds its first event until the writer is half done, so that appends happen
        // while the subscription is still in history, and the rest around the hand-over to live.
        CountDownLatch writerHalfDone = new CountDownLatch(1);
        RecordingListener listener = new RecordingListener((event, received) -> {
            if (received == 1) {
                assertThat(writerHalfDone.await(Await.DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                        .as("the writer appended half its events").isTrue();
            }
        });

        try (Subscription subscription = store().subscribe(SubscriptionRequest.fromBeginning(), listener)) {
            for (int batch = 0; batch < 40; batch++) {
                store().append("live-" + (batch % 3), ExpectedVersion.any(), events("live-" + batch, 5));
                if (batch == 19) {
                    writerHalfDone.countDown();
                }
            }
            int atCaughtUp = listener.awaitCaughtUp();
            store().append("after-catch-up", ExpectedVersion.any(), events("after", 10));

            listener.awaitCount(710);
            assertThat(atCaughtUp).as("events delivered before onCaughtUp").isGreaterThanOrEqualTo(500);
            assertThat(listener.recordedEvents()).containsExactlyElementsOf(readWholeStore());
            assertThat(listener.caughtUpCalls()).isEqualTo(1);
            listener.assertUnbrokenChainFrom(-1);
            assertThat(subscription.isClosed()).isFalse();
        }
    }

    @Test
    default void aSlowSubscriberNeitherBlocksWritersNorLosesEvents() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RecordingListener slow = new RecordingListener((event, received) -> {
            if (received == 1) {
                assertThat(release.await(ConcurrencyContract.CONCURRENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                        .as("the test released the slow listener").isTrue();
            }
        });
        RecordingListener fast = new RecordingListener();
        store().append("first", ExpectedVersion.noStream(), TestEvents.event("first"));

        try (Subscription slowSubscription = store().subscribe(SubscriptionRequest.fromBeginning(), slow);
                Subscription fastSubscription = store().subscribe(SubscriptionRequest.fromBeginning(), fast)) {
            slow.awaitCount(1);
            // 2,000 events from two writers while the slow listener is stuck in its first event.
            ConcurrentTasks.run(2, ConcurrencyContract.CONCURRENT_TIMEOUT, thread -> {
                for (int batch = 0; batch < 20; batch++) {
                    store().append("writer-" + thread, ExpectedVersion.any(), events("w" + thread + "-" + batch, 50));
                }
            });
            assertThat(slow.count()).as("events the stuck listener received while writers ran").isEqualTo(1);
            fast.awaitCount(2001);

            release.countDown();

            slow.awaitCount(2001);
            assertThat(slowSubscription.isClosed()).isFalse();
            assertThat(slow.isClosed()).isFalse();
            assertThat(slow.recordedEvents()).hasSize(2001).containsExactlyElementsOf(readWholeStore());
            assertThat(slow.recordedEvents()).extracting(RecordedEvent::position).doesNotHaveDuplicates();
            slow.assertUnbrokenChainFrom(-1);
            fast.assertUnbrokenChainFrom(-1);
            assertThat(fastSubscription.isClosed()).isFalse();
        } finally {
            release.countDown();
        }
    }
}
