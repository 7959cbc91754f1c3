package io.rewind.groups;

import io.rewind.api.InvalidRequestException;
import io.rewind.api.Limits;
import io.rewind.api.RecordedEvent;
import io.rewind.api.SubscriptionRequest;
import io.rewind.api.SystemStreams;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which events a group receives: every stream, one stream, or the streams with a prefix, optionally
 * narrowed to a set of event types. System streams ({@link SystemStreams}) never match, whatever the
 * filter says, so a group never consumes the group state itself. Immutable.
 *
 * @param scope  the kind of filter
 * @param target the stream (STREAM), the prefix (PREFIX) or "" (ALL)
 * @param types  the event types, sorted; empty for every type
 */
public record GroupFilter(SubscriptionRequest.Scope scope, String target, Set<String> types) {

    public GroupFilter {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(target, "target");
        if (scope == SubscriptionRequest.Scope.ALL && !target.isEmpty()) {
            throw new InvalidRequestException("a group over every stream takes no stream or prefix, got '" + target + "'");
        }
        if (scope == SubscriptionRequest.Scope.STREAM) {
            Limits.checkStreamName(target);
        }
        if (scope != SubscriptionRequest.Scope.ALL && SystemStreams.isSystem(target)) {
            throw new InvalidRequestException("a group cannot follow the reserved system streams ('" + target + "')");
        }
        if (scope == SubscriptionRequest.Scope.PREFIX && target.isEmpty()) {
            throw new InvalidRequestException("a group's stream prefix must not be empty (use every stream instead)");
        }
        types.forEach(Limits::checkType);
        types = Set.copyOf(new TreeSet<>(types));
    }

    /** Every stream. */
    public static GroupFilter allStreams() {
        return new GroupFilter(SubscriptionRequest.Scope.ALL, "", Set.of());
    }

    /** Exactly one stream. */
    public static GroupFilter stream(String stream) {
        return new GroupFilter(SubscriptionRequest.Scope.STREAM, stream, Set.of());
    }

    /** Every stream whose name starts with {@code prefix}. */
    public static GroupFilter streamPrefix(String prefix) {
        return new GroupFilter(SubscriptionRequest.Scope.PREFIX, prefix, Set.of());
    }

    /** This filter narrowed to events of these types. */
    public GroupFilter withTypes(Collection<String> eventTypes) {
        return new GroupFilter(scope, target, Set.copyOf(eventTypes));
    }

    /** Whether the group receives {@code event}. */
    public boolean matches(RecordedEvent event) {
        String stream = event.stream();
        if (SystemStreams.isSystem(stream)) {
            return false;
        }
        boolean inScope = switch (scope) {
            case ALL -> true;
            case STREAM -> stream.equals(target);
            case PREFIX -> stream.startsWith(target);
        };
        return inScope && (types.isEmpty() || types.contains(event.type()));
    }
}
