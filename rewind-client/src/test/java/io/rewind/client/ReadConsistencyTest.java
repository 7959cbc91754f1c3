package io.rewind.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.EventPage;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.ReadOptions;
import io.rewind.memory.MemoryEventStore;
import io.rewind.testkit.ForwardingEventStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A read's leader consistency travels from the Java client through the server to the store it
 * serves (a cluster node acts on it; docs/CLUSTER.md), and a read without it stays as it was.
 */
class ReadConsistencyTest {

    @Test
    void theClientAsksTheServersStoreForLeaderConsistencyOnlyWhenTheReadDoes() {
        List<ReadOptions> seen = new CopyOnWriteArrayList<>();
        EventStore store = new ForwardingEventStore(MemoryEventStore.create()) {
            @Override
            public CompletableFuture<EventPage> readAllAsync(ReadOptions options) {
                seen.add(options);
                return super.readAllAsync(options);
            }

            @Override
            public CompletableFuture<EventPage> readStreamAsync(String stream, ReadOptions options) {
                seen.add(options);
                return super.readStreamAsync(stream, options);
            }
        };
        try (InProcessServer server = InProcessServer.start(store, settings -> settings);
                EventStore client = server.connect()) {
            client.append("s", ExpectedVersion.any(), EventData.of("t", new byte[] {1}));
            assertThat(client.readAll(ReadOptions.forward().withLeaderConsistency()).events()).hasSize(1);
            assertThat(client.readStream("s", ReadOptions.forward().withLeaderConsistency().withMaxBytes(10))
                    .events()).hasSize(1);
            assertThat(client.readAll(ReadOptions.forward()).events()).hasSize(1);
            assertThat(client.readStream("s", ReadOptions.forward()).events()).hasSize(1);
            assertThat(seen).extracting(ReadOptions::leaderConsistent).containsExactly(true, true, false, false);
        }
    }
}
