package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.RecordedEvent;
import io.rewind.api.WrongExpectedVersionException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LogEventStore#appendReplicated}: the same calls give the same records on two stores. */
class ReplicatedAppendTest {

    @TempDir
    Path directory;

    @Test
    void theSameReplicatedAppendsStoreTheSameRecordsWithTheGivenTimestamps() throws Exception {
        Instant base = Instant.parse("2026-01-02T03:04:05.123456Z");
        List<AppendRequest> requests = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            requests.add(AppendRequest.to("s-" + (i % 3), i == 7 ? ExpectedVersion.exactly(99) : ExpectedVersion.any(),
                    EventData.of(UUID.randomUUID(), "t", new byte[] {(byte) i})));
        }
        List<List<RecordedEvent>> logs = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            try (LogEventStore store = LogEventStore.open(LogConfig.builder(directory.resolve(name)).build())) {
                List<CompletableFuture<AppendResult>> outcomes = new ArrayList<>();
                for (int i = 0; i < requests.size(); i++) {
                    CompletableFuture<AppendResult> outcome = new CompletableFuture<>();
                    // Timestamp 10 goes back in time: the stored one stays at the last one stored.
                    Instant stamp = base.plusMillis(i == 10 ? -5000 : i);
                    store.appendReplicated(requests.get(i), stamp, (result, error) -> {
                        if (error != null) {
                            outcome.completeExceptionally(error);
                        } else {
                            outcome.complete(result);
                        }
                    });
                    outcomes.add(outcome);
                }
                assertThat(outcomes.get(7)).failsWithin(java.time.Duration.ofSeconds(30))
                        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .withCauseInstanceOf(WrongExpectedVersionException.class);
                outcomes.get(19).get();
                logs.add(store.readAll(0, Direction.FORWARD, 100));
            }
        }
        assertThat(logs.get(0)).hasSize(19).isEqualTo(logs.get(1));
        assertThat(logs.get(0).get(0).timestamp()).isEqualTo(base);
        assertThat(logs.get(0).get(9).timestamp()).as("the append stamped before its predecessor")
                .isEqualTo(logs.get(0).get(8).timestamp());
    }

    @Test
    void aReplicatedAppendMustCarryEveryEventsId() {
        try (LogEventStore store = LogEventStore.open(LogConfig.builder(directory).build())) {
            CompletableFuture<EventStoreException> refused = new CompletableFuture<>();
            store.appendReplicated(AppendRequest.to("s", ExpectedVersion.any(), EventData.of("t", new byte[0])),
                    Instant.now(), (result, error) -> refused.complete(error));
            assertThat(refused.join()).isInstanceOf(InvalidRequestException.class).hasMessageContaining("id");
            assertThat(store.headPosition()).isEqualTo(-1);
        }
    }
}
