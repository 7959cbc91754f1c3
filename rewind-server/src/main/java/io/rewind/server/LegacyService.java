package io.rewind.server;

import io.rewind.api.AppendRequest;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.protocol.MalformedMessageException;
import io.rewind.protocol.legacy.GoRewindReply;
import io.rewind.protocol.legacy.GoRewindRequest;
import io.rewind.protocol.legacy.LegacyEvent;
import io.rewind.protocol.legacy.RewindReply;
import io.rewind.protocol.legacy.RewindRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the two legacy dialects: Rewind's PUBLISH/QUERY (one reply message each, QUERY over the
 * whole store in pages of 100) and GoRewind's PUBLISH/QUERY (a QUERY streams one EVENT message per
 * event, then END). A PUBLISH goes from the socket thread straight to the store ({@link AppendPath});
 * QUERY reads run on workers; everything else on the socket thread.
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
            offThread.call(() -> queryAll(query.from(), query.to()), (page, failure) -> {
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
            offThread.call(() -> StreamRange.resolve(store, query), (range, failure) -> {
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

    /** Rewind's QUERY: events after {@code from} up to {@code to}, all streams, at most 100. */
    private RewindReply queryAll(UUID from, UUID to) {
        long start = from == null ? 0 : positionOf(from) + 1;
        long end = to == null ? Long.MAX_VALUE : positionOf(to);
        if (start - 1 > end) {
            throw new EventStoreException(ErrorCode.BAD_REQUEST, "from event " + from + " is after to event " + to);
        }
        List<LegacyEvent> events = new ArrayList<>();
        if (start <= end) {
            for (RecordedEvent event : store.readAll(start, Direction.FORWARD, RewindReply.PAGE_SIZE)) {
                if (event.position() > end) {
                    break;
                }
                events.add(new LegacyEvent(event.id(), event.data()));
            }
        }
        return new RewindReply.Page(events, events.size() < RewindReply.PAGE_SIZE);
    }

    private long positionOf(UUID id) {
        return store.readEvent(id).orElseThrow(() -> unknown(id)).position();
    }

    static EventStoreException unknown(UUID id) {
        return new EventStoreException(ErrorCode.NOT_FOUND, "Unknown event id " + id);
    }

    private void streamPage(InboundMessage message, StreamRange range, long fromVersion) {
        offThread.call(() -> range.page(store, fromVersion, STREAM_PAGE), (page, failure) -> {
            if (failure != null) {
                // Some EVENT messages may be out already; GoRewind clients stop at the ERROR.
                goRewindFailed(message, failure);
                return;
            }
            for (RecordedEvent event : page) {
                replies.send(message, false,
                        new GoRewindReply.Event(new LegacyEvent(event.id(), event.data())).toFrames());
            }
            boolean more = page.size() == STREAM_PAGE && page.get(page.size() - 1).version() < range.toVersion();
            if (more) {
                long next = page.get(page.size() - 1).version() + 1;
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
     * (and an overloaded server would otherwise log once per refused request).
     */
    static String reason(InboundMessage message, Throwable failure) {
        if (failure instanceof EventStoreException e) {
            if (e.code() == ErrorCode.WRONG_EXPECTED_VERSION || e.code() == ErrorCode.IDEMPOTENCY_CONFLICT
                    || e.code() == ErrorCode.OVERLOADED) {
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

        static StreamRange resolve(EventStore store, GoRewindRequest.Query query) {
            long from = query.from() == null ? 0 : versionIn(store, query.stream(), query.from()) + 1;
            long to = query.to() == null ? Long.MAX_VALUE : versionIn(store, query.stream(), query.to());
            if (from - 1 > to) {
                throw new EventStoreException(ErrorCode.BAD_REQUEST,
                        "from event " + query.from() + " is after to event " + query.to());
            }
            return new StreamRange(query.stream(), from, to);
        }

        private static long versionIn(EventStore store, String stream, UUID id) {
            RecordedEvent event = store.readEvent(id).orElseThrow(() -> unknown(id));
            if (!event.stream().equals(stream)) {
                throw new EventStoreException(ErrorCode.NOT_FOUND,
                        "Unknown event id " + id + " in stream " + stream);
            }
            return event.version();
        }

        List<RecordedEvent> page(EventStore store, long fromVersion, int limit) {
            if (fromVersion > toVersion) {
                return List.of();
            }
            List<RecordedEvent> events = new ArrayList<>(store.readStream(stream, fromVersion, Direction.FORWARD, limit));
            events.removeIf(event -> event.version() > toVersion);
            return events;
        }
    }
}
