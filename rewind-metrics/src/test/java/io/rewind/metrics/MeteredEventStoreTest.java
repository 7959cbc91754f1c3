package io.rewind.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.ReadOptions;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionRequest;
import io.rewind.api.WrongExpectedVersionException;
import io.rewind.memory.MemoryEventStore;
import io.rewind.testkit.Await;
import io.rewind.testkit.RecordingListener;
import io.rewind.testkit.TestEvents;
import org.junit.jupiter.api.Test;

/** What the metered store counts: appends and their bytes, reads, errors by code, subscriptions and lag. */
class MeteredEventStoreTest {

    @Test
    void countsAppendsReadsErrorsAndSubscriptions() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (MeteredEventStore store = new MeteredEventStore(MemoryEventStore.create(), registry)) {
            io.rewind.api.EventData one = TestEvents.event("one");
            io.rewind.api.EventData two = TestEvents.event("two");
            store.append("metered", ExpectedVersion.noStream(), one, two);
            assertThatThrownBy(() -> store.append("metered", ExpectedVersion.noStream(), TestEvents.event("three")))
                    .isInstanceOf(WrongExpectedVersionException.class);
            store.readAll(ReadOptions.forward());
            store.readStream("metered", ReadOptions.forward().withMaxEvents(1));

            assertThat(registry.get("rewind.append").tag("result", "ok").timer().count()).isEqualTo(1);
            assertThat(registry.get("rewind.append").tag("result", "error").timer().count()).isEqualTo(1);
            assertThat(registry.get("rewind.appended.events").counter().count()).isEqualTo(2);
            assertThat(registry.get("rewind.appended").counter().count())
                    .isEqualTo(one.dataSize() + one.metadataSize() + two.dataSize() + two.metadataSize());
            assertThat(registry.get("rewind.errors").tag("operation", "append").tag("code", "WRONG_EXPECTED_VERSION")
                    .counter().count()).isEqualTo(1);
            assertThat(registry.get("rewind.read").tag("operation", "all").timer().count()).isEqualTo(1);
            assertThat(registry.get("rewind.read.events").counter().count()).isEqualTo(3);

            RecordingListener listener = new RecordingListener();
            Subscription subscription = store.subscribe(SubscriptionRequest.fromBeginning(), listener);
            assertThat(registry.get("rewind.subscriptions").gauge().value()).isEqualTo(1);
            listener.awaitCount(2);
            Await.until(() -> registry.get("rewind.subscription.lag.max").gauge().value() == 0,
                    "the subscription caught up");
            subscription.close();
            Await.until(() -> registry.get("rewind.subscriptions").gauge().value() == 0, "the subscription is gone");
        }
    }

    @Test
    void listsEachOpenSubscriptionWithWhatItAskedForAndHowFarItCame() {
        try (MeteredEventStore store = new MeteredEventStore(MemoryEventStore.create(), new SimpleMeterRegistry())) {
            store.append("orders-1", ExpectedVersion.any(), TestEvents.event("a"), TestEvents.event("b"));
            store.append("payments-1", ExpectedVersion.any(), TestEvents.event("c"));
            SubscriptionRequest everything = SubscriptionRequest.fromBeginning();
            SubscriptionRequest orders = SubscriptionRequest.fromBeginning().withStreamPrefix("orders-");
            RecordingListener all = new RecordingListener();
            RecordingListener someOrders = new RecordingListener();
            java.time.Instant before = java.time.Instant.now();
            Subscription first = store.subscribe(everything, all);
            Subscription second = store.subscribe(orders, someOrders);
            all.awaitCount(3);
            someOrders.awaitCount(2);
            Await.until(() -> store.openSubscriptions().stream().allMatch(s -> s.lastPosition() >= 1),
                    "both subscriptions came past the orders");

            java.util.List<io.rewind.api.SubscriptionStatus> open = store.openSubscriptions();
            assertThat(open).extracting(io.rewind.api.SubscriptionStatus::request).containsExactly(everything, orders);
            assertThat(open).allSatisfy(status -> assertThat(status.opened()).isAfterOrEqualTo(before.minusMillis(1)));
            Await.until(() -> store.openSubscriptions().get(0).lastPosition() == 2, "the first delivered all");

            first.close();
            Await.until(() -> store.openSubscriptions().size() == 1, "a closed subscription leaves the list");
            assertThat(store.openSubscriptions().get(0).request()).isEqualTo(orders);
            second.close();
            Await.until(() -> store.openSubscriptions().isEmpty(), "none is left");
        }
    }
}
