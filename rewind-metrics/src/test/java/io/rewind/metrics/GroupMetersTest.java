package io.rewind.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.groups.Delivery;
import io.rewind.groups.DeliverySink;
import io.rewind.groups.GroupFilter;
import io.rewind.groups.GroupService;
import io.rewind.groups.GroupServiceOptions;
import io.rewind.groups.GroupSettings;
import io.rewind.groups.GroupStart;
import io.rewind.groups.NackAction;
import io.rewind.groups.Strategy;
import io.rewind.memory.MemoryEventStore;
import io.rewind.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer groups' meters: a real {@link GroupService} over a memory store, the Prometheus
 * registry scraped as text after known steps.
 */
class GroupMetersTest {

    /** A clock the test moves; the service reads it for deadlines, backoffs and the lag in seconds. */
    static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void set(Instant value) {
            now = value;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    static final class Recorder implements DeliverySink {
        final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();

        @Override
        public void deliver(Delivery delivery) {
            deliveries.add(delivery);
        }

        @Override
        public void closed(String reason) {
        }

        Delivery next() throws InterruptedException {
            Delivery delivery = deliveries.poll(Await.DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(delivery).as("a delivery within %s", Await.DEFAULT_TIMEOUT).isNotNull();
            return delivery;
        }
    }

    private final TestClock clock = new TestClock(Instant.now());
    private MemoryEventStore store;
    private GroupService groups;
    private ServerMetrics metrics;

    @BeforeEach
    void start() {
        store = MemoryEventStore.create();
        metrics = new ServerMetrics();
    }

    @AfterEach
    void stop() {
        if (groups != null) {
            groups.close();
        }
        store.close();
        metrics.close();
    }

    private void open(int maxBuffered) {
        groups = GroupService.open(store, new GroupServiceOptions(Duration.ofMillis(5), maxBuffered, 500, clock));
        metrics.watch(groups);
    }

    private void append(int count) {
        for (int i = 0; i < count; i++) {
            store.append("order-" + i, ExpectedVersion.any(), EventData.of("Placed",
                    ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** Every {@code rewind_group_*} sample of {@code group}, by metric name. */
    private Map<String, String> samples(String text, String group) {
        Map<String, String> out = new TreeMap<>();
        String tag = "{group=\"" + group + "\"} ";
        for (String line : text.lines().toList()) {
            int at = line.indexOf(tag);
            if (line.startsWith("rewind_group_") && at > 0) {
                out.put(line.substring(0, at), line.substring(at + tag.length()));
            }
        }
        return out;
    }

    private static Map<String, String> expected(String consumers, String inFlight, String lagEvents, String lagSeconds,
            String parked, String retries) {
        return new TreeMap<>(Map.of("rewind_group_consumers", consumers, "rewind_group_in_flight", inFlight,
                "rewind_group_lag_events", lagEvents, "rewind_group_lag_seconds", lagSeconds, "rewind_group_parked",
                parked, "rewind_group_retries_total", retries));
    }

    private void awaitSamples(String group, Map<String, String> expected, String what) {
        String[] last = {""};
        Await.until(() -> {
            last[0] = metrics.scrape();
            return samples(last[0], group).equals(expected);
        }, Await.DEFAULT_TIMEOUT, () -> what + ": expected " + expected + ", scraped " + samples(last[0], group));
    }

    @Test
    void lagInFlightRetriesParkedAndConsumersFollowTheGroupsSteps() throws Exception {
        open(10_000);
        GroupSettings settings = new GroupSettings(3, Duration.ofMinutes(10), 5, Duration.ofHours(1),
                Strategy.ROUND_ROBIN);
        groups.create("billing", settings, GroupFilter.streamPrefix("order-"), GroupStart.beginning());
        append(5);
        // The clock is older than the events: the lag in seconds is 0, never negative.
        awaitSamples("billing", expected("0.0", "0.0", "5.0", "0.0", "0.0", "0.0"), "five events read, none settled");
        Recorder consumer = new Recorder();
        groups.join("billing", "w1", consumer);
        List<Delivery> first = List.of(consumer.next(), consumer.next(), consumer.next());
        clock.set(first.get(0).event().timestamp().plusMillis(7_500));
        awaitSamples("billing", expected("1.0", "3.0", "5.0", "7.5", "0.0", "0.0"), "three delivered");

        groups.ack("billing", "w1", first.get(0).id());
        groups.nack("billing", "w1", first.get(1).id(), NackAction.RETRY, "later"); // waits out a 1 h backoff
        groups.nack("billing", "w1", first.get(2).id(), NackAction.PARK, "bad");
        Delivery fourth = consumer.next();
        Delivery fifth = consumer.next();
        assertThat(List.of(first.get(0), first.get(1), first.get(2), fourth, fifth)).extracting(d -> d.event().stream())
                .containsExactly("order-0", "order-1", "order-2", "order-3", "order-4");
        // Unsettled: the retried event (now the oldest), the fourth and the fifth.
        clock.set(first.get(1).event().timestamp().plusMillis(8_250));
        awaitSamples("billing", expected("1.0", "2.0", "3.0", "8.25", "1.0", "1.0"),
                "ack 1, nack-retry 1, park 1, two more delivered");

        clock.set(first.get(1).event().timestamp().plusSeconds(9));
        groups.leave("billing", "w1"); // both deliveries out fail: two more redeliveries pending, no consumer
        awaitSamples("billing", expected("0.0", "0.0", "3.0", "9.0", "1.0", "3.0"), "the consumer left");
        assertThat(groups.metrics()).singleElement().satisfies(m -> {
            assertThat(m.group()).isEqualTo("billing");
            assertThat(m.redeliveries()).isEqualTo(3);
            assertThat(m.lagEvents()).isEqualTo(3);
        });
    }

    @Test
    void positionsNotReadYetCountInTheLagInEvents() {
        open(2); // reads at most 2 events ahead: the rest stays unread while no one consumes
        append(5); // positions 0-4
        groups.create("slow", GroupSettings.defaults(), GroupFilter.allStreams(), GroupStart.beginning()); // 5
        // 2 read and unsettled (0 and 1), plus the 4 positions after the last one read: events 2-4 and
        // the group's own definition event (positions, not matching events). The checkpoint stays at
        // -1, so the group writes nothing that would move the head. The clock is older than the
        // events: the lag in seconds is 0 (never negative).
        awaitSamples("slow", expected("0.0", "0.0", "6.0", "0.0", "0.0", "0.0"), "two read, four positions not");
        assertThat(store.headPosition()).isEqualTo(5);
    }

    @Test
    void aDeletedGroupsMetersAreGoneAndANewGroupsAppear() {
        open(10_000);
        groups.create("kept", GroupSettings.defaults(), GroupFilter.allStreams(), GroupStart.beginning());
        groups.create("gone", GroupSettings.defaults(), GroupFilter.allStreams(), GroupStart.beginning());
        String before = metrics.scrape();
        assertThat(samples(before, "kept")).containsOnlyKeys(expected("", "", "", "", "", "").keySet());
        assertThat(samples(before, "gone")).containsOnlyKeys(expected("", "", "", "", "", "").keySet());
        assertThat(before).contains("# HELP rewind_group_lag_events Events the group read and has not settled,"
                + " plus store positions after the last one it read up to the head");

        groups.delete("gone");
        String after = metrics.scrape();
        assertThat(after).doesNotContain("group=\"gone\"");
        assertThat(samples(after, "kept")).hasSize(6);

        groups.create("late", GroupSettings.defaults(), GroupFilter.allStreams(), GroupStart.beginning());
        assertThat(samples(metrics.scrape(), "late")).hasSize(6);
        groups.delete("kept");
        groups.delete("late");
        assertThat(metrics.scrape()).doesNotContain("rewind_group_");
    }
}
