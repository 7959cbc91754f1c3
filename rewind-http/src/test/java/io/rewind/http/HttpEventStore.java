package io.rewind.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Arguments;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventPage;
import io.rewind.api.ReadArguments;
import io.rewind.api.ReadOptions;
import io.rewind.api.StreamListOptions;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.Limits;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamPage;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.ErrorReplies;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@link EventStore} that does everything through the HTTP API, with the JDK's HTTP client: the
 * contract suite runs against it, so that the HTTP API means exactly what the Java API means. Data
 * travels in base64 ({@code encoding=base64}), byte for byte. Errors come back from the problem
 * JSON as the exception types the embedded store raises. Thread-safe.
 */
final class HttpEventStore implements EventStore {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Set<FeedSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    HttpEventStore(String baseUri) {
        this.base = baseUri;
    }

    // --- appends ------------------------------------------------------------------------------

    @Override
    public CompletableFuture<AppendResult> appendAsync(AppendRequest request) {
        try {
            Arguments.requireNonNull(request, "append request");
            checkOpen();
            return CompletableFuture.completedFuture(append(request));
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public AppendResult append(AppendRequest request) {
        Arguments.requireNonNull(request, "append request");
        checkOpen();
        byte[] body = Json.render(out -> {
            out.writeStartObject();
            out.writeArrayFieldStart("appends");
            for (AppendRequest.StreamAppend append : request.appends()) {
                out.writeStartObject();
                out.writeStringField("stream", append.stream());
                writeExpected(out, append.expected());
                out.writeArrayFieldStart("events");
                for (EventData event : append.events()) {
                    out.writeStartObject();
                    if (event.id() != null) {
                        out.writeStringField("id", event.id().toString());
                    }
                    out.writeStringField("type", event.type());
                    out.writeStringField("data_base64", Base64.getEncoder().encodeToString(event.data()));
                    if (event.metadata().length > 0) {
                        out.writeStringField("metadata_base64", Base64.getEncoder().encodeToString(event.metadata()));
                    }
                    out.writeEndObject();
                }
                out.writeEndArray();
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeArrayFieldStart("checks");
            for (AppendRequest.StreamCheck check : request.checks()) {
                out.writeStartObject();
                out.writeStringField("stream", check.stream());
                writeExpected(out, check.expected());
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeEndObject();
        });
        return parse(post("/api/append", body), parser -> {
            List<AppendResult.Written> written = new ArrayList<>();
            forEachField(parser, (field, p) -> {
                if (field.equals("events")) {
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        String[] stream = new String[1];
                        long[] numbers = new long[2];
                        UUID[] id = new UUID[1];
                        forEachField(p, (name, q) -> {
                            switch (name) {
                                case "stream" -> stream[0] = q.getText();
                                case "version" -> numbers[0] = q.getLongValue();
                                case "position" -> numbers[1] = q.getLongValue();
                                case "id" -> id[0] = UUID.fromString(q.getText());
                                default -> q.skipChildren();
                            }
                        });
                        written.add(new AppendResult.Written(stream[0], numbers[0], numbers[1], id[0]));
                    }
                } else {
                    p.skipChildren();
                }
            });
            return new AppendResult(written);
        });
    }

    private static void writeExpected(JsonGenerator out, io.rewind.api.ExpectedVersion expected) throws IOException {
        if (expected.kind() == io.rewind.api.ExpectedVersion.Kind.EXACTLY) {
            out.writeNumberField("expected_version", expected.version());
        } else {
            out.writeStringField("expected_version", expected.toString());
        }
    }

    // --- reads --------------------------------------------------------------------------------

    @Override
    public CompletableFuture<EventPage> readStreamAsync(String stream, ReadOptions options) {
        try {
            checkOpen();
            ReadArguments.checkStreamRead(stream, options);
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        return getAsync("/api/streams/" + segment(stream) + "/events?" + readQuery(options))
                .thenApply(HttpEventStore::page);
    }

    @Override
    public CompletableFuture<EventPage> readAllAsync(ReadOptions options) {
        try {
            checkOpen();
            ReadArguments.checkOptions(options);
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        return getAsync("/api/all/events?" + readQuery(options)).thenApply(HttpEventStore::page);
    }

    private static String readQuery(ReadOptions options) {
        return "from=" + options.from() + "&direction=" + name(options.direction()) + "&limit=" + options.maxEvents()
                + "&max_bytes=" + options.maxBytes() + "&encoding=base64";
    }

    private static String name(Direction direction) {
        return direction == Direction.FORWARD ? "forward" : "backward";
    }

    @Override
    public CompletableFuture<Optional<RecordedEvent>> readEventAsync(UUID id) {
        try {
            checkOpen();
            ReadArguments.checkEventId(id);
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        return client.sendAsync(HttpRequest.newBuilder(uri("/api/events/" + id + "?encoding=base64")).timeout(TIMEOUT)
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(response -> response.statusCode() == 404 ? Optional.<RecordedEvent>empty()
                        : Optional.of(parse(expectOk(response), HttpEventStore::event)));
    }

    @Override
    public long firstPositionAtOrAfter(Instant time) {
        checkOpen();
        Arguments.requireNonNull(time, "time");
        return position(get("/api/position?time=" + query(time.toString())));
    }

    @Override
    public long headPosition() {
        checkOpen();
        return position(get("/api/head"));
    }

    @Override
    public Optional<StreamInfo> streamInfo(String stream) {
        checkOpen();
        Limits.checkStreamName(stream);
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri("/api/streams/" + segment(stream))).GET());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(parse(response, HttpEventStore::streamInfo));
    }

    @Override
    public CompletableFuture<StreamPage> listStreamsAsync(StreamListOptions options) {
        try {
            checkOpen();
            ReadArguments.checkListing(options);
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        String path = "/api/streams?prefix=" + query(options.prefix()) + "&limit=" + options.maxStreams()
                + "&max_bytes=" + options.maxBytes() + (options.after().isEmpty() ? "" : "&after=" + query(options.after()));
        return getAsync(path).thenApply(response -> parse(response, parser -> {
            List<StreamInfo> streams = new ArrayList<>();
            String[] next = new String[1];
            forEachField(parser, (field, p) -> {
                if (field.equals("streams")) {
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        streams.add(streamInfo(p));
                    }
                } else if (field.equals("next_after")) {
                    next[0] = p.currentToken() == JsonToken.VALUE_NULL ? null : p.getText();
                } else {
                    p.skipChildren();
                }
            });
            return new StreamPage(streams, Optional.ofNullable(next[0]));
        }));
    }

    // --- subscriptions ------------------------------------------------------------------------

    @Override
    public Subscription subscribe(SubscriptionRequest request, SubscriptionListener listener) {
        Arguments.requireNonNull(request, "subscription request");
        Arguments.requireNonNull(listener, "subscription listener");
        checkOpen();
        String from = switch (request.start()) {
            case BEGINNING -> "start";
            case END -> "end";
            case AFTER -> Long.toString(request.afterPosition() + 1);
        };
        StringBuilder path = new StringBuilder("/api/feed?encoding=base64&from=").append(from);
        request.streamPrefix().ifPresent(prefix -> path.append("&prefix=").append(query(prefix)));
        request.stream().ifPresent(stream -> path.append("&stream=").append(query(stream)));
        request.types().forEach(type -> path.append("&type=").append(query(type)));
        path.append("&checkpoint_events=").append(request.checkpointEvents())
                .append("&checkpoint_ms=").append(request.checkpointInterval().toMillis());
        HttpResponse<InputStream> response;
        try {
            response = client.send(HttpRequest.newBuilder(uri(path.toString())).header("Accept", Exchange.NDJSON).GET()
                    .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot open the feed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readAllBytes();
            } catch (IOException e) {
                throw new StoreUnavailableException("cannot read the feed's error: " + e, e);
            }
            throw error(response.statusCode(), body);
        }
        FeedSubscription subscription = new FeedSubscription(response.body(), listener);
        subscriptions.add(subscription);
        subscription.start();
        return subscription;
    }

    /** Reads one feed's NDJSON lines on its own thread and calls the listener. */
    private final class FeedSubscription implements Subscription {
        private final BufferedReader lines;
        private final InputStream body;
        private final SubscriptionListener listener;
        private final Thread thread;
        private final AtomicBoolean stopped = new AtomicBoolean();
        private volatile long lastPosition = -2;

        FeedSubscription(InputStream body, SubscriptionListener listener) {
            this.body = body;
            this.lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            this.listener = listener;
            this.thread = new Thread(this::run, "http-feed-reader");
            this.thread.setDaemon(true);
        }

        void start() {
            // The open line carries the start point; read it before returning, so that
            // lastPosition() is right at once.
            try {
                String open = lines.readLine();
                if (open == null) {
                    throw new StoreUnavailableException("the feed ended before it opened");
                }
                lastPosition = parse(open.getBytes(StandardCharsets.UTF_8), parser -> {
                    long[] after = {-1};
                    forEachField(parser, (field, p) -> {
                        if (field.equals("after")) {
                            after[0] = p.getLongValue();
                        } else {
                            p.skipChildren();
                        }
                    });
                    return after[0];
                });
            } catch (IOException e) {
                throw new StoreUnavailableException("cannot read the feed: " + e, e);
            }
            thread.start();
        }

        private void run() {
            Throwable cause = null;
            try {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (stopped.get()) {
                        return;
                    }
                    if (line.startsWith("{\"control\"")) {
                        if (line.contains("\"caught-up\"")) {
                            listener.onCaughtUp();
                        } else if (line.contains("\"checkpoint\"")) {
                            long position = Long.parseLong(line.replaceAll("\\D*\"position\":(\\d+).*", "$1"));
                            if (stopped.get()) {
                                return;
                            }
                            listener.onCheckpoint(position);
                            lastPosition = position;
                        } else if (line.contains("\"closed\"")) {
                            cause = new StoreClosedException("the store was closed");
                            return;
                        }
                        continue;
                    }
                    long[] previous = {Long.MIN_VALUE};
                    RecordedEvent event = parse(line.getBytes(StandardCharsets.UTF_8), parser -> event(parser, previous));
                    if (stopped.get()) {
                        return;
                    }
                    listener.onEvent(new SubscriptionEvent(event, previous[0]));
                    lastPosition = event.position();
                }
                cause = closed ? new StoreClosedException("the store was closed")
                        : new StoreUnavailableException("the feed ended");
            } catch (IOException e) {
                cause = closed || stopped.get() ? (closed ? new StoreClosedException("the store was closed") : null)
                        : new StoreUnavailableException("the feed broke: " + e, e);
            } catch (RuntimeException e) {
                cause = e;
            } finally {
                boolean byClose = stopped.getAndSet(true);
                subscriptions.remove(this);
                try {
                    body.close();
                } catch (IOException ignored) {
                    // closing a broken stream
                }
                if (closed) {
                    cause = new StoreClosedException("the store was closed");
                } else if (byClose && !(cause instanceof RuntimeException && !(cause instanceof EventStoreException))) {
                    cause = null;
                }
                listener.onClose(cause);
            }
        }

        /** Stops reading without waiting for a listener call under way (the store is closing). */
        void stop() {
            if (stopped.compareAndSet(false, true)) {
                try {
                    body.close();
                } catch (IOException ignored) {
                    // the reader thread ends either way
                }
            }
        }

        @Override
        public void close() {
            if (stopped.compareAndSet(false, true)) {
                try {
                    body.close();
                } catch (IOException ignored) {
                    // the reader thread ends either way
                }
            }
            if (Thread.currentThread() != thread) {
                try {
                    thread.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public boolean isClosed() {
            return stopped.get() || !thread.isAlive();
        }

        @Override
        public long lastPosition() {
            return lastPosition;
        }
    }

    /** Through a feed from the end, as the ZeroMQ client does: each event delivered moves the head. */
    @Override
    public io.rewind.api.HeadListener.Registration watchHead(io.rewind.api.HeadListener listener) {
        checkOpen();
        return io.rewind.api.HeadListener.bySubscription(this, listener);
    }

    // --- lifecycle ----------------------------------------------------------------------------

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (FeedSubscription subscription : subscriptions) {
            subscription.stop();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreClosedException("the store is closed");
        }
    }

    // --- HTTP and JSON ------------------------------------------------------------------------

    private URI uri(String path) {
        return URI.create(base + path);
    }

    /** One path segment: everything but letters and digits percent-encoded, dots too. */
    static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20").replace(".", "%2E")
                .replace("*", "%2A");
    }

    private static String query(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private HttpResponse<byte[]> get(String path) {
        return expectOk(send(HttpRequest.newBuilder(uri(path)).GET()));
    }

    /** A GET answered later; a failure (no answer, or a problem) fails the future with the store's exception. */
    private CompletableFuture<HttpResponse<byte[]>> getAsync(String path) {
        return client.sendAsync(HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray())
                .exceptionallyCompose(failure -> CompletableFuture.failedFuture(
                        new StoreUnavailableException("no answer from " + base + ": " + failure, failure)))
                .thenApply(HttpEventStore::expectOk);
    }

    private HttpResponse<byte[]> post(String path, byte[] body) {
        return expectOk(send(HttpRequest.newBuilder(uri(path)).header("Content-Type", Exchange.JSON)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))));
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return client.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new StoreUnavailableException("no answer from " + base + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted", e);
        }
    }

    private static HttpResponse<byte[]> expectOk(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            throw error(response.statusCode(), response.body());
        }
        return response;
    }

    /** The exception a problem body stands for, the way the ZeroMQ client rebuilds one. */
    static EventStoreException error(int status, byte[] body) {
        String[] code = {null};
        String[] detail = {""};
        String[] fields = new String[5];
        try {
            parse(body, parser -> {
                forEachField(parser, (field, p) -> {
                    switch (field) {
                        case "code" -> code[0] = p.getText();
                        case "detail" -> detail[0] = p.getText();
                        case "stream" -> fields[0] = p.getText();
                        case "expected_version" -> fields[1] = p.getText();
                        case "actual_version" -> fields[2] = p.getText();
                        case "event_id" -> fields[3] = p.getText();
                        case "reason" -> fields[4] = p.getText();
                        default -> p.skipChildren();
                    }
                });
                return null;
            });
        } catch (RuntimeException e) {
            return new EventStoreException(ErrorCode.INTERNAL, "HTTP " + status + " without a problem body: "
                    + new String(body, StandardCharsets.UTF_8));
        }
        ErrorCode errorCode = code[0] == null ? ErrorCode.INTERNAL : ErrorCode.valueOf(code[0]);
        List<String> details = switch (errorCode) {
            case WRONG_EXPECTED_VERSION -> List.of(fields[0], fields[1], fields[2]);
            case IDEMPOTENCY_CONFLICT -> List.of(fields[3], fields[4]);
            default -> List.of();
        };
        return ErrorReplies.toException(new CommandReply.Error(OptionalLong.empty(), errorCode, detail[0], details));
    }

    private static long position(HttpResponse<byte[]> response) {
        return parse(response, parser -> {
            long[] position = {0};
            forEachField(parser, (field, p) -> {
                if (field.equals("position")) {
                    position[0] = p.getLongValue();
                } else {
                    p.skipChildren();
                }
            });
            return position[0];
        });
    }

    private static EventPage page(HttpResponse<byte[]> response) {
        return parse(response, parser -> {
            List<RecordedEvent> events = new ArrayList<>();
            boolean[] reached = {false};
            java.util.OptionalLong[] next = {java.util.OptionalLong.empty()};
            forEachField(parser, (field, p) -> {
                switch (field) {
                    case "events" -> {
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            events.add(event(p));
                        }
                    }
                    case "next" -> next[0] = p.currentToken() == JsonToken.VALUE_NULL ? java.util.OptionalLong.empty()
                            : java.util.OptionalLong.of(p.getLongValue());
                    case "byte_budget_reached" -> reached[0] = p.getBooleanValue();
                    default -> p.skipChildren();
                }
            });
            return new EventPage(events, reached[0], next[0]);
        });
    }

    private static RecordedEvent event(JsonParser parser) throws IOException {
        return event(parser, new long[1]);
    }

    private static RecordedEvent event(JsonParser parser, long[] previous) throws IOException {
        String[] text = new String[4];
        long[] numbers = new long[2];
        byte[][] bytes = {new byte[0], new byte[0]};
        forEachField(parser, (field, p) -> {
            switch (field) {
                case "stream" -> text[0] = p.getText();
                case "id" -> text[1] = p.getText();
                case "type" -> text[2] = p.getText();
                case "timestamp" -> text[3] = p.getText();
                case "version" -> numbers[0] = p.getLongValue();
                case "position" -> numbers[1] = p.getLongValue();
                case "previous_position" -> previous[0] = p.getLongValue();
                case "data_base64" -> bytes[0] = Base64.getDecoder().decode(p.getText());
                case "metadata_base64" -> bytes[1] = Base64.getDecoder().decode(p.getText());
                default -> throw new IllegalStateException("unexpected field " + field);
            }
        });
        return new RecordedEvent(text[0], numbers[0], numbers[1], UUID.fromString(text[1]), text[2],
                Instant.parse(text[3]), bytes[0], bytes[1]);
    }

    private static StreamInfo streamInfo(JsonParser parser) throws IOException {
        String[] stream = new String[1];
        long[] numbers = new long[3];
        forEachField(parser, (field, p) -> {
            switch (field) {
                case "stream" -> stream[0] = p.getText();
                case "head_version" -> numbers[0] = p.getLongValue();
                case "first_position" -> numbers[1] = p.getLongValue();
                case "last_position" -> numbers[2] = p.getLongValue();
                default -> p.skipChildren();
            }
        });
        return new StreamInfo(stream[0], numbers[0], numbers[1], numbers[2]);
    }

    @FunctionalInterface
    private interface FieldReader {
        void read(String field, JsonParser parser) throws IOException;
    }

    /** Calls {@code reader} for each field of the object the parser is at (or about to enter). */
    private static void forEachField(JsonParser parser, FieldReader reader) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.nextToken();
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            reader.read(field, parser);
        }
    }

    @FunctionalInterface
    private interface BodyReader<T> {
        T read(JsonParser parser) throws IOException;
    }

    private static <T> T parse(HttpResponse<byte[]> response, BodyReader<T> reader) {
        return parse(response.body(), reader);
    }

    private static <T> T parse(byte[] body, BodyReader<T> reader) {
        try (JsonParser parser = Json.FACTORY.createParser(body)) {
            parser.nextToken();
            return reader.read(parser);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }
}
