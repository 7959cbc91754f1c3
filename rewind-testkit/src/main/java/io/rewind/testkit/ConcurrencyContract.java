package io.rewind.testkit;

import static io.rewind.testkit.StoreAssertions.assertDenseAndOrdered;
import static io.rewind.testkit.TestEvents.event;
import static io.rewind.testkit.TestEvents.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.WrongExpectedVersionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Many threads at once: optimistic concurrency has exactly one winner per version, concurrent
 * appends all land with dense positions and versions, readers never see half an append.
 */
public interface ConcurrencyContract extends ContractFixture {

    /** How long a concurrent test's threads may take, on a loaded machine with fsync per append. */
    Duration CONCURRENT_TIMEOUT = Duration.ofMinutes(2);

    @Test
    default void contendedAppendsWithExpectedVersionsHaveExactlyOneWinnerPerVersion() {
        int threads = 4;
        int target = 60;
        Map<Long, Integer> winners = new ConcurrentHashMap<>();

        ConcurrentTasks.run(threads, CONCURRENT_TIMEOUT, thread -> {
            long known = ExpectedVersion.NO_STREAM_VERSION;
            while (known < target - 1) {
                ExpectedVersion expected = known == ExpectedVersion.NO_STREAM_VERSION
                        ? ExpectedVersion.noStream() : ExpectedVersion.exactly(known);
                try {
                    AppendResult result = store().append("contended", expected, event("thread-" + thread));
                    known = result.lastVersion("contended");
                    Integer earlier = winners.putIfAbsent(known, thread);
                    assertThat(earlier).as("a second winner for version " + known).isNull();
                } catch (WrongExpectedVersionException lost) {
                    assertThat(lost.actualVersion()).as("the version a loser is told").isGreaterThan(known);
                    known = lost.actualVersion();
                }
            }
        });

        List<RecordedEvent> stream = store().readStream("contended", 0, Direction.FORWARD, 1000);
        assertThat(stream).hasSize(target);
        assertThat(winners.keySet()).hasSize(target);
        assertDenseAndOrdered(readWholeStore());
        // The stream holds exactly the winners' events, in version order: losers wrote nothing.
        assertThat(stream).extracting(event -> TestEvents.text(event))
                .containsExactlyElementsOf(winners.entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .map(entry -> "thread-" + entry.getValue()).toList());
    }

    @Test
    default void concurrentAppendsToDifferentStreamsAllLand() {
        int threads = 4;
        int appendsPerThread = 40;

        ConcurrentTasks.run(threads, CONCURRENT_TIMEOUT, thread -> {
            String stream = "writer-" + thread;
            for (int i = 0; i < appendsPerThread; i++) {
                ExpectedVersion expected = i == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(2L * i - 1);
                AppendResult result = store().append(stream, expected, events(stream + "-" + i, 2));
                assertThat(result.lastVersion(stream)).isEqualTo(2L * i + 1);
                assertThat(result.lastPosition()).isEqualTo(result.firstPosition() + 1);
            }
        });

        List<RecordedEvent> log = readWholeStore();
        assertThat(log).hasSize(threads * appendsPerThread * 2);
        assertDenseAndOrdered(log);
        for (int thread = 0; thread < threads; thread++) {
            String stream = "writer-" + thread;
            List<RecordedEvent> events = store().readStream(stream, 0, Direction.FORWARD, 1000);
            assertThat(events).hasSize(appendsPerThread * 2);
            assertThat(events).extracting(RecordedEvent::position).isSorted();
            for (int i = 0; i < appendsPerThread; i++) {
                // The two events of one append are adjacent in the global order.
                assertThat(events.get(2 * i + 1).position()).isEqualTo(events.get(2 * i).position() + 1);
                assertThat(TestEvents.text(events.get(2 * i))).isEqualTo(stream + "-" + i + "-0");
            }
        }
    }

    @Test
    default void concurrentAppendsWithAnyToOneStreamGetDistinctConsecutiveVersions() {
        int threads = 4;
        int appendsPerThread = 30;

        ConcurrentTasks.run(threads, CONCURRENT_TIMEOUT, thread -> {
            for (int i = 0; i < appendsPerThread; i++) {
                store().append("shared", ExpectedVersion.any(), events("t" + thread + "-" + i, 3));
            }
        });

        List<RecordedEvent> stream = store().readStream("shared", 0, Direction.FORWARD, 1000);
        assertThat(stream).hasSize(threads * appendsPerThread * 3);
        assertDenseAndOrdered(readWholeStore());
        for (int first = 0; first < stream.size(); first += 3) {
            String label = TestEvents.text(stream.get(first));
            assertThat(label).endsWith("-0");
            String prefix = label.substring(0, label.length() - 1);
            assertThat(TestEvents.text(stream.get(first + 1))).isEqualTo(prefix + "1");
            assertThat(TestEvents.text(stream.get(first + 2))).isEqualTo(prefix + "2");
        }
    }

    @Test
    default void manyAsyncAppendsInFlightAllComplete() {
        List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            futures.add(store().appendAsync(
                    AppendRequest.to("async-" + (i % 5), ExpectedVersion.any(), event("async-" + i))));
        }

        Set<Long> positions = new HashSet<>();
        for (CompletableFuture<AppendResult> future : futures) {
            positions.add(Await.result(future).firstPosition());
        }

        assertThat(positions).hasSize(200);
        List<RecordedEvent> log = readWholeStore();
        assertThat(log).hasSize(200);
        assertDenseAndOrdered(log);
    }

    @Test
    default void asyncAppendsStartedOneAfterAnotherAreStoredInThatOrder() {
        List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            futures.add(store().appendAsync(
                    AppendRequest.to("pipelined-" + (i % 2), ExpectedVersion.any(), event("pipelined-" + i))));
        }
        for (int i = 0; i < futures.size(); i++) {
            AppendResult result = Await.result(futures.get(i));
            assertThat(result.lastVersion("pipelined-" + (i % 2))).as("version of append %d", i).isEqualTo(i / 2);
        }
        List<RecordedEvent> log = readWholeStore();
        assertThat(log).extracting(e -> e.stream() + "/" + e.version())
                .as("global order follows the order the appends were started in")
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 300)
                        .mapToObj(i -> "pipelined-" + (i % 2) + "/" + (i / 2)).toList());
    }

    @Test
    default void concurrentRetriesOfOneAppendStoreItOnce() {
        AppendRequest request = AppendRequest.to("retried", ExpectedVersion.any(), events("retried", 3));
        Set<AppendResult> results = ConcurrentHashMap.newKeySet();

        ConcurrentTasks.run(4, CONCURRENT_TIMEOUT, thread -> {
            for (int i = 0; i < 5; i++) {
                results.add(store().append(request));
            }
        });

        assertThat(results).hasSize(1);
        assertThat(store().readStream("retried", 0, Direction.FORWARD, 100)).hasSize(3);
        assertThat(store().headPosition()).isEqualTo(2);
    }

    @Test
    default void readersNeverSeeHalfAnAppend() {
        int pairs = 100;
        AtomicInteger written = new AtomicInteger();

        ConcurrentTasks.run(3, CONCURRENT_TIMEOUT, thread -> {
            if (thread == 0) {
                for (int i = 0; i < pairs; i++) {
                    store().append(AppendRequest.builder()
                            .append("left", ExpectedVersion.any(), event("pair-" + i))
                            .append("right", ExpectedVersion.any(), event("pair-" + i))
                            .build());
                    written.incrementAndGet();
                }
                return;
            }
            while (written.get() < pairs) {
                List<RecordedEvent> log = store().readAll(EventStore.END, Direction.BACKWARD, 10_000);
                assertThat(log.size() % 2).as("events visible to a reader: " + log.size()).isZero();
                Map<String, Long> perPair = log.stream()
                        .collect(Collectors.groupingBy(TestEvents::text, Collectors.counting()));
                assertThat(perPair.values()).allSatisfy(count -> assertThat(count).isEqualTo(2L));
            }
        });

        assertThat(readWholeStore()).hasSize(2 * pairs);
    }
}
