package io.rewind.log;

import io.rewind.api.AppendRequest;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A hand-run measurement, not a test: fills a store with {@code events} 100-byte events (100 per
 * stream), closes it, and times the reopen and a random lookup.
 * Usage: {@code ReopenMeasurement <events> <directory>}; run with e.g. {@code -Xmx1g}.
 */
public final class ReopenMeasurement {

    private ReopenMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        long events = Long.parseLong(args[0]);
        Path directory = Path.of(args[1]);
        LogConfig config = LogConfig.builder(directory).durability(Durability.NEVER).build();
        UUID probe = null;
        if (!Files.exists(directory)) {
            long start = System.nanoTime();
            try (LogEventStore store = LogEventStore.open(config)) {
                byte[] payload = new byte[100];
                for (long i = 0; i < events; i += 100) {
                    List<EventData> batch = new ArrayList<>(100);
                    for (int j = 0; j < 100; j++) {
                        batch.add(EventData.of(UUID.randomUUID(), "bench", payload));
                    }
                    if (i == events / 2) {
                        probe = batch.get(7).id();
                    }
                    store.appendAsync(AppendRequest.to("stream-" + (i / 100), ExpectedVersion.any(), batch));
                }
                store.append("last", ExpectedVersion.any(), EventData.of("bench", payload));
            }
            System.out.printf("wrote %d events in %.1f s%n", events, (System.nanoTime() - start) / 1e9);
        }
        long start = System.nanoTime();
        try (LogEventStore store = LogEventStore.open(config)) {
            double openSeconds = (System.nanoTime() - start) / 1e9;
            Runtime runtime = Runtime.getRuntime();
            System.gc();
            System.out.printf("reopened %d events in %.3f s, heap used %d MiB%n", store.headPosition() + 1,
                    openSeconds, (runtime.totalMemory() - runtime.freeMemory()) >> 20);
            long lookup = System.nanoTime();
            int found = store.readStream("stream-" + (events / 200), 0, Direction.FORWARD, 100).size();
            if (probe != null) {
                found += store.readEvent(probe).isPresent() ? 1 : 0;
            }
            System.out.printf("stream read + id lookup (%d found) in %.2f ms%n", found, (System.nanoTime() - lookup) / 1e6);
        }
    }
}
