package io.rewind.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * One atomic append: events for one or more streams, each stream with its own expected version,
 * plus optional <em>checks</em> on streams the append does not write (a consistency boundary).
 * Either every condition holds and every event is written, or nothing is.
 *
 * <p>Events are stored in the order they were added, stream after stream in the order the streams
 * were first named; their positions follow that order. Immutable and thread-safe once built; build
 * one with {@link #builder()} or {@link #to(String, ExpectedVersion, List)}.
 */
public final class AppendRequest {

    /** The events for one stream and the condition on it. */
    public record StreamAppend(String stream, ExpectedVersion expected, List<EventData> events) {
        public StreamAppend {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(expected, "expected");
            events = List.copyOf(events);
        }
    }

    /** A condition on a stream this append does not write. */
    public record StreamCheck(String stream, ExpectedVersion expected) {
        public StreamCheck {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(expected, "expected");
        }
    }

    private final List<StreamAppend> appends;
    private final List<StreamCheck> checks;
    private final int eventCount;

    private AppendRequest(List<StreamAppend> appends, List<StreamCheck> checks) {
        this.appends = List.copyOf(appends);
        this.checks = List.copyOf(checks);
        int count = 0;
        for (StreamAppend append : this.appends) {
            count += append.events().size();
        }
        this.eventCount = count;
    }

    /** An append of {@code events} to one stream. */
    public static AppendRequest to(String stream, ExpectedVersion expected, List<EventData> events) {
        return builder().append(stream, expected, events).build();
    }

    /** An append of {@code events} to one stream. */
    public static AppendRequest to(String stream, ExpectedVersion expected, EventData... events) {
        return to(stream, expected, events == null ? null : java.util.Arrays.asList(events));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The streams written, in order, each with its events. */
    public List<StreamAppend> appends() {
        return appends;
    }

    /** The streams only checked. */
    public List<StreamCheck> checks() {
        return checks;
    }

    /** The number of events over all streams. */
    public int eventCount() {
        return eventCount;
    }

    /**
     * Checks the request against the {@link Limits} and the given maximum event size.
     *
     * @param maxEventBytes the largest data + metadata size one event may have
     * @throws InvalidRequestException naming the first thing that is wrong
     */
    public void validate(int maxEventBytes) {
        if (eventCount == 0) {
            throw new InvalidRequestException("an append must carry at least one event");
        }
        if (eventCount > Limits.MAX_EVENTS_PER_APPEND) {
            throw new InvalidRequestException("an append carries " + eventCount
                    + " events, the limit is " + Limits.MAX_EVENTS_PER_APPEND);
        }
        // Only an append of several events can repeat an id: most appends skip the set.
        Set<UUID> ids = eventCount > 1 ? new HashSet<>() : null;
        for (StreamAppend append : appends) {
            Limits.checkStreamName(append.stream());
            if (append.events().isEmpty()) {
                throw new InvalidRequestException("stream '" + append.stream() + "' is named with no events");
            }
            for (EventData event : append.events()) {
                Limits.checkType(event.type());
                long size = (long) event.dataSize() + event.metadataSize();
                if (size > maxEventBytes) {
                    throw new EventTooLargeException(size, maxEventBytes);
                }
                if (ids != null && event.id() != null && !ids.add(event.id())) {
                    throw new InvalidRequestException("event id " + event.id() + " appears twice in one append");
                }
            }
        }
        for (StreamCheck check : checks) {
            Limits.checkStreamName(check.stream());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AppendRequest other && appends.equals(other.appends) && checks.equals(other.checks);
    }

    @Override
    public int hashCode() {
        return Objects.hash(appends, checks);
    }

    @Override
    public String toString() {
        return "AppendRequest[appends=" + appends + ", checks=" + checks + "]";
    }

    /**
     * Builds an {@link AppendRequest}. Not thread-safe.
     *
     * <p>Kept light because servers build one per request on their hot path: one map for the
     * written streams (allocated on first use, as is the map of checks).
     */
    public static final class Builder {
        /** A written stream while the request is being built. */
        private static final class Written {
            final ExpectedVersion expected;
            final List<EventData> events;

            Written(ExpectedVersion expected, List<EventData> events) {
                this.expected = expected;
                this.events = events;
            }
        }

        private Map<String, Written> written;
        private Map<String, ExpectedVersion> checks;

        private Builder() {
        }

        /**
         * Adds events for a stream. Naming the same stream again adds more events to it; the
         * expected version must then be the same.
         */
        public Builder append(String stream, ExpectedVersion expectedVersion, List<EventData> newEvents) {
            requireStream(stream);
            Arguments.requireNonNull(expectedVersion, "expected version");
            Arguments.requireNonNull(newEvents, "events");
            if (checks != null && checks.containsKey(stream)) {
                throw new InvalidRequestException("stream '" + stream + "' is both written and only checked");
            }
            if (written == null) {
                written = new LinkedHashMap<>();
            }
            Written previous = written.get(stream);
            int before = previous == null ? 0 : previous.events.size();
            for (int i = 0; i < newEvents.size(); i++) {
                if (newEvents.get(i) == null) {
                    throw new InvalidRequestException("event " + (before + i) + " of stream '" + stream + "' is null");
                }
            }
            if (previous == null) {
                written.put(stream, new Written(expectedVersion, new ArrayList<>(newEvents)));
            } else if (!previous.expected.equals(expectedVersion)) {
                throw new InvalidRequestException("stream '" + stream + "' is named with two expected versions: "
                        + previous.expected + " and " + expectedVersion);
            } else {
                previous.events.addAll(newEvents);
            }
            return this;
        }

        public Builder append(String stream, ExpectedVersion expectedVersion, EventData... newEvents) {
            return append(stream, expectedVersion, newEvents == null ? null : java.util.Arrays.asList(newEvents));
        }

        /** Adds a condition on a stream this append does not write. */
        public Builder check(String stream, ExpectedVersion expectedVersion) {
            requireStream(stream);
            Arguments.requireNonNull(expectedVersion, "expected version");
            if (written != null && written.containsKey(stream)) {
                throw new InvalidRequestException("stream '" + stream + "' is both written and only checked");
            }
            if (checks == null) {
                checks = new LinkedHashMap<>();
            }
            ExpectedVersion previous = checks.putIfAbsent(stream, expectedVersion);
            if (previous != null && !previous.equals(expectedVersion)) {
                throw new InvalidRequestException("stream '" + stream + "' is checked with two expected versions: "
                        + previous + " and " + expectedVersion);
            }
            return this;
        }

        /** A null name is refused as {@link Limits#checkStreamName} refuses it; the rest is checked by validate. */
        private static void requireStream(String stream) {
            if (stream == null) {
                throw new InvalidRequestException("stream name must not be empty");
            }
        }

        public AppendRequest build() {
            List<StreamAppend> appends = new ArrayList<>(written == null ? 0 : written.size());
            if (written != null) {
                written.forEach((stream, entry) -> appends.add(new StreamAppend(stream, entry.expected, entry.events)));
            }
            List<StreamCheck> checkList = new ArrayList<>(checks == null ? 0 : checks.size());
            if (checks != null) {
                checks.forEach((stream, version) -> checkList.add(new StreamCheck(stream, version)));
            }
            return new AppendRequest(appends, checkList);
        }
    }
}
