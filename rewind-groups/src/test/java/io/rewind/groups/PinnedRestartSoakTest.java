package io.rewind.groups;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three consumer threads in a pinned group over the embedded log while a writer appends, with the
 * service and the store restarted several times under them, every other time by a crash (the
 * service abandoned without its final write): every event is acked at least once, no
 * stream is ever in the hands of two consumers at once, and within one service's life each
 * stream's deliveries never go back in version. Redeliveries (the at-least-once cost) are reported.
 * In-process only; the multi-JVM SIGKILL test of issue 14 needs the wire protocol (not built).
 */
class PinnedRestartSoakTest {

    private static final Logger LOG = LoggerFactory.getLogger(PinnedRestartSoakTest.class);
    private static final int STREAMS = 8;
    private static final int EVENTS_PER_ROUND = 150;
    private static final int ROUNDS = 4;

    @TempDir
    Path directory;

    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final AtomicInteger deliveries = new AtomicInteger();
    private final AtomicInteger nacks = new AtomicInteger();
    private int crashes;
    private final AtomicReference<String> violation = new AtomicReference<>();

    @Test
    void everyEventIsAckedAndNoStreamIsHeldTwiceAcrossRestarts() throws InterruptedException {
        // At most one nack per event (on its first delivery) and 5 retries: nothing is ever parked.
        GroupSettings settings = new GroupSettings(4, Duration.ofSeconds(60), 5, Duration.ofMillis(2),
                Strategy.PINNED_BY_STREAM);
        GroupServiceOptions options = GroupServiceOptions.defaults().withFlushInterval(Duration.ofMillis(200))
                .withMaxBuffered(64);
        List<String> appended = new ArrayList<>();
        EventStore store = LogEventStore.open(LogConfig.builder(directory).build());
        GroupService service = GroupService.open(store, options);
        service.create("soak", settings, GroupFilter.streamPrefix("acct-"), GroupStart.beginning());
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Lifetime life = new Lifetime(service, round);
                life.start(3);
                for (int i = 0; i < EVENTS_PER_ROUND; i++) {
                    String stream = "acct-" + ThreadLocalRandom.current().nextInt(STREAMS);
                    EventData event = EventData.of("Posted", ("r" + round + "-" + i).getBytes(StandardCharsets.UTF_8));
                    appended.add(store.append(stream, ExpectedVersion.any(), event).events().get(0).id().toString());
                    if (i == EVENTS_PER_ROUND / 2 && round % 2 == 1) {
                        life.consumerLeavesAndAnotherJoins();
                    }
                }
                if (round < ROUNDS - 1) {
                    // Restart with work in flight: some acked events are not checkpointed yet.
                    life.stop();
                    if (round % 2 == 0) {
                        service.abandon(); // a crash: the last checkpoint written is older than the acks
                        crashes++;
                    } else {
                        service.close();
                    }
                    store.close();
                    store = LogEventStore.open(LogConfig.builder(directory).build());
                    service = GroupService.open(store, options);
                } else {
                    GroupService last = service;
                    Await.until(() -> acked.size() == appended.size() && last.describe("soak").inFlight() == 0,
                            Await.DEFAULT_TIMEOUT, () -> acked.size() + " of " + appended.size() + " acked; "
                                    + last.describe("soak"));
                    life.stop();
                }
                assertThat(violation.get()).isNull();
            }
            assertThat(acked).containsExactlyInAnyOrderElementsOf(appended);
            LOG.info("Soak: {} events, {} deliveries: {} retries after a nack, {} redeliveries of events already"
                    + " acked or in flight (the at-least-once cost of {} restarts, {} of them crashes without a"
                    + " final write, and a leave per odd round)",
                    appended.size(), deliveries.get(), nacks.get(), deliveries.get() - appended.size() - nacks.get(),
                    ROUNDS - 1, crashes);
            assertThat(deliveries.get()).isGreaterThanOrEqualTo(appended.size());
        } finally {
            service.close();
            store.close();
        }
    }

    /** The consumers of one service's life. */
    private final class Lifetime {
        final GroupService service;
        final int round;
        final Map<String, String> holders = new ConcurrentHashMap<>();
        final Map<String, Long> lastVersion = new ConcurrentHashMap<>();
        final List<Thread> threads = new ArrayList<>();
        final List<String> members = new ArrayList<>();
        final Set<String> stopped = ConcurrentHashMap.newKeySet();
        volatile boolean stopping;

        Lifetime(GroupService service, int round) {
            this.service = service;
            this.round = round;
        }

        void start(int consumers) {
            for (int i = 0; i < consumers; i++) {
                add("c" + round + "-" + i);
            }
        }

        void add(String name) {
            BlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
            service.join("soak", name, inbox::add);
            members.add(name);
            Thread thread = new Thread(() -> consume(name, inbox), name);
            threads.add(thread);
            thread.start();
        }

        /** A consumer stops working, then leaves (as a client that disconnects does), and a new one joins. */
        void consumerLeavesAndAnotherJoins() throws InterruptedException {
            String leaving = members.remove(0);
            stopped.add(leaving);
            Thread thread = threads.stream().filter(t -> t.getName().equals(leaving)).findFirst().orElseThrow();
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(thread.isAlive()).as("consumer %s stopped", leaving).isFalse();
            service.leave("soak", leaving);
            add(leaving + "-successor");
        }

        void consume(String name, BlockingQueue<Delivery> inbox) {
            try {
                while (!stopping && !stopped.contains(name)) {
                    Delivery delivery = inbox.poll(20, TimeUnit.MILLISECONDS);
                    if (delivery != null) {
                        handle(name, delivery);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (GroupException e) {
                // The service closed or this consumer left under us: what it held is redelivered.
            }
        }

        void handle(String name, Delivery delivery) {
            deliveries.incrementAndGet();
            String stream = delivery.event().stream();
            String other = holders.putIfAbsent(stream, name);
            if (other != null) {
                violation.compareAndSet(null, stream + " held by " + other + " and " + name + " at once");
            }
            Long last = lastVersion.put(stream, delivery.event().version());
            if (last != null && last > delivery.event().version()) {
                violation.compareAndSet(null, stream + " went back from version " + last + " to "
                        + delivery.event().version() + " within one service life");
            }
            holders.remove(stream, name);
            if (delivery.attempt() == 1 && ThreadLocalRandom.current().nextInt(10) == 0) {
                nacks.incrementAndGet();
                service.nack("soak", name, delivery.id(), NackAction.RETRY, "flaky downstream");
            } else {
                service.ack("soak", name, delivery.id());
                acked.add(delivery.event().id().toString());
            }
        }

        void stop() throws InterruptedException {
            stopping = true;
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(thread.isAlive()).as("consumer %s stopped", thread.getName()).isFalse();
            }
        }
    }
}
