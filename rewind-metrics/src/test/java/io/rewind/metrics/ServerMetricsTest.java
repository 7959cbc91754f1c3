package io.rewind.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.AccessDeniedException;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.log.io.FileIO;
import io.rewind.memory.MemoryEventStore;
import io.rewind.security.AccessPolicy;
import io.rewind.security.Principal;
import io.rewind.security.SecuredEventStore;
import io.rewind.testkit.TestEvents;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meters of a log store served with metrics, read back as Prometheus text. */
class ServerMetricsTest {

    @TempDir
    Path directory;

    @Test
    void theLogsFsyncsBytesHeadAndDiskAreInThePrometheusText() {
        try (ServerMetrics metrics = new ServerMetrics();
                LogEventStore store = LogEventStore.open(LogConfig.builder(directory.resolve("log"))
                        .fileIO(new MeteredFileIO(FileIO.real(), metrics.registry())).build())) {
            metrics.watch(store);
            metrics.watchDisk(directory.resolve("log"));
            for (int i = 0; i < 5; i++) {
                store.append("metered", ExpectedVersion.any(), TestEvents.event("event " + i));
            }
            String text = metrics.scrape();
            assertThat(text).contains("rewind_head_position 4.0");
            assertThat(count(text, "rewind_fsync_seconds_count")).as("a force per acknowledged append at least")
                    .isGreaterThanOrEqualTo(5);
            assertThat(count(text, "rewind_segment_written_bytes_total")).isPositive();
            assertThat(count(text, "rewind_written_bytes_total"))
                    .isGreaterThanOrEqualTo(count(text, "rewind_segment_written_bytes_total"));
            assertThat(count(text, "rewind_disk_free_bytes")).isPositive();
            assertThat(text).contains("rewind_fsync_seconds_bucket").contains("jvm_memory_used_bytes");
        }
    }

    @Test
    void deniedRequestsAreCountedByOperation() {
        try (ServerMetrics metrics = new ServerMetrics(); MemoryEventStore store = MemoryEventStore.create()) {
            AccessPolicy policy = AccessPolicy.of(new Principal("reader", List.of(), false, false));
            metrics.watch(policy.audit());
            EventStore view = SecuredEventStore.view(store, policy, "reader");
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> view.append("secret", ExpectedVersion.any(), TestEvents.event("x")))
                        .isInstanceOf(AccessDeniedException.class);
            }

            String text = metrics.scrape();

            assertThat(text).contains("rewind_access_denied_total{operation=\"append\"} 3.0")
                    .contains("rewind_access_denied_total{operation=\"read_all\"} 0.0");
        }
    }

    /** The value of the first sample of {@code name}. */
    private static double count(String text, String name) {
        return text.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not in " + text));
    }
}
