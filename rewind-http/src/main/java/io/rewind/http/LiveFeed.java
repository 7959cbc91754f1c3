package io.rewind.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.StoreClosedException;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live feeds ({@code GET /api/feed}): a store subscription written to the response as Server-Sent
 * Events or NDJSON, history first and then live, until the client goes away or the server stops.
 *
 * <p>Flow control: each feed's events are written by its subscription's own thread with blocking
 * writes. A client that reads slowly makes only that thread wait; the store's subscription then
 * simply falls behind and catches up from history when the client reads again, so the server holds
 * no more than the socket's buffers per feed, however slow the reader. Heartbeats (an SSE comment,
 * or a control line in NDJSON) keep idle connections open and find clients that went away; a
 * heartbeat is skipped while an event is being written. Resuming: SSE carries each event's position
 * as its id, and {@code Last-Event-ID} (or {@code from}) starts the next feed right after it.
 * Thread-safe.
 */
final class LiveFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);

    private final Duration heartbeat;
    private final ScheduledExecutorService timer;
    /** Runs the heartbeat writes: a write to a client that stopped reading blocks only its own thread. */
    private final java.util.concurrent.ExecutorService beats;
    private final Set<Feed> open = ConcurrentHashMap.newKeySet();

    LiveFeed(Duration heartbeat) {
        this.heartbeat = heartbeat;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "rewind-http-heartbeat-timer");
            thread.setDaemon(true);
            return thread;
        });
        this.beats = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "rewind-http-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The feeds open now, each with what it has delivered. */
    java.util.List<FeedStatus> feeds() {
        java.util.List<FeedStatus> status = new java.util.ArrayList<>();
        for (Feed feed : open) {
            Subscription subscription = feed.subscription;
            status.add(new FeedStatus(feed.exchange.target() + (feed.exchange.request.getHttpURI().getQuery() == null ? ""
                    : "?" + feed.exchange.request.getHttpURI().getQuery()), feed.sse ? "sse" : "ndjson",
                    subscription == null ? feed.after : subscription.lastPosition()));
        }
        return status;
    }

    void serve(Exchange x) {
        x.onlyParameters("from", "prefix", "stream", "type", "checkpoint_events", "checkpoint_ms", "encoding");
        // The start is resolved to a position here, before subscribing, so that the feed can say
        // where it starts before the first event: "from the end" is "after the head now".
        long after = startAfter(x);
        SubscriptionRequest request = filter(x, SubscriptionRequest.after(after));
        boolean base64 = switch (x.text("encoding", "auto")) {
            case "auto" -> false;
            case "base64" -> true;
            default -> throw new InvalidRequestException("encoding: use auto or base64");
        };
        boolean sse = !x.accepts(Exchange.NDJSON) || x.accepts(Exchange.EVENT_STREAM);
        Feed feed = new Feed(x, sse, base64, after);
        open.add(feed);
        try {
            feed.begin(x.store.subscribe(request, feed));
            feed.start();
        } catch (RuntimeException e) {
            open.remove(feed);
            feed.subscriptionClose();
            throw e;
        }
    }

    /**
     * The feed's filter, applied by the store: one exact {@code stream} or a name {@code prefix},
     * and {@code type} (repeatable) for event types; a filtered feed sends checkpoint notices at
     * least every {@code checkpoint_events} skipped events or {@code checkpoint_ms} milliseconds.
     */
    private static SubscriptionRequest filter(Exchange x, SubscriptionRequest request) {
        String stream = x.text("stream", null);
        String prefix = x.text("prefix", "");
        if (stream != null && !prefix.isEmpty()) {
            throw new InvalidRequestException("stream, prefix: give one of them, not both");
        }
        SubscriptionRequest filtered = request;
        if (stream != null) {
            filtered = filtered.toStream(stream);
        } else if (!prefix.isEmpty()) {
            filtered = filtered.withStreamPrefix(prefix);
        }
        List<String> types = x.values("type");
        if (!types.isEmpty()) {
            filtered = filtered.withTypes(types);
        }
        long events = x.number("checkpoint_events", SubscriptionRequest.DEFAULT_CHECKPOINT_EVENTS);
        long millis = x.number("checkpoint_ms", SubscriptionRequest.DEFAULT_CHECKPOINT_INTERVAL.toMillis());
        if (events < 1 || events > SubscriptionRequest.MAX_CHECKPOINT_EVENTS) {
            throw new InvalidRequestException("checkpoint_events: 1 to " + SubscriptionRequest.MAX_CHECKPOINT_EVENTS
                    + ", was " + events);
        }
        if (millis < 1 || millis > SubscriptionRequest.MAX_CHECKPOINT_INTERVAL.toMillis()) {
            throw new InvalidRequestException("checkpoint_ms: 1 to " + SubscriptionRequest.MAX_CHECKPOINT_INTERVAL
                    .toMillis() + ", was " + millis);
        }
        return filtered.withCheckpoints((int) events, Duration.ofMillis(millis));
    }

    /**
     * Where the feed starts: after {@code Last-Event-ID} when the client resumes, else {@code from}:
     * {@code start}, {@code end} (the default: only new events) or a position N, the first to deliver.
     */
    private long startAfter(Exchange x) {
        String lastEventId = x.header("Last-Event-ID");
        if (lastEventId != null && !lastEventId.isBlank()) {
            try {
                long position = Long.parseLong(lastEventId.trim());
                if (position < -1) {
                    throw new IllegalArgumentException("below -1");
                }
                return position;
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("Last-Event-ID: a position (a whole number >= -1), was '"
                        + AppendParser.clip(lastEventId) + "'");
            }
        }
        String from = x.text("from", "end");
        switch (from) {
            case "start":
                return -1;
            case "end":
                return x.store.headPosition();
            default:
                long position = x.number("from", 0);
                if (position < 0) {
                    throw new InvalidRequestException("from: start, end or a position >= 0, was " + position);
                }
                return position - 1;
        }
    }

    @Override
    public void close() {
        for (Feed feed : open) {
            feed.subscriptionClose();
        }
        timer.shutdownNow();
        beats.shutdownNow();
    }

    /** One client's feed. The lock orders the writes of the subscription thread and the heartbeat. */
    private final class Feed implements SubscriptionListener {
        private final Exchange exchange;
        private final boolean sse;
        private final boolean base64;
        private final ReentrantLock writing = new ReentrantLock();
        private final OutputStream out;
        private volatile Subscription subscription;
        private volatile ScheduledFuture<?> beat;
        private volatile boolean ended;
        private final long after;
        /** Whether the headers and the open notice were sent; guarded by {@code writing}. */
        private boolean started;

        Feed(Exchange exchange, boolean sse, boolean base64, long after) {
            this.exchange = exchange;
            this.after = after;
            this.sse = sse;
            this.base64 = base64;
            // Nothing is sent yet: if the store refuses the subscription (a principal without the
            // grant), the handler can still answer with a problem instead of this 200.
            this.out = exchange.stream(200, sse ? Exchange.EVENT_STREAM : Exchange.NDJSON);
        }

        /** Sends the headers and the start point, unless the first event or notice did already. */
        void start() {
            write("");
        }

        void begin(Subscription started) {
            this.subscription = started;
            long millis = heartbeat.toMillis();
            this.beat = timer.scheduleAtFixedRate(() -> beats.execute(this::heartbeat), millis, millis,
                    TimeUnit.MILLISECONDS);
            if (ended) {
                // The subscription ended before we held it (the store closed at once).
                started.close();
                beat.cancel(false);
            }
        }

        @Override
        public void onEvent(SubscriptionEvent delivery) {
            byte[] json = eventJson(delivery);
            String position = Long.toString(delivery.event().position());
            if (sse) {
                write("id: " + position + "\nevent: event\ndata: " + new String(json, StandardCharsets.UTF_8)
                        + "\n\n");
            } else {
                write(new String(json, StandardCharsets.UTF_8) + "\n");
            }
        }

        /** A filtered feed's notice: SSE carries it as an id too, so Last-Event-ID resumes after it. */
        @Override
        public void onCheckpoint(long position) {
            write(sse ? "id: " + position + "\nevent: checkpoint\ndata: {\"position\":" + position + "}\n\n"
                    : "{\"control\":\"checkpoint\",\"position\":" + position + "}\n");
        }

        @Override
        public void onCaughtUp() {
            write(sse ? "event: caught-up\ndata: {}\n\n" : "{\"control\":\"caught-up\"}\n");
        }

        @Override
        public void onClose(Throwable cause) {
            ended = true;
            ScheduledFuture<?> scheduled = beat;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            open.remove(this);
            if (cause == null || cause instanceof StoreClosedException) {
                try {
                    if (cause != null) {
                        write(sse ? "event: closed\ndata: {}\n\n" : "{\"control\":\"closed\"}\n");
                    }
                    exchange.finish(out);
                } catch (IOException | UncheckedIOException e) {
                    exchange.callback.failed(e);
                }
            } else {
                LOG.debug("live feed {} ended: {}", exchange.target(), cause.toString());
                exchange.callback.failed(cause);
            }
        }

        private byte[] eventJson(SubscriptionEvent delivery) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
            try (JsonGenerator generator = Json.generator(buffer)) {
                Json.writeEvent(generator, delivery.event(), base64, delivery.previousPosition());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return buffer.toByteArray();
        }

        /** A blocking write and flush; a failure (the client went away) ends the subscription. */
        private void write(String text) {
            writing.lock();
            try {
                if (!started) {
                    // The headers and the start point go out before the first event.
                    started = true;
                    out.write((sse ? "event: open\ndata: {\"after\":" + after + "}\n\n"
                            : "{\"control\":\"open\",\"after\":" + after + "}\n").getBytes(StandardCharsets.UTF_8));
                }
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("the client of " + exchange.target() + " went away", e);
            } finally {
                writing.unlock();
            }
        }

        private void heartbeat() {
            if (!writing.tryLock()) {
                return;
            }
            try {
                if (!started) {
                    return;
                }
                out.write((sse ? ": heartbeat\n\n" : "{\"control\":\"heartbeat\"}\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                subscriptionClose();
            } finally {
                writing.unlock();
            }
        }

        void subscriptionClose() {
            Subscription current = subscription;
            if (current != null) {
                current.close();
            }
        }
    }
}
