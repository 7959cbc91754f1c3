package io.rewind.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionRequest;
import io.rewind.testkit.Await;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The client's I/O thread sleeps in its poll until there is something to do: a poll that returns
 * saying an item is ready while no reply, monitor event or wake-up is there is counted, and there
 * must be none. With a raw pipe for its wake-ups (JeroMQ 0.6.0's poller reports such a channel
 * readable again whenever another item is ready) almost every poll returned for nothing once
 * requests and replies flowed, and the thread spun.
 */
class ClientIoThreadWaitTest {

    @Test
    void theIoThreadNeverPollsForNothingWhileRequestsAndDeliveriesFlow() {
        try (InProcessServer server = InProcessServer.start(); EventStore client = server.connect()) {
            AtomicInteger delivered = new AtomicInteger();
            Subscription subscription = client.subscribe(SubscriptionRequest.fromBeginning(),
                    event -> delivered.incrementAndGet());
            for (int i = 0; i < 300; i++) {
                // One at a time: every request wakes the I/O thread from its poll, every reply and
                // delivery arrives while it sleeps there.
                client.append("s", ExpectedVersion.any(), EventData.of("t", new byte[] {(byte) i}));
            }
            Await.until(() -> delivered.get() == 300, Await.DEFAULT_TIMEOUT, () -> delivered.get() + " of 300 delivered");
            subscription.close();
            Connection.PollCounters counters = ((RemoteEventStore) client).connection().pollCounters();
            assertThat(counters.polls()).as("polls (%s)", counters).isGreaterThanOrEqualTo(300);
            assertThat(counters.idlePolls()).as("polls that said ready with nothing to read (%s)", counters)
                    .isZero();
        }
    }
}
