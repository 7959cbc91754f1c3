package io.rewind.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.groups.GroupService;
import io.rewind.security.AccessAudit;
import io.rewind.security.Operation;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The registry a served store's metrics live in, scraped as Prometheus text at {@code /metrics}:
 * the store's head position, the disk space left where the log lives, and the JVM's own meters
 * (memory, GC, threads, CPU, uptime), and the consumer groups' lag, in-flight, retries, parked
 * and consumers ({@link #watch(GroupService)}). The log's fsyncs and bytes come from {@link MeteredFileIO},
 * the operations' rates, latencies, errors and subscriptions from {@link MeteredEventStore}.
 * Thread-safe.
 */
public final class ServerMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /** Run before every scrape: meters whose set changes at runtime (one per group) are brought up to date. */
    private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();

    public ServerMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * {@code rewind_access_denied_total}, tagged {@code operation} ({@link Operation#tag()}): the
     * requests the security layer refused (or answered as not found), counted by {@code audit}.
     */
    public void watch(AccessAudit audit) {
        for (Operation operation : Operation.values()) {
            FunctionCounter.builder("rewind.access.denied", audit, counted -> counted.denied(operation))
                    .description("Requests refused by the caller's grants, or with a credential not accepted")
                    .tag("operation", operation.tag()).register(registry);
        }
    }

    /** The head position of {@code store} (-1 while empty; NaN while it cannot answer). */
    public void watch(EventStore store) {
        Gauge.builder("rewind.head.position", store, ServerMetrics::head)
                .description("The position of the newest event (its rate is the events appended per second)")
                .register(registry);
    }

    private static double head(EventStore store) {
        try {
            return store.headPosition();
        } catch (EventStoreException e) {
            return Double.NaN;
        }
    }

    /** The space left on the file system of {@code directory} (the log's), for an alert before it fills. */
    public void watchDisk(Path directory) {
        Optional<FileStore> fileStore = fileStore(directory);
        fileStore.ifPresent(store -> Gauge.builder("rewind.disk.free", store, ServerMetrics::usable).baseUnit("bytes")
                .description("Usable space on the file system of the log's directory").register(registry));
    }

    private static Optional<FileStore> fileStore(Path directory) {
        try {
            Path existing = directory.toAbsolutePath();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            return existing == null ? Optional.empty() : Optional.of(Files.getFileStore(existing));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static double usable(FileStore store) {
        try {
            return store.getUsableSpace();
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /**
     * The consumer groups of {@code groups}, one set of meters per group, tagged {@code group}
     * (see {@link GroupMeters}): brought up to date at every {@link #scrape}, so a group created
     * since appears and a deleted one's meters are gone.
     */
    public void watch(GroupService groups) {
        watchGroups(java.util.Objects.requireNonNull(groups, "groups")::metrics);
    }

    /**
     * As {@link #watch(GroupService)}, for groups whose service comes and goes (a cluster node runs
     * them only while it leads): {@code groups} is asked at every scrape, and the meters of the
     * groups it no longer reports are removed.
     */
    public void watchGroups(java.util.function.Supplier<java.util.List<io.rewind.groups.GroupMetrics>> groups) {
        GroupMeters meters = new GroupMeters(groups, registry);
        meters.refresh();
        beforeScrape.add(meters::refresh);
    }

    /** The Prometheus text format, for {@code GET /metrics}. */
    public String scrape() {
        beforeScrape.forEach(Runnable::run);
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
