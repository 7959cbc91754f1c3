package io.rewind.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventPage;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamListOptions;
import io.rewind.api.StreamPage;
import io.rewind.api.SystemStreams;
import io.rewind.api.SubscriptionRequest;
import io.rewind.api.SubscriptionStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes of the HTTP API (docs/HTTP.md, and {@code /openapi.json} as served). One store call
 * per request, on Jetty's request thread; live feeds hand over to {@link LiveFeed}. Every failure
 * is answered as a {@link Problem}; nothing here keeps state between requests. Thread-safe.
 */
final class ApiHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    /** Events per page of a JSON read when no limit is given. */
    static final int DEFAULT_PAGE = 100;
    /** Events per store read while streaming NDJSON. */
    private static final int NDJSON_PAGE = 1000;

    private final EventStore store;
    private final HttpConfig config;
    private final LiveFeed feeds;
    private final byte[] openApi;
    private final List<Route> routes;
    private final java.util.function.Supplier<String> metrics;
    private final java.util.function.Supplier<List<SubscriptionStatus>> subscriptions;
    private final ConsoleAssets console = ConsoleAssets.load();

    /** Null: no credentials asked. */
    private final HttpAccess access;

    /** Null: not a cluster node. */
    private final ClusterAdmin cluster;

    /** The consumer groups' routes; they answer 503 when the server was given no group service. */
    private final GroupRoutes groups;

    ApiHandler(EventStore store, HttpConfig config, LiveFeed feeds, byte[] openApi,
            java.util.function.Supplier<String> metrics,
            java.util.function.Supplier<List<SubscriptionStatus>> subscriptions, HttpAccess access) {
        this(store, config, feeds, openApi, metrics, subscriptions, access, null);
    }

    ApiHandler(EventStore store, HttpConfig config, LiveFeed feeds, byte[] openApi,
            java.util.function.Supplier<String> metrics,
            java.util.function.Supplier<List<SubscriptionStatus>> subscriptions, HttpAccess access,
            ClusterAdmin cluster) {
        this(store, config, feeds, openApi, metrics, subscriptions, access, cluster, null);
    }

    ApiHandler(EventStore store, HttpConfig config, LiveFeed feeds, byte[] openApi,
            java.util.function.Supplier<String> metrics,
            java.util.function.Supplier<List<SubscriptionStatus>> subscriptions, HttpAccess access,
            ClusterAdmin cluster, ServedGroups groups) {
        this.groups = new GroupRoutes(groups, store);
        this.cluster = cluster;
        this.access = access;
        this.metrics = metrics;
        this.subscriptions = subscriptions;
        this.store = store;
        this.config = config;
        this.feeds = feeds;
        this.openApi = openApi;
        this.routes = routes();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Exchange exchange;
        try {
            exchange = new Exchange(request, response, callback, config.maxRequestBytes());
        } catch (InvalidRequestException e) {
            String target = request.getHttpURI().getPath();
            Problem problem = Problem.of(e);
            response.setStatus(problem.status());
            if (request.getLength() != 0) {
                // Refused before its body was read: as in Exchange.problem, the client must not reuse the connection.
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
            response.write(true, java.nio.ByteBuffer.wrap(problem.body(target == null ? "/" : target)), callback);
            return true;
        }
        try {
            route(exchange);
        } catch (HttpProblemException e) {
            exchange.problem(e.problem());
        } catch (EventStoreException e) {
            if (e.code() == ErrorCode.INTERNAL || e.code() == ErrorCode.CORRUPTION) {
                LOG.error("{} {} failed", exchange.method(), exchange.target(), e);
            }
            exchange.problem(Problem.of(e));
        } catch (RequestBodyException e) {
            LOG.debug("{} {}: the request body could not be read", exchange.method(), exchange.target(), e);
            callback.failed(e);
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", exchange.method(), exchange.target(), e);
            exchange.problem(Problem.http(500, ErrorCode.INTERNAL, "Internal error", "internal error: " + e));
        }
        return true;
    }

    /**
     * One route: a method and a path template whose {@code {name}} segments match any one segment
     * (decoded, so a stream name may hold '/'), in the form {@code /openapi.json} lists it. An
     * {@code open} route is served without credentials even when the server asks for them: it
     * touches no event data (the console's files, health, readiness, the API description).
     */
    record Route(String method, String template, boolean open, Action action) {
        boolean matches(List<String> path) {
            if (template.equals("/")) {
                return path.isEmpty();
            }
            String[] parts = template.substring(1).split("/");
            if (parts.length != path.size()) {
                return false;
            }
            for (int i = 0; i < parts.length; i++) {
                if (!parts[i].startsWith("{") && !parts[i].equals(path.get(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    /** What a route does with the exchange and its path's segments. */
    @FunctionalInterface
    interface Action {
        void serve(Exchange x, List<String> path);
    }

    /** Every route this server answers; {@code /openapi.json} documents exactly these (a test checks). */
    List<Route> routes() {
        return List.of(
                new Route("GET", "/", true, (x, p) -> asset(x, "index.html")),
                new Route("GET", "/console/{file}", true, (x, p) -> asset(x, p.get(1))),
                new Route("GET", "/api/feeds", false, (x, p) -> listFeeds(x)),
                new Route("GET", "/api/subscriptions", false, (x, p) -> listSubscriptions(x)),
                new Route("GET", "/metrics", false, (x, p) -> metrics(x)),
                new Route("GET", "/api/cluster", false, (x, p) -> clusterStatus(x)),
                new Route("POST", "/api/cluster/members", false, (x, p) -> addMember(x)),
                new Route("DELETE", "/api/cluster/members/{id}", false, (x, p) -> removeMember(x, p.get(3))),
                new Route("GET", "/api/groups", false, (x, p) -> groups.list(x)),
                new Route("POST", "/api/groups", false, (x, p) -> groups.create(x)),
                new Route("GET", "/api/groups/{group}", false, (x, p) -> groups.describe(x, p.get(2))),
                new Route("DELETE", "/api/groups/{group}", false, (x, p) -> groups.delete(x, p.get(2))),
                new Route("GET", "/api/groups/{group}/parked", false, (x, p) -> groups.parked(x, p.get(2))),
                new Route("POST", "/api/groups/{group}/parked/replay", false, (x, p) -> groups.replayAll(x, p.get(2))),
                new Route("POST", "/api/groups/{group}/parked/{position}/replay", false,
                        (x, p) -> groups.replayOne(x, p.get(2), p.get(4))),
                new Route("GET", "/health", true, (x, p) -> health(x)),
                new Route("GET", "/ready", true, (x, p) -> ready(x)),
                new Route("GET", "/openapi.json", true, (x, p) -> x.send(200, Exchange.JSON, openApi)),
                new Route("GET", "/api/head", false, (x, p) -> head(x)),
                new Route("GET", "/api/position", false, (x, p) -> positionAt(x)),
                new Route("POST", "/api/append", false, (x, p) -> appendSeveral(x)),
                new Route("GET", "/api/feed", false, (x, p) -> feeds.serve(x)),
                new Route("GET", "/api/all/events", false, (x, p) -> readAll(x)),
                new Route("GET", "/api/events/{id}", false, (x, p) -> eventById(x, p.get(2))),
                new Route("GET", "/api/streams", false, (x, p) -> listStreams(x)),
                new Route("GET", "/api/streams/{stream}", false, (x, p) -> streamInfo(x, p.get(2))),
                new Route("GET", "/api/streams/{stream}/events", false, (x, p) -> readStream(x, p.get(2))),
                new Route("POST", "/api/streams/{stream}/events", false, (x, p) -> appendOne(x, p.get(2))));
    }

    private void route(Exchange x) {
        List<String> allowed = new java.util.ArrayList<>();
        String method = x.method().equals("HEAD") ? "GET" : x.method();
        for (Route route : routes) {
            if (route.matches(x.path)) {
                if (route.method().equals(method)) {
                    authorize(x, route);
                    route.action().serve(x, x.path);
                    return;
                }
                allowed.add(route.method());
            }
        }
        if (allowed.isEmpty()) {
            notFound(x);
        }
        methodNotAllowed(x, String.join(", ", allowed));
    }

    /** Gives the exchange the store it may use: the store itself, or its principal's view. */
    private void authorize(Exchange x, Route route) {
        if (access == null || route.open()) {
            x.store = store;
            return;
        }
        x.secured = access.authenticate(x.header(HttpHeader.AUTHORIZATION.asString()), store);
        x.store = x.secured;
    }

    private static void notFound(Exchange x) {
        throw new HttpProblemException(Problem.http(404, ErrorCode.NOT_FOUND, "Not found",
                "no route " + AppendParser.clip(x.target()) + " (see /openapi.json)"));
    }

    private static void methodNotAllowed(Exchange x, String allowed) {
        x.response.getHeaders().put(HttpHeader.ALLOW, allowed);
        throw new HttpProblemException(Problem.http(405, ErrorCode.BAD_REQUEST, "Method not allowed",
                x.method() + " is not allowed on " + AppendParser.clip(x.target()) + " (allowed: " + allowed + ")"));
    }

    // --- the console --------------------------------------------------------------------------

    private void asset(Exchange x, String name) {
        x.onlyParameters();
        byte[] file = console.file(name).orElseThrow(() -> new HttpProblemException(Problem.http(404,
                ErrorCode.NOT_FOUND, "Not found", "no console file " + AppendParser.clip(name))));
        // Only the console's own files may run in the page, so no injected script can read the
        // token it keeps in sessionStorage, and no other site may frame it.
        x.response.getHeaders().put("Content-Security-Policy",
                "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
        x.send(200, ConsoleAssets.type(name), file);
    }

    /** The live feeds open now, with how far each lags behind the head (the console's Feeds tab). */
    private void listFeeds(Exchange x) {
        x.onlyParameters();
        // Other principals' feeds name their streams and prefixes: only an administrator sees them.
        x.requireAdmin("list the live feeds");
        long head = x.store.headPosition();
        List<FeedStatus> open = feeds.feeds();
        x.json(200, out -> {
            out.writeStartObject();
            out.writeNumberField("head", head);
            out.writeArrayFieldStart("feeds");
            for (FeedStatus feed : open) {
                out.writeStartObject();
                out.writeStringField("request", feed.request());
                out.writeStringField("format", feed.format());
                out.writeNumberField("last_position", feed.lastPosition());
                out.writeNumberField("lag", Math.max(0, head - feed.lastPosition()));
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeEndObject();
        });
    }

    /**
     * Every subscription the store serves now, whoever opened it (a ZeroMQ subscriber, an HTTP
     * feed), with how far each lags (the console's Subscriptions list), when the server was given
     * the list.
     */
    private void listSubscriptions(Exchange x) {
        x.onlyParameters();
        // Other principals' subscriptions name their streams and prefixes: only an administrator sees them.
        x.requireAdmin("list the subscriptions");
        if (subscriptions == null) {
            throw new HttpProblemException(Problem.http(404, ErrorCode.NOT_FOUND, "Not found",
                    "this server was started without the list of subscriptions"));
        }
        List<SubscriptionStatus> open = subscriptions.get();
        long head = store.headPosition();
        x.json(200, out -> {
            out.writeStartObject();
            out.writeNumberField("head", head);
            out.writeArrayFieldStart("subscriptions");
            for (SubscriptionStatus status : open) {
                SubscriptionRequest request = status.request();
                out.writeStartObject();
                out.writeStringField("scope", request.scope().name().toLowerCase(java.util.Locale.ROOT));
                java.util.Optional<String> name = request.stream().or(request::streamPrefix);
                if (name.isPresent()) {
                    out.writeStringField("name", name.get());
                }
                out.writeArrayFieldStart("types");
                for (String type : request.types()) {
                    out.writeString(type);
                }
                out.writeEndArray();
                out.writeStringField("from", switch (request.start()) {
                    case BEGINNING -> "beginning";
                    case END -> "end";
                    case AFTER -> "after " + request.afterPosition();
                });
                out.writeStringField("opened", status.opened().toString());
                out.writeNumberField("last_position", status.lastPosition());
                out.writeNumberField("lag", Math.max(0, head - status.lastPosition()));
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeEndObject();
        });
    }

    /** Prometheus text (version 0.0.4), when the server was given metrics. */
    private void metrics(Exchange x) {
        x.onlyParameters();
        x.requireAdmin("read the metrics");
        if (metrics == null) {
            throw new HttpProblemException(Problem.http(404, ErrorCode.NOT_FOUND, "Not found",
                    "this server was started without metrics"));
        }
        x.send(200, "text/plain; version=0.0.4; charset=utf-8", metrics.get().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    // --- the cluster ------------------------------------------------------------------------------

    /** The cluster's status as this node sees it: every member's role, applied position and lag. */
    private void clusterStatus(Exchange x) {
        x.onlyParameters();
        x.requireAdmin("read the cluster's status");
        ClusterAdmin admin = clusterAdmin();
        ClusterAdmin.View view = clusterCall(() -> admin.status());
        x.json(200, out -> ClusterJson.write(out, view));
    }

    /** Adds a member: {@code {"id": "n4", "address": "HOST:PORT"}}. */
    private void addMember(Exchange x) {
        x.onlyParameters();
        x.requireAdmin("add a cluster member");
        ClusterAdmin admin = clusterAdmin();
        x.requireContentType(Exchange.JSON);
        ClusterJson.NewMember member = ClusterJson.newMember(x.body());
        ClusterAdmin.View view = clusterCall(() -> admin.add(member.id(), member.address()));
        x.json(200, out -> ClusterJson.write(out, view));
    }

    private void removeMember(Exchange x, String id) {
        x.onlyParameters();
        x.requireAdmin("remove a cluster member");
        ClusterAdmin admin = clusterAdmin();
        ClusterAdmin.View view = clusterCall(() -> admin.remove(id));
        x.json(200, out -> ClusterJson.write(out, view));
    }

    private ClusterAdmin clusterAdmin() {
        if (cluster == null) {
            throw new HttpProblemException(Problem.http(404, ErrorCode.NOT_FOUND, "Not a cluster node",
                    "this server is not a cluster node (it was started without --node and --cluster or --join)"));
        }
        return cluster;
    }

    private static ClusterAdmin.View clusterCall(java.util.function.Supplier<ClusterAdmin.View> call) {
        try {
            return call.get();
        } catch (ClusterAdmin.Refused e) {
            int status = e.status();
            ErrorCode code = switch (status) {
                case 400 -> ErrorCode.BAD_REQUEST;
                case 404 -> ErrorCode.NOT_FOUND;
                case 409 -> ErrorCode.BAD_REQUEST;
                default -> ErrorCode.UNAVAILABLE;
            };
            String title = switch (status) {
                case 400 -> "Bad request";
                case 404 -> "Not found";
                case 409 -> "Conflict";
                default -> "Unavailable";
            };
            throw new HttpProblemException(Problem.http(status, code, title, String.valueOf(e.getMessage())));
        }
    }

    // --- health -------------------------------------------------------------------------------

    private static void health(Exchange x) {
        x.onlyParameters();
        x.json(200, out -> {
            out.writeStartObject();
            out.writeStringField("status", "up");
            out.writeEndObject();
        });
    }

    private void ready(Exchange x) {
        x.onlyParameters();
        long head;
        try {
            head = store.headPosition();
        } catch (EventStoreException e) {
            x.json(503, out -> {
                out.writeStartObject();
                out.writeStringField("status", "not ready");
                out.writeStringField("code", e.code().name());
                out.writeStringField("detail", String.valueOf(e.getMessage()));
                out.writeEndObject();
            });
            return;
        }
        x.json(200, out -> {
            out.writeStartObject();
            out.writeStringField("status", "ready");
            if (access == null) {
                // Open to anyone: with security on it does not tell how many events the store holds.
                out.writeNumberField("head_position", head);
            }
            out.writeEndObject();
        });
    }

    // --- appends ------------------------------------------------------------------------------

    private void appendOne(Exchange x, String stream) {
        x.onlyParameters();
        AppendRequest request;
        if (x.contentType().equals("application/octet-stream")) {
            request = rawEvent(x, stream);
        } else {
            x.requireContentType(Exchange.JSON, "application/octet-stream");
            request = AppendParser.oneStream(stream, x.body());
        }
        answerAppend(x, request);
    }

    private void appendSeveral(Exchange x) {
        x.onlyParameters();
        x.requireContentType(Exchange.JSON);
        answerAppend(x, AppendParser.severalStreams(x.body()));
    }

    private void answerAppend(Exchange x, AppendRequest request) {
        request.validate(config.maxEventBytes());
        SystemStreams.refuseUserAppend(request); // '$rewind.' streams are the server's own (docs/GROUPS.md)
        AppendResult result = x.store.append(request);
        x.json(200, out -> Json.writeWritten(out, result));
    }

    /** One event whose data is the whole body; type, id and expected version in headers. */
    private static AppendRequest rawEvent(Exchange x, String stream) {
        String type = x.header("Rewind-Event-Type");
        String id = x.header("Rewind-Event-Id");
        String expected = x.header("Rewind-Expected-Version");
        UUID eventId = null;
        if (id != null) {
            try {
                eventId = UUID.fromString(id);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("Rewind-Event-Id: not a UUID, was '" + AppendParser.clip(id) + "'");
            }
        }
        ExpectedVersion expectedVersion;
        try {
            expectedVersion = expected == null ? ExpectedVersion.any() : ExpectedVersion.parse(expected);
            if (expectedVersion.kind() == ExpectedVersion.Kind.EXACTLY && expectedVersion.version() < 0) {
                throw new IllegalArgumentException("a version is >= 0");
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("Rewind-Expected-Version: use any, no-stream, stream-exists or a"
                    + " version number >= 0, was '" + AppendParser.clip(expected) + "'");
        }
        byte[] data;
        try {
            data = x.body().readAllBytes();
        } catch (IOException e) {
            throw new RequestBodyException(e);
        }
        return AppendRequest.to(stream, expectedVersion, new EventData(eventId, type == null ? "" : type, data, null));
    }

    // --- reads --------------------------------------------------------------------------------

    private void readStream(Exchange x, String stream) {
        x.onlyParameters("from", "direction", "limit", "max_bytes", "encoding", "consistency");
        read(x, options -> x.store.readStream(stream, options));
    }

    private void readAll(Exchange x) {
        x.onlyParameters("from", "direction", "limit", "max_bytes", "encoding", "consistency");
        read(x, x.store::readAll);
    }

    /** {@code consistency=leader} (ReadOptions#withLeaderConsistency), or absent. */
    private static boolean leaderConsistency(Exchange x) {
        String consistency = x.text("consistency", null);
        if (consistency == null) {
            return false;
        }
        if (!consistency.equals("leader")) {
            throw new InvalidRequestException("consistency: must be leader (or absent), was '" + consistency + "'");
        }
        return true;
    }

    /**
     * A page as JSON: {@code events}, {@code next} (the {@code from} of the following page, null
     * when a backward read reached the start or the page is empty) and {@code byte_budget_reached};
     * or, when the client accepts NDJSON, every event from {@code from} on (up to {@code limit} if
     * given) as one line each, read from the store in pages of up to 1,000 events and
     * {@code max_bytes}.
     */
    private void read(Exchange x, java.util.function.Function<ReadOptions, EventPage> reader) {
        boolean base64 = base64(x);
        Direction direction = direction(x);
        ReadOptions base = ReadOptions.from(from(x, direction), direction)
                .withMaxBytes(x.number("max_bytes", ReadOptions.DEFAULT_MAX_BYTES))
                .withLeaderConsistency(leaderConsistency(x));
        if (x.accepts(Exchange.NDJSON)) {
            long total = x.number("limit", Long.MAX_VALUE);
            if (total < 1) {
                throw new InvalidRequestException("limit: must be at least 1, was " + total);
            }
            ReadOptions options = base.withMaxEvents((int) Math.min(NDJSON_PAGE, total));
            EventPage page = reader.apply(options);
            OutputStream out = x.stream(200, Exchange.NDJSON);
            try (JsonGenerator lines = Exchange.lines(out)) {
                long sent = 0;
                while (true) {
                    for (RecordedEvent event : page.events()) {
                        Json.writeEvent(lines, event, base64);
                        lines.writeRaw('\n');
                    }
                    sent += page.events().size();
                    boolean more = page.byteBudgetReached() || page.events().size() == options.maxEvents();
                    if (!more || sent >= total || page.next().isEmpty()) {
                        break;
                    }
                    lines.flush();
                    options = options.withFrom(page.next().getAsLong())
                            .withMaxEvents((int) Math.min(NDJSON_PAGE, total - sent));
                    page = reader.apply(options);
                }
                lines.flush();
                x.finish(out);
            } catch (IOException e) {
                x.callback.failed(e);
            } catch (EventStoreException e) {
                // The status is sent already: end the body early so the client sees a broken stream.
                LOG.warn("{} {}: a streamed read failed after it started", x.method(), x.target(), e);
                x.callback.failed(e);
            }
            return;
        }
        EventPage page = reader.apply(base.withMaxEvents(x.limit(DEFAULT_PAGE)));
        x.json(200, out -> {
            out.writeStartObject();
            out.writeArrayFieldStart("events");
            for (RecordedEvent event : page.events()) {
                Json.writeEvent(out, event, base64);
            }
            out.writeEndArray();
            out.writeFieldName("next");
            if (page.next().isPresent()) {
                out.writeNumber(page.next().getAsLong());
            } else {
                out.writeNull();
            }
            out.writeBooleanField("byte_budget_reached", page.byteBudgetReached());
            out.writeEndObject();
        });
    }

    private static Direction direction(Exchange x) {
        String text = x.text("direction", "forward");
        return switch (text) {
            case "forward" -> Direction.FORWARD;
            case "backward" -> Direction.BACKWARD;
            default -> throw new InvalidRequestException("direction: use forward or backward, was '"
                    + AppendParser.clip(text) + "'");
        };
    }

    private static long from(Exchange x, Direction direction) {
        String text = x.text("from", null);
        if (text == null) {
            return direction == Direction.FORWARD ? 0 : EventStore.END;
        }
        if (text.equals("end")) {
            return EventStore.END;
        }
        return x.number("from", 0);
    }

    private static boolean base64(Exchange x) {
        String encoding = x.text("encoding", "auto");
        return switch (encoding) {
            case "auto" -> false;
            case "base64" -> true;
            default -> throw new InvalidRequestException("encoding: use auto or base64, was '"
                    + AppendParser.clip(encoding) + "'");
        };
    }

    private void eventById(Exchange x, String id) {
        x.onlyParameters("encoding");
        UUID eventId;
        try {
            eventId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("event id: not a UUID, was '" + AppendParser.clip(id) + "'");
        }
        boolean base64 = base64(x);
        Optional<RecordedEvent> found = x.store.readEvent(eventId);
        if (found.isEmpty()) {
            throw new HttpProblemException(Problem.http(404, ErrorCode.NOT_FOUND, "Not found",
                    "no event with id " + eventId));
        }
        x.json(200, out -> Json.writeEvent(out, found.get(), base64));
    }

    private void streamInfo(Exchange x, String stream) {
        x.onlyParameters();
        Optional<StreamInfo> info = x.store.streamInfo(stream);
        if (info.isEmpty()) {
            throw new HttpProblemException(Problem.http(404, ErrorCode.NOT_FOUND, "Not found",
                    "stream '" + AppendParser.clip(stream) + "' has no events"));
        }
        x.json(200, out -> Json.writeStreamInfo(out, info.get()));
    }

    private void listStreams(Exchange x) {
        x.onlyParameters("prefix", "after", "limit", "max_bytes");
        String prefix = x.text("prefix", "");
        StreamPage page = x.store.listStreams(StreamListOptions.withPrefix(prefix)
                .after(x.text("after", null)).withMaxStreams(x.limit(DEFAULT_PAGE))
                .withMaxBytes(x.number("max_bytes", ReadOptions.DEFAULT_MAX_BYTES)));
        x.json(200, out -> {
            out.writeStartObject();
            out.writeArrayFieldStart("streams");
            for (StreamInfo info : SystemStreams.userView(page, prefix)) {
                Json.writeStreamInfo(out, info);
            }
            out.writeEndArray();
            out.writeFieldName("next_after");
            if (page.nextAfter().isPresent()) {
                out.writeString(page.nextAfter().get());
            } else {
                out.writeNull();
            }
            out.writeEndObject();
        });
    }

    private void head(Exchange x) {
        x.onlyParameters();
        long head = x.store.headPosition();
        x.json(200, out -> {
            out.writeStartObject();
            out.writeNumberField("position", head);
            out.writeEndObject();
        });
    }

    private void positionAt(Exchange x) {
        x.onlyParameters("time");
        String text = x.text("time", null);
        if (text == null) {
            throw new InvalidRequestException("time: missing (an ISO-8601 instant, e.g. 2026-12-01T10:00:00Z)");
        }
        Instant time;
        try {
            time = Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException("time: not an ISO-8601 instant (e.g. 2026-12-01T10:00:00Z), was '"
                    + AppendParser.clip(text) + "'");
        }
        long position = x.store.firstPositionAtOrAfter(time);
        x.json(200, out -> {
            out.writeStartObject();
            out.writeNumberField("position", position);
            out.writeEndObject();
        });
    }
}
