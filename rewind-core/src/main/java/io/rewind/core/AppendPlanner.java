package io.rewind.core;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.IdempotencyConflictException;
import io.rewind.api.RecordedEvent;
import io.rewind.api.WrongExpectedVersionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Decides an append the same way in every store: is it a retry of an append already stored, does
 * it break an expected version, and which versions do its events get. Stateless and thread-safe;
 * the caller makes sure {@link StoreState} does not change during a call.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>If no event's id is stored, the append is new: every check and every expected version must
 *       hold (first failure in request order is reported), and events get consecutive versions.</li>
 *   <li>If every event carries an id and every id is stored, in the same stream, with the same type,
 *       data and metadata, at increasing positions in request order, it is a retry: the original
 *       result is returned and nothing is written, whatever the expected versions say now.</li>
 *   <li>Anything in between (some ids stored, or stored elsewhere or with other content) is an
 *       {@link IdempotencyConflictException}.</li>
 * </ol>
 */
public final class AppendPlanner {

    private AppendPlanner() {
    }

    /**
     * Plans {@code request} against {@code state}.
     *
     * @param idGenerator supplies ids for events that carry none
     * @throws WrongExpectedVersionException if a condition does not hold
     * @throws IdempotencyConflictException  if stored ids make the append neither new nor a retry
     */
    public static AppendPlan plan(AppendRequest request, StoreState state, Supplier<UUID> idGenerator) {
        AppendPlan retry = retryOrNull(request, state);
        if (retry != null) {
            return retry;
        }
        for (AppendRequest.StreamCheck check : request.checks()) {
            long current = state.currentVersion(check.stream());
            if (!check.expected().isSatisfiedBy(current)) {
                throw new WrongExpectedVersionException(check.stream(), check.expected(), current);
            }
        }
        List<AppendPlan.PlannedEvent> planned = new ArrayList<>(request.eventCount());
        for (AppendRequest.StreamAppend append : request.appends()) {
            long current = state.currentVersion(append.stream());
            if (!append.expected().isSatisfiedBy(current)) {
                throw new WrongExpectedVersionException(append.stream(), append.expected(), current);
            }
            long version = current;
            for (EventData event : append.events()) {
                UUID id = event.id() != null ? event.id() : idGenerator.get();
                planned.add(new AppendPlan.PlannedEvent(append.stream(), ++version, id, event));
            }
        }
        return new AppendPlan.Write(planned);
    }

    /** A Retry plan when every event is stored as this request describes it; null when none is stored. */
    private static AppendPlan retryOrNull(AppendRequest request, StoreState state) {
        List<AppendResult.Written> written = new ArrayList<>(request.eventCount());
        UUID firstStored = null;
        UUID firstMissing = null;
        long lastPosition = -1;
        for (AppendRequest.StreamAppend append : request.appends()) {
            for (EventData event : append.events()) {
                Optional<RecordedEvent> stored = event.id() == null ? Optional.empty() : state.eventById(event.id());
                if (stored.isEmpty()) {
                    if (firstMissing == null) {
                        firstMissing = event.id() == null ? new UUID(0, 0) : event.id();
                    }
                    continue;
                }
                RecordedEvent original = stored.get();
                if (firstStored == null) {
                    firstStored = original.id();
                }
                String mismatch = compare(append.stream(), event, original, lastPosition);
                if (mismatch != null) {
                    throw new IdempotencyConflictException(original.id(), mismatch);
                }
                lastPosition = original.position();
                written.add(new AppendResult.Written(original.stream(), original.version(), original.position(),
                        original.id()));
            }
        }
        if (firstStored == null) {
            return null;
        }
        if (firstMissing != null) {
            throw new IdempotencyConflictException(firstStored,
                    "only some events of this append are stored, so it is not a retry of an earlier append");
        }
        return new AppendPlan.Retry(new AppendResult(written));
    }

    private static String compare(String stream, EventData event, RecordedEvent original, long previousPosition) {
        if (!original.stream().equals(stream)) {
            return "it is in stream '" + original.stream() + "', not '" + stream + "'";
        }
        if (!event.sameContentAs(original)) {
            return "the stored event has other content (type, data or metadata)";
        }
        if (original.position() <= previousPosition) {
            return "the stored events are in another order than this append";
        }
        return null;
    }
}
