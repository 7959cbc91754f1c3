package io.rewind.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.rewind.api.ErrorCode;
import io.rewind.api.InvalidRequestException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One request and its response, with the decoded path and query and the helpers every route uses
 * to read parameters and answer. Used by one thread at a time (the request's, or a live feed's).
 */
final class Exchange {

    static final String JSON = "application/json";
    static final String NDJSON = "application/x-ndjson";
    static final String EVENT_STREAM = "text/event-stream";

    final Request request;
    final Response response;
    final Callback callback;
    final List<String> path;
    private final Map<String, List<String>> query;
    private final long maxRequestBytes;
    /** Whether a route asked for the body ({@link #body}); a body never asked for is discarded. */
    private boolean bodyTaken;
    /**
     * What the route serves: the server's store, or with security on the request principal's
     * {@link io.rewind.security.SecuredEventStore} view of it (set once by the handler before the route runs).
     */
    io.rewind.api.EventStore store;
    /** The principal's view, or null when the server runs without {@link HttpAccess}. */
    io.rewind.security.SecuredEventStore secured;

    Exchange(Request request, Response response, Callback callback, long maxRequestBytes) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.maxRequestBytes = maxRequestBytes;
        this.path = UriText.segments(request.getHttpURI().getPath());
        this.query = UriText.query(request.getHttpURI().getQuery());
    }

    /** With security on, refuses the request unless its principal has the admin grant. */
    void requireAdmin(String what) {
        if (secured != null) {
            secured.requireAdmin(what);
        }
    }

    String method() {
        return request.getMethod();
    }

    /** The request's path as sent, for {@code instance} in problems and for logs. */
    String target() {
        String raw = request.getHttpURI().getPath();
        return raw == null ? "/" : raw;
    }

    /** Whether the client asked for {@code mediaType} in its Accept header. */
    boolean accepts(String mediaType) {
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        return accept != null && accept.toLowerCase(Locale.ROOT).contains(mediaType);
    }

    /** The media type of the body, lower case without parameters; "" when there is none. */
    String contentType() {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null) {
            return "";
        }
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    String header(String name) {
        return request.getHeaders().get(name);
    }

    /**
     * The body, at most the configured number of bytes: a longer declared length is refused at once,
     * a longer body without one when the limit is reached.
     */
    InputStream body() {
        bodyTaken = true;
        long declared = request.getLength();
        if (declared > maxRequestBytes) {
            throw new HttpProblemException(Problem.http(413, ErrorCode.TOO_LARGE, "Request too large",
                    "the body is " + declared + " bytes, the limit is " + maxRequestBytes));
        }
        return new LimitedInput(Content.Source.asInputStream(request), maxRequestBytes);
    }

    /** Checks the body's media type. */
    void requireContentType(String... allowed) {
        String type = contentType();
        for (String candidate : allowed) {
            if (candidate.equals(type)) {
                return;
            }
        }
        throw new HttpProblemException(Problem.http(415, ErrorCode.BAD_REQUEST, "Unsupported media type",
                "Content-Type must be " + String.join(" or ", allowed) + (type.isEmpty() ? ", none was given"
                        : ", was " + AppendParser.clip(type))));
    }

    // --- parameters -------------------------------------------------------------------------

    /** The one value of a query parameter; a parameter given twice is refused (only some repeat). */
    String text(String name, String fallback) {
        List<String> values = query.get(name);
        if (values == null) {
            return fallback;
        }
        if (values.size() > 1) {
            throw new InvalidRequestException(AppendParser.clip(name) + ": given twice in the query");
        }
        return values.get(0);
    }

    /** Every value of a parameter that may repeat ({@code type=A&type=B}); empty when not given. */
    List<String> values(String name) {
        return query.getOrDefault(name, List.of());
    }

    long number(String name, long fallback) {
        String value = text(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(name + ": not a whole number, was '" + AppendParser.clip(value) + "'");
        }
    }

    int limit(int fallback) {
        long value = number("limit", fallback);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            // Out of int range: let the store refuse it with its own message, as for any bad limit.
            return value < 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        }
        return (int) value;
    }

    /** Refuses query parameters the route does not know, naming them. */
    void onlyParameters(String... known) {
        for (String name : query.keySet()) {
            boolean found = false;
            for (String candidate : known) {
                found |= candidate.equals(name);
            }
            if (!found) {
                throw new InvalidRequestException(AppendParser.clip(name) + ": unknown query parameter (known: "
                        + (known.length == 0 ? "none" : String.join(", ", known)) + ")");
            }
        }
    }

    // --- answers ----------------------------------------------------------------------------

    void json(int status, Json.Body body) {
        send(status, JSON, Json.render(body));
    }

    void send(int status, String contentType, byte[] bytes) {
        if (!bodyTaken && request.getLength() != 0) {
            // A body the route never read (a GET with a body, say): Jetty discards what has arrived
            // and closes the connection if more may follow, so the client must not reuse it.
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /**
     * Answers a problem. A request that came with a body which may still be partly unread (it was
     * refused before or while reading it) gets {@code Connection: close}, so that the client does
     * not send its next request on a connection whose rest of the body the server discards.
     */
    void problem(Problem problem) {
        if (request.getLength() != 0) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        if (problem.code() == ErrorCode.UNAUTHENTICATED) {
            boolean invalid = !(problem.cause() instanceof HttpAccess.HttpUnauthenticatedException missing)
                    || missing.tokenGiven;
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"" + HttpAccess.REALM + "\""
                    + (invalid ? ", error=\"invalid_token\"" : ""));
        }
        if (problem.code() == ErrorCode.OVERLOADED) {
            // The store's queue is full for now: the append may be retried (with the same ids) at once.
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        }
        send(problem.status(), Problem.CONTENT_TYPE, problem.body(target()));
    }

    /** Starts a streamed answer; the caller writes through the returned generator and then calls {@link #finish}. */
    OutputStream stream(int status, String contentType) {
        if (!bodyTaken && request.getLength() != 0) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        return Content.Sink.asOutputStream(response);
    }

    static JsonGenerator lines(OutputStream out) {
        JsonGenerator generator = Json.generator(out);
        generator.setRootValueSeparator(null);
        return generator;
    }

    /** Ends a streamed answer. */
    void finish(OutputStream out) throws IOException {
        out.close();
        callback.succeeded();
    }

    /** A body longer than the limit fails with a 413 when the limit is crossed. */
    private static final class LimitedInput extends FilterInputStream {
        private final long limit;
        private long read;

        LimitedInput(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            read += n;
            if (read > limit) {
                throw new HttpProblemException(Problem.http(413, ErrorCode.TOO_LARGE, "Request too large",
                        "the body is longer than the limit of " + limit + " bytes"));
            }
        }
    }
}
