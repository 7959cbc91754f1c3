package io.rewind.protocol.command;

import io.rewind.api.AccessDeniedException;
import io.rewind.api.CorruptionException;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventStoreException;
import io.rewind.api.EventTooLargeException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.IdempotencyConflictException;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.NotLeaderException;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StoreFailedException;
import io.rewind.api.StoreOverloadedException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.UnauthenticatedException;
import io.rewind.api.WrongExpectedVersionException;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Turns an {@link EventStoreException} into an ERROR reply and back, so a remote client raises the
 * same exception type, with the same fields, as the embedded store. Stateless and thread-safe.
 *
 * <p>Details by code: {@code WRONG_EXPECTED_VERSION} carries {@code [stream, expected, actual]}
 * (expected in {@link ExpectedVersion#toString()} form, actual a decimal version, -1 for no
 * stream); {@code IDEMPOTENCY_CONFLICT} carries {@code [event id, reason]}; {@code UNAVAILABLE}
 * carries {@code [not-leader, leader id or empty]} for a {@link NotLeaderException}, nothing
 * otherwise; the others none.
 */
public final class ErrorReplies {

    private static final String IDEMPOTENCY_PREFIX = " is already stored: ";
    /** The first detail of an UNAVAILABLE that stands for a {@link NotLeaderException}. */
    public static final String NOT_LEADER = "not-leader";

    private ErrorReplies() {
    }

    /** The ERROR reply for a failure of the request {@code requestId}. */
    public static CommandReply.Error of(long requestId, EventStoreException failure) {
        return of(OptionalLong.of(requestId), failure);
    }

    /** The ERROR reply for a failure; {@code requestId} is empty when the request's id was unreadable. */
    public static CommandReply.Error of(OptionalLong requestId, EventStoreException failure) {
        String reason = String.valueOf(failure.getMessage());
        if (failure instanceof WrongExpectedVersionException wrong) {
            return new CommandReply.Error(requestId, failure.code(), reason, List.of(wrong.stream(),
                    wrong.expected().toString(), Long.toString(wrong.actualVersion())));
        }
        if (failure instanceof IdempotencyConflictException conflict) {
            int cut = reason.indexOf(IDEMPOTENCY_PREFIX);
            String inner = cut < 0 ? reason : reason.substring(cut + IDEMPOTENCY_PREFIX.length());
            return new CommandReply.Error(requestId, failure.code(), reason,
                    List.of(conflict.eventId().toString(), inner));
        }
        if (failure instanceof NotLeaderException notLeader) {
            return new CommandReply.Error(requestId, failure.code(), reason,
                    List.of(NOT_LEADER, notLeader.leader().orElse("")));
        }
        return new CommandReply.Error(requestId, failure.code(), reason, List.of());
    }

    /** The exception an ERROR reply stands for: the specific subclass for its code where there is one. */
    public static EventStoreException toException(CommandReply.Error error) {
        String reason = error.reason();
        List<String> details = error.details();
        switch (error.code()) {
            case WRONG_EXPECTED_VERSION:
                if (details.size() == 3) {
                    try {
                        return new WrongExpectedVersionException(details.get(0),
                                ExpectedVersion.parse(details.get(1)), Long.parseLong(details.get(2)));
                    } catch (IllegalArgumentException e) {
                        return new EventStoreException(error.code(), reason);
                    }
                }
                return new EventStoreException(error.code(), reason);
            case IDEMPOTENCY_CONFLICT:
                if (details.size() == 2) {
                    try {
                        return new IdempotencyConflictException(UUID.fromString(details.get(0)), details.get(1));
                    } catch (IllegalArgumentException e) {
                        return new EventStoreException(error.code(), reason);
                    }
                }
                return new EventStoreException(error.code(), reason);
            case BAD_REQUEST:
                return new InvalidRequestException(reason);
            case TOO_LARGE:
                return new EventTooLargeException(reason);
            case CLOSED:
                return new StoreClosedException(reason);
            case STORE_FAILED:
                return new StoreFailedException(reason, null);
            case CORRUPTION:
                return new CorruptionException(reason);
            case UNAVAILABLE:
                if (details.size() == 2 && details.get(0).equals(NOT_LEADER)) {
                    return new NotLeaderException(reason, details.get(1));
                }
                return new StoreUnavailableException(reason);
            case OVERLOADED:
                return new StoreOverloadedException(reason);
            case ACCESS_DENIED:
                return new AccessDeniedException(reason);
            case UNAUTHENTICATED:
                return new UnauthenticatedException(reason);
            default:
                return new EventStoreException(error.code(), reason);
        }
    }

    /** An error for a failure that is not an {@link EventStoreException}: a bug, reported as INTERNAL. */
    public static CommandReply.Error internal(long requestId, Throwable failure) {
        return new CommandReply.Error(OptionalLong.of(requestId), ErrorCode.INTERNAL,
                "internal error: " + failure, List.of());
    }
}
