package io.rewind.http;

import io.rewind.api.ErrorCode;
import io.rewind.api.EventStoreException;
import io.rewind.api.IdempotencyConflictException;
import io.rewind.api.NotLeaderException;
import io.rewind.api.WrongExpectedVersionException;
import java.util.Locale;

/**
 * An error answered as {@code application/problem+json} (RFC 9457): {@code type}, {@code title},
 * {@code status}, {@code detail}, {@code instance}, and Rewind's {@code code} (the store's
 * {@link ErrorCode}, as the Java API and the ZeroMQ protocol carry it), with the fields a client
 * needs to act: {@code stream}, {@code expected_version}, {@code actual_version} for a wrong
 * expected version; {@code event_id} and {@code reason} for an idempotency conflict; {@code leader}
 * (a node id, or null during an election) from a cluster node that does not lead. Immutable.
 */
record Problem(int status, ErrorCode code, String title, String detail, EventStoreException cause) {

    static final String CONTENT_TYPE = "application/problem+json";
    static final String IDEMPOTENCY_PREFIX = " is already stored: ";

    /** The problem for a store's exception: its code decides the status. */
    static Problem of(EventStoreException e) {
        return new Problem(status(e.code()), e.code(), title(e.code()), String.valueOf(e.getMessage()), e);
    }

    /** A problem of the HTTP layer itself (404, 405, 413, 415), reported with the code a client can act on. */
    static Problem http(int status, ErrorCode code, String title, String detail) {
        return new Problem(status, code, title, detail, null);
    }

    /** The HTTP status for each code; exhaustive, so a new code cannot slip through as a 500. */
    static int status(ErrorCode code) {
        return switch (code) {
            case WRONG_EXPECTED_VERSION, IDEMPOTENCY_CONFLICT -> 409;
            case BAD_REQUEST -> 400;
            case TOO_LARGE -> 413;
            case NOT_FOUND -> 404;
            case CLOSED, STORE_FAILED, UNAVAILABLE, OVERLOADED -> 503;
            case CORRUPTION, INTERNAL -> 500;
            case ACCESS_DENIED -> 403;
            case UNAUTHENTICATED -> 401;
        };
    }

    private static String title(ErrorCode code) {
        return switch (code) {
            case WRONG_EXPECTED_VERSION -> "Wrong expected version";
            case IDEMPOTENCY_CONFLICT -> "Idempotency conflict";
            case BAD_REQUEST -> "Bad request";
            case TOO_LARGE -> "Event too large";
            case NOT_FOUND -> "Not found";
            case CLOSED -> "Store closed";
            case STORE_FAILED -> "Store failed";
            case UNAVAILABLE -> "Unavailable";
            case OVERLOADED -> "Overloaded";
            case CORRUPTION -> "Corruption";
            case INTERNAL -> "Internal error";
            case ACCESS_DENIED -> "Access denied";
            case UNAUTHENTICATED -> "Unauthenticated";
        };
    }

    /** The body, for a request to {@code instance}. */
    byte[] body(String instance) {
        return Json.render(out -> {
            out.writeStartObject();
            out.writeStringField("type", "urn:rewind:problem:" + code.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            out.writeStringField("title", title);
            out.writeNumberField("status", status);
            out.writeStringField("detail", detail);
            out.writeStringField("instance", instance);
            out.writeStringField("code", code.name());
            if (cause instanceof WrongExpectedVersionException wrong) {
                out.writeStringField("stream", wrong.stream());
                out.writeStringField("expected_version", wrong.expected().toString());
                out.writeNumberField("actual_version", wrong.actualVersion());
            } else if (cause instanceof NotLeaderException notLeader) {
                out.writeFieldName("leader");
                if (notLeader.leader().isPresent()) {
                    out.writeString(notLeader.leader().get());
                } else {
                    out.writeNull();
                }
            } else if (cause instanceof IdempotencyConflictException conflict) {
                out.writeStringField("event_id", conflict.eventId().toString());
                int cut = detail.indexOf(IDEMPOTENCY_PREFIX);
                out.writeStringField("reason", cut < 0 ? detail : detail.substring(cut + IDEMPOTENCY_PREFIX.length()));
            }
            out.writeEndObject();
        });
    }
}
