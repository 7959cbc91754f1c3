package io.rewind.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.rewind.api.AppendCallback;
import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.EventPage;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.HeadListener;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamListOptions;
import io.rewind.api.StreamPage;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.api.SubscriptionStatus;
import io.rewind.api.WriterQueue;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A store that measures every call to the store it wraps and otherwise is that store: every method
 * forwards, the non-blocking ones stay non-blocking, and {@code watchHead} and the callback form of
 * {@code appendAsync} reach the wrapped store, so a server serving this store behaves as it would
 * serving the wrapped one. The contract suite runs against it. Meters:
 * <ul>
 *   <li>{@code rewind_append_seconds}: appends, from the call to the acknowledgement (a histogram
 *       for percentiles), tagged {@code result=ok|error};</li>
 *   <li>{@code rewind_appended_events_total}, {@code rewind_appended_bytes_total} (data + metadata);</li>
 *   <li>{@code rewind_read_seconds} tagged {@code operation=stream|all|event|list}, and
 *       {@code rewind_read_events_total};</li>
 *   <li>{@code rewind_errors_total} tagged {@code operation} and {@code code} (the store's error code);</li>
 *   <li>{@code rewind_subscriptions} (open now) and {@code rewind_subscription_lag_max_events} (the
 *       largest distance between the head and what a subscription delivered); each one, with its
 *       request and lag, through {@link #openSubscriptions()};</li>
 *   <li>{@code rewind_writer_queue_events}, {@code rewind_writer_queue_bytes} and
 *       {@code rewind_writer_queue_limit_events}: what waits for the store's writer (present when the
 *       store has one: the log and the SQL stores), see {@link EventStore#writerQueue()}.</li>
 * </ul>
 * Thread-safe as the store it wraps.
 */
public final class MeteredEventStore implements EventStore {

    private final EventStore delegate;
    private final MeterRegistry registry;
    private final Timer appendsOk;
    private final Timer appendsFailed;
    private final Counter appendedEvents;
    private final Counter appendedBytes;
    private final Counter readEvents;
    /** Every subscription open now, with what it asked for and when. */
    private final Map<Subscription, Opened> subscriptions = new ConcurrentHashMap<>();

    private record Opened(SubscriptionRequest request, Instant at) {
    }

    public MeteredEventStore(EventStore delegate, MeterRegistry registry) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.appendsOk = appendTimer("ok");
        this.appendsFailed = appendTimer("error");
        this.appendedEvents = Counter.builder("rewind.appended.events").description("Events appended")
                .register(registry);
        this.appendedBytes = Counter.builder("rewind.appended").baseUnit("bytes")
                .description("Data and metadata bytes appended").register(registry);
        this.readEvents = Counter.builder("rewind.read.events").description("Events returned by reads")
                .register(registry);
        Gauge.builder("rewind.subscriptions", subscriptions, Map::size).description("Subscriptions open now")
                .register(registry);
        if (delegate.writerQueue().isPresent()) {
            Gauge.builder("rewind.writer.queue.events", delegate, s -> queued(s, WriterQueue::events))
                    .description("Events admitted and waiting for the store's writer").register(registry);
            Gauge.builder("rewind.writer.queue", delegate, s -> queued(s, WriterQueue::bytes)).baseUnit("bytes")
                    .description("Data and metadata bytes admitted and waiting for the store's writer")
                    .register(registry);
            Gauge.builder("rewind.writer.queue.limit.events", delegate, s -> queued(s, WriterQueue::maxEvents))
                    .description("The events that may wait for the writer before appends fail as overloaded")
                    .register(registry);
        }
        Gauge.builder("rewind.subscription.lag.max", this, MeteredEventStore::maxLag).baseUnit("events")
                .description("The largest number of events between the head and what a subscription delivered")
                .register(registry);
    }

    private Timer appendTimer(String result) {
        return Timer.builder("rewind.append").description("Appends, from the call to the acknowledgement")
                .tag("result", result).publishPercentileHistogram().register(registry);
    }

    private static double queued(EventStore store, java.util.function.ToLongFunction<WriterQueue> value) {
        return store.writerQueue().map(q -> (double) value.applyAsLong(q)).orElse(Double.NaN);
    }

    /**
     * The subscriptions served through this store and open now, oldest first, with how far each
     * has come (the console's list of subscriptions and their lag).
     */
    public List<SubscriptionStatus> openSubscriptions() {
        List<SubscriptionStatus> open = new ArrayList<>();
        subscriptions.forEach((subscription, opened) -> {
            if (!subscription.isClosed()) {
                open.add(new SubscriptionStatus(opened.request(), opened.at(), subscription.lastPosition()));
            }
        });
        open.sort(Comparator.comparing(SubscriptionStatus::opened));
        return open;
    }

    private double maxLag() {
        long head;
        try {
            head = delegate.headPosition();
        } catch (EventStoreException e) {
            return Double.NaN;
        }
        long lag = 0;
        for (Subscription subscription : subscriptions.keySet()) {
            lag = Math.max(lag, head - subscription.lastPosition());
        }
        return lag;
    }

    private void failed(String operation, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        String code = cause instanceof EventStoreException e ? e.code().name() : "INTERNAL";
        registry.counter("rewind.errors", "operation", operation, "code", code).increment();
    }

    // --- appends ------------------------------------------------------------------------------

    @Override
    public CompletableFuture<AppendResult> appendAsync(AppendRequest request) {
        long started = System.nanoTime();
        CompletableFuture<AppendResult> future;
        try {
            future = delegate.appendAsync(request);
        } catch (RuntimeException e) {
            appended(request, started, null, e);
            throw e;
        }
        future.whenComplete((result, failure) -> appended(request, started, result, failure));
        return future;
    }

    @Override
    public void appendAsync(AppendRequest request, AppendCallback whenDone) {
        if (whenDone == null) {
            delegate.appendAsync(request, null);
            return;
        }
        long started = System.nanoTime();
        delegate.appendAsync(request, (result, failure) -> {
            appended(request, started, result, failure);
            whenDone.completed(result, failure);
        });
    }

    private void appended(AppendRequest request, long started, AppendResult result, Throwable failure) {
        long elapsed = System.nanoTime() - started;
        if (failure != null) {
            appendsFailed.record(elapsed, TimeUnit.NANOSECONDS);
            failed("append", failure);
            return;
        }
        appendsOk.record(elapsed, TimeUnit.NANOSECONDS);
        appendedEvents.increment(result.events().size());
        long bytes = 0;
        for (AppendRequest.StreamAppend append : request.appends()) {
            for (EventData event : append.events()) {
                bytes += event.dataSize() + event.metadataSize();
            }
        }
        appendedBytes.increment(bytes);
    }

    // --- reads --------------------------------------------------------------------------------

    private Timer readTimer(String operation) {
        return Timer.builder("rewind.read").description("Reads").tag("operation", operation).register(registry);
    }

    private <T> CompletableFuture<T> timed(String operation, CompletableFuture<T> future,
            java.util.function.ToIntFunction<T> events) {
        long started = System.nanoTime();
        future.whenComplete((result, failure) -> {
            readTimer(operation).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            if (failure != null) {
                failed(operation, failure);
            } else {
                readEvents.increment(events.applyAsInt(result));
            }
        });
        return future;
    }

    private <T> T timed(String operation, java.util.function.Supplier<T> call,
            java.util.function.ToIntFunction<T> events) {
        long started = System.nanoTime();
        try {
            T result = call.get();
            readEvents.increment(events.applyAsInt(result));
            return result;
        } catch (RuntimeException e) {
            failed(operation, e);
            throw e;
        } finally {
            readTimer(operation).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public CompletableFuture<EventPage> readStreamAsync(String stream, ReadOptions options) {
        return timed("stream", delegate.readStreamAsync(stream, options), page -> page.events().size());
    }

    @Override
    public EventPage readStream(String stream, ReadOptions options) {
        return timed("stream", () -> delegate.readStream(stream, options), page -> page.events().size());
    }

    @Override
    public CompletableFuture<EventPage> readAllAsync(ReadOptions options) {
        return timed("all", delegate.readAllAsync(options), page -> page.events().size());
    }

    @Override
    public EventPage readAll(ReadOptions options) {
        return timed("all", () -> delegate.readAll(options), page -> page.events().size());
    }

    @Override
    public CompletableFuture<Optional<RecordedEvent>> readEventAsync(UUID id) {
        return timed("event", delegate.readEventAsync(id), found -> found.isPresent() ? 1 : 0);
    }

    @Override
    public Optional<RecordedEvent> readEvent(UUID id) {
        return timed("event", () -> delegate.readEvent(id), found -> found.isPresent() ? 1 : 0);
    }

    @Override
    public CompletableFuture<StreamPage> listStreamsAsync(StreamListOptions options) {
        return timed("list", delegate.listStreamsAsync(options), page -> 0);
    }

    @Override
    public StreamPage listStreams(StreamListOptions options) {
        return timed("list", () -> delegate.listStreams(options), page -> 0);
    }

    @Override
    public long firstPositionAtOrAfter(Instant time) {
        return delegate.firstPositionAtOrAfter(time);
    }

    @Override
    public Optional<io.rewind.api.WriterQueue> writerQueue() {
        return delegate.writerQueue();
    }

    @Override
    public long headPosition() {
        return delegate.headPosition();
    }

    @Override
    public Optional<StreamInfo> streamInfo(String stream) {
        return delegate.streamInfo(stream);
    }

    // --- subscriptions and the head -----------------------------------------------------------

    @Override
    public Subscription subscribe(SubscriptionRequest request, SubscriptionListener listener) {
        Subscription[] holder = new Subscription[1];
        SubscriptionListener counted = listener == null ? null : new SubscriptionListener() {
            @Override
            public void onEvent(io.rewind.api.SubscriptionEvent event) {
                listener.onEvent(event);
            }

            @Override
            public void onCheckpoint(long position) {
                listener.onCheckpoint(position);
            }

            @Override
            public void onCaughtUp() {
                listener.onCaughtUp();
            }

            @Override
            public void onClose(Throwable cause) {
                if (holder[0] != null) {
                    subscriptions.remove(holder[0]);
                }
                if (cause != null) {
                    failed("subscribe", cause);
                }
                listener.onClose(cause);
            }
        };
        Subscription subscription = delegate.subscribe(request, counted);
        holder[0] = subscription;
        subscriptions.put(subscription, new Opened(request, Instant.now()));
        if (subscription.isClosed()) {
            // It ended before it was held here (its onClose may have found no holder yet).
            subscriptions.remove(subscription);
        }
        return subscription;
    }

    @Override
    public HeadListener.Registration watchHead(HeadListener listener) {
        return delegate.watchHead(listener);
    }

    @Override
    public void close() {
        delegate.close();
        subscriptions.clear();
    }

    @Override
    public String toString() {
        return "metered " + delegate;
    }
}
