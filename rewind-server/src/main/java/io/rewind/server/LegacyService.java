package io.rewind.server;

import io.rewind.api.AppendRequest;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventPage;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.protocol.MalformedMessageException;
import io.rewind.protocol.legacy.GoRewindReply;
import io.rewind.protocol.legacy.GoRewindRequest;
import io.rewind.protocol.legacy.LegacyEvent;
import io.rewind.protocol.legacy.RewindReply;
import io.rewind.protocol.legacy.RewindRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the two legacy dialects: Rewind's PUBLISH/QUERY (one reply message each, QUERY over the
 * whole store in pages of 100) and GoRewind's PUBLISH/QUERY (a QUERY streams one EVENT message per
 * event, then END). A PUBLISH goes from the socket thread straight to the store ({@link AppendPath});
 * QUERY reads are the store's async, byte-bounded reads, started on the socket thread (they never
 * read on it); everything else is on the socket thread.
 *
 * <p>A GoRewind QUERY reads its stream one page at a time and reads the next page only once the
 * client's ZeroMQ queue has taken the last one, so a huge stream or a slow client never fills the
 * server's memory. Socket thread only.
 */
final class LegacyService {

    private static final Logger LOG = LoggerFactory.getLogger(LegacyService.class);
    /** Events per store read while streaming a GoRewind QUERY. */
    private static final int STREAM_PAGE = 256;

    private final EventStore store;
    private final ServerConfig config;
    private final OffThread offThread;
    private final Replies replies;
    private final AppendPath appends;

    LegacyService(EventStore store, ServerConfig config, OffThread offThread, AppendPath appends, Replies replies) {
        this.store = store;
        this.appends = appends;
        this.config = config;
        this.offThread = offThread;
        this.replies = replies;
    }

    /** Serves a Rewind request; the caller has counted it in flight. */
    void rewind(InboundMessage message) {
        RewindRequest request;
        try {
            request = RewindRequest.decode(message.body());
        } catch (MalformedMessageException e) {
            rewindFailed(message, e);
            return;
        }
        if (request instanceof RewindRequest.Publish publish) {
            append(config.defaultStream(), publish.data(), (id, failure) -> {
                if (failure != null) {
                    rewindFailed(message, failure);
                } else {
                    rewindAnswer(message, new RewindReply.Published());
                }
            });
        } else {
            RewindRequest.Query query = (RewindRequest.Query) request;
            offThread.started(() -> queryAll(query.from(), query.to()), (page, failure) -> {
                if (failure != null) {
                    rewindFailed(message, failure);
                } else {
                    rewindAnswer(message, page);
                }
            });
        }
    }

    /** Serves a GoRewind request; the caller has counted it in flight. */
    void goRewind(InboundMessage message) {
        GoRewindRequest request;
        try {
            request = GoRewindRequest.decode(message.body());
        } catch (MalformedMessageException e) {
            goRewindFailed(message, e);
            return;
        }
        if (request instanceof GoRewindRequest.Publish publish) {
            append(publish.stream(), publish.data(), (id, failure) -> {
                if (failure != null) {
                    goRewindFailed(message, failure);
                } else {
                    goRewindAnswer(message, new GoRewindReply.Published(id));
                }
            });
        } else {
            GoRewindRequest.Query query = (GoRewindRequest.Query) request;
            offThread.started(() -> StreamRange.resolve(store, query), (range, failure) -> {
                if (failure != null) {
                    goRewindFailed(message, failure);
                } else {
                    streamPage(message, range, range.fromVersion());
                }
            });
        }
    }

    private void append(String stream, byte[] data, java.util.function.BiConsumer<UUID, Throwable> then) {
        AppendRequest request = AppendRequest.to(stream, ExpectedVersion.any(), EventData.of("", data));
        appends.start(request,
                (result, failure) -> then.accept(failure == null ? result.events().get(0).id() : null, failure));
    }

    /**
     * Rewind's QUERY: events after {@code from} up to {@code to}, all streams, at most 100, read
     * with the async reads under the reply budget (several reads when the events are large, so
     * that the page is still exactly the next 100 events, as the original server sends).
     */
    private CompletableFuture<RewindReply> queryAll(UUID from, UUID to) {
        CompletableFuture<Long> start = from == null ? CompletableFuture.completedFuture(0L)
                : positionOf(from).thenApply(position -> position + 1);
        CompletableFuture<Long> end = to == null ? CompletableFuture.completedFuture(Long.MAX_VALUE) : positionOf(to);
        return start.thenCombine(end, (first, last) -> {
            if (first - 1 > last) {
                throw new EventStoreException(ErrorCode.BAD_REQUEST, "from event " + from + " is after to event " + to);
            }
            return new long[] {first, last};
        }).thenCompose(range -> queryPage(new ArrayList<>(), range[0], range[1]));
    }

    private CompletableFuture<RewindReply> queryPage(List<LegacyEvent> events, long from, long end) {
        if (from > end || events.size() == RewindReply.PAGE_SIZE) {
            return CompletableFuture.completedFuture(new RewindReply.Page(events, events.size() < RewindReply.PAGE_SIZE));
        }
        ReadOptions options = ReadOptions.from(from, Direction.FORWARD)
                .withMaxEvents(RewindReply.PAGE_SIZE - events.size()).withMaxBytes(config.maxReplyBytes());
        return store.readAllAsync(options).thenCompose(page -> {
            for (RecordedEvent event : page.events()) {
                if (event.position() > end) {
                    return queryPage(events, end + 1, end);
                }
                events.add(new LegacyEvent(event.id(), event.data()));
            }
            if (!page.byteBudgetReached()) {
                return CompletableFuture.completedFuture(
                        new RewindReply.Page(events, events.size() < RewindReply.PAGE_SIZE));
            }
            return queryPage(events, page.next().orElseThrow(), end);
        });
    }

    private CompletableFuture<Long> positionOf(UUID id) {
        return store.readEventAsync(id).thenApply(found -> found.orElseThrow(() -> unknown(id)).position());
    }

    static EventStoreException unknown(UUID id) {
        return new EventStoreException(ErrorCode.NOT_FOUND, "Unknown event id " + id);
    }

    /**
     * Streams one page of a GoRewind QUERY (at most {@value #STREAM_PAGE} events and
     * {@link ServerConfig#maxReplyBytes()} of data), then the next once the client took it.
     */
    private void streamPage(InboundMessage message, StreamRange range, long fromVersion) {
        offThread.started(() -> range.page(store, fromVersion, STREAM_PAGE, config.maxReplyBytes()), (page, failure) -> {
            if (failure != null) {
                // Some EVENT messages may be out already; GoRewind clients stop at the ERROR.
                goRewindFailed(message, failure);
                return;
            }
            List<RecordedEvent> events = page.events();
            for (RecordedEvent event : events) {
                replies.send(message, false,
                        new GoRewindReply.Event(new LegacyEvent(event.id(), event.data())).toFrames());
            }
            boolean full = events.size() == STREAM_PAGE || page.byteBudgetReached();
            boolean more = full && !events.isEmpty() && events.get(events.size() - 1).version() < range.toVersion();
            if (more) {
                long next = events.get(events.size() - 1).version() + 1;
                replies.whenWritable(message.peer(), () -> streamPage(message, range, next), replies::finished);
            } else {
                goRewindAnswer(message, new GoRewindReply.End());
            }
        });
    }

    private void rewindAnswer(InboundMessage message, RewindReply reply) {
        replies.send(message, true, reply.toFrames());
        replies.finished();
    }

    private void goRewindAnswer(InboundMessage message, GoRewindReply reply) {
        replies.send(message, false, reply.toFrames());
        replies.finished();
    }

    private void rewindFailed(InboundMessage message, Throwable failure) {
        rewindAnswer(message, new RewindReply.Error(reason(message, failure)));
    }

    private void goRewindFailed(InboundMessage message, Throwable failure) {
        goRewindAnswer(message, new GoRewindReply.Error(reason(message, failure)));
    }

    /**
     * The reason text of an ERROR reply; logs the failure: bad input at WARN, store trouble at
     * ERROR, and the outcomes of optimistic concurrency (a wrong expected version, an id stored
     * with other content) and overload only at DEBUG, because writers meet them in normal operation
     * (and an overloaded server would otherwise log once per refused request); a denied request at
     * DEBUG too, because the security layer logged it already, rate-limited.
     */
    static String reason(InboundMessage message, Throwable failure) {
        if (failure instanceof EventStoreException e) {
            if (e.code() == ErrorCode.WRONG_EXPECTED_VERSION || e.code() == ErrorCode.IDEMPOTENCY_CONFLICT
                    || e.code() == ErrorCode.OVERLOADED || e.code() == ErrorCode.ACCESS_DENIED
                    || e.code() == ErrorCode.UNAUTHENTICATED || e instanceof io.rewind.api.NotLeaderException) {
                LOG.debug("Refused a request from {}: {}", message.describe(), e.getMessage());
            } else if (e.code() == ErrorCode.BAD_REQUEST || e.code() == ErrorCode.NOT_FOUND
                    || e.code() == ErrorCode.TOO_LARGE) {
                LOG.warn("Rejected a request from {}: {}", message.describe(), e.getMessage());
            } else {
                LOG.error("A request from {} failed: {}", message.describe(), e.toString());
            }
            return e.getMessage();
        }
        LOG.error("A request from {} failed unexpectedly", message.describe(), failure);
        return "Internal error: " + failure;
    }

    /** A GoRewind QUERY resolved to versions of its stream: {@code [fromVersion, toVersion]}. */
    record StreamRange(String stream, long fromVersion, long toVersion) {

        static CompletableFuture<StreamRange> resolve(EventStore store, GoRewindRequest.Query query) {
            CompletableFuture<Long> from = query.from() == null ? CompletableFuture.completedFuture(0L)
                    : versionIn(store, query.stream(), query.from()).thenApply(version -> version + 1);
            CompletableFuture<Long> to = query.to() == null ? CompletableFuture.completedFuture(Long.MAX_VALUE)
                    : versionIn(store, query.stream(), query.to());
            return from.thenCombine(to, (first, last) -> {
                if (first - 1 > last) {
                    throw new EventStoreException(ErrorCode.BAD_REQUEST,
                            "from event " + query.from() + " is after to event " + query.to());
                }
                return new StreamRange(query.stream(), first, last);
            });
        }

        private static CompletableFuture<Long> versionIn(EventStore store, String stream, UUID id) {
            return store.readEventAsync(id).thenApply(found -> {
                RecordedEvent event = found.orElseThrow(() -> unknown(id));
                if (!event.stream().equals(stream)) {
                    throw new EventStoreException(ErrorCode.NOT_FOUND,
                            "Unknown event id " + id + " in stream " + stream);
                }
                return event.version();
            });
        }

        /** The next page from {@code fromVersion}, without the events after {@code toVersion}. */
        CompletableFuture<EventPage> page(EventStore store, long fromVersion, int limit, long maxBytes) {
            if (fromVersion > toVersion) {
                return CompletableFuture.completedFuture(new EventPage(List.of(), false, OptionalLong.empty()));
            }
            ReadOptions options = ReadOptions.from(fromVersion, Direction.FORWARD).withMaxEvents(limit)
                    .withMaxBytes(maxBytes);
            return store.readStreamAsync(stream, options).thenApply(page -> {
                List<RecordedEvent> events = new ArrayList<>(page.events());
                boolean cut = events.removeIf(event -> event.version() > toVersion);
                return cut ? new EventPage(events, false, OptionalLong.empty()) : page;
            });
        }
    }
}
