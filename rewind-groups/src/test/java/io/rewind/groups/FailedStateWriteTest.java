package io.rewind.groups;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.StoreUnavailableException;
import io.rewind.memory.MemoryEventStore;
import io.rewind.testkit.Await;
import io.rewind.testkit.ForwardingEventStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A store that refuses the group's state writes for a while: they are retried, and nothing is lost. */
class FailedStateWriteTest {

    /** Fails the next {@code failures} appends that write a checkpoint. */
    private static final class RefusingStore extends ForwardingEventStore {
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();

        RefusingStore(EventStore delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<AppendResult> appendAsync(AppendRequest request) {
            boolean state = request.appends().stream().anyMatch(a -> a.stream().startsWith("$rewind.checkpoint."));
            if (state && failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                refused.incrementAndGet();
                return CompletableFuture.failedFuture(new StoreUnavailableException("disk unplugged (test)"));
            }
            return super.appendAsync(request);
        }
    }

    @Test
    void refusedCheckpointAndParkedWritesAreRetriedUntilTheyLand() {
        MemoryEventStore memory = MemoryEventStore.create();
        RefusingStore store = new RefusingStore(memory);
        GroupServiceOptions options = GroupServiceOptions.defaults().withFlushInterval(Duration.ofMillis(5));
        GroupSettings settings = new GroupSettings(5, Duration.ofSeconds(60), 0, Duration.ZERO, Strategy.ROUND_ROBIN);
        long parkedAt;
        long last;
        try (GroupService service = GroupService.open(store, options)) {
            service.create("g", settings, GroupFilter.allStreams(), GroupStart.beginning());
            store.failures.set(3);
            parkedAt = memory.append("s", ExpectedVersion.any(), EventData.of("A", bytes("a"))).lastPosition();
            last = memory.append("s", ExpectedVersion.any(), EventData.of("B", bytes("b"))).lastPosition();
            GroupServiceContract.Recorder consumer = new GroupServiceContract.Recorder();
            service.join("g", "c", consumer);
            service.nack("g", "c", consumer.next().id(), NackAction.PARK, "poison");
            service.ack("g", "c", consumer.next().id());
            Await.until(() -> service.describe("g").durableCheckpoint() == last, Await.DEFAULT_TIMEOUT,
                    () -> "the checkpoint lands after the refusals; " + service.describe("g"));
            assertThat(store.refused.get()).isEqualTo(3);
        }
        try (GroupService again = GroupService.open(memory, options)) {
            assertThat(again.describe("g").checkpoint()).isEqualTo(last);
            assertThat(again.parked("g")).extracting(ParkedEvent::position).containsExactly(parkedAt);
        } finally {
            memory.close();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
