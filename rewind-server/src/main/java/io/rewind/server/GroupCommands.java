package io.rewind.server;

import io.rewind.api.InvalidRequestException;
import io.rewind.api.SubscriptionRequest;
import io.rewind.groups.GroupDefinition;
import io.rewind.groups.GroupFilter;
import io.rewind.groups.GroupInfo;
import io.rewind.groups.GroupService;
import io.rewind.groups.GroupSettings;
import io.rewind.groups.GroupStart;
import io.rewind.groups.ParkedEvent;
import io.rewind.groups.Strategy;
import io.rewind.protocol.command.CommandRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the GROUP command (docs/PROTOCOL.md §5.6) against a {@link GroupService}: reads the text
 * arguments, calls the service, and gives back the reply's text frames. The service's own
 * exceptions ({@code UnknownGroupException}, {@code DuplicateGroupException}, …) pass through, so
 * the client gets their code and message. Called on a worker thread (the service's methods wait
 * for its thread), never on the socket thread.
 */
final class GroupCommands {

    /** Frames of a CREATE before the optional event types. */
    static final int CREATE_FIXED_ARGUMENTS = 10;

    private GroupCommands() {
    }

    static List<String> run(GroupService groups, CommandRequest.Group request) {
        List<String> args = request.arguments();
        switch (request.operation()) {
            case LIST:
                count(request, 0);
                return groups.list();
            case DESCRIBE:
                count(request, 1);
                return describe(groups.describe(args.get(0)));
            case DELETE:
                count(request, 1);
                groups.delete(args.get(0));
                return List.of(args.get(0));
            case CREATE:
                return List.of(create(groups, args).name());
            case UPDATE:
                count(request, 6);
                return settings(update(groups, args));
            case PARKED:
                count(request, 1);
                return parked(groups.parked(args.get(0)));
            case REPLAY:
                count(request, 2);
                if (args.get(1).equals("ALL")) {
                    return List.of(Integer.toString(groups.replayAllParked(args.get(0))));
                }
                groups.replayParked(args.get(0), number(args.get(1), "position"));
                return List.of("1");
            default:
                throw new InvalidRequestException("GROUP " + request.operation() + " is not served");
        }
    }

    private static GroupDefinition create(GroupService groups, List<String> args) {
        if (args.size() < CREATE_FIXED_ARGUMENTS) {
            throw new InvalidRequestException("GROUP CREATE needs " + CREATE_FIXED_ARGUMENTS
                    + " arguments (name, strategy, max in flight, ack timeout ms, max retries, retry backoff ms,"
                    + " scope, target, start, after position) and then the event types, got " + args.size());
        }
        Strategy strategy = word(Strategy.class, args.get(1), "strategy");
        GroupSettings settings = GroupSettings.defaults().withStrategy(strategy)
                .withMaxInFlightPerConsumer(intNumber(args.get(2), "max in flight"))
                .withAckTimeout(Duration.ofMillis(number(args.get(3), "ack timeout ms")))
                .withMaxRetries(intNumber(args.get(4), "max retries"))
                .withRetryBackoff(Duration.ofMillis(number(args.get(5), "retry backoff ms")));
        SubscriptionRequest.Scope scope = word(SubscriptionRequest.Scope.class, args.get(6), "scope");
        String target = args.get(7);
        GroupFilter filter = switch (scope) {
            case ALL -> {
                if (!target.isEmpty()) {
                    throw new InvalidRequestException("GROUP CREATE: scope ALL takes an empty target, was '" + target
                            + "'");
                }
                yield GroupFilter.allStreams();
            }
            case STREAM -> GroupFilter.stream(target);
            case PREFIX -> GroupFilter.streamPrefix(target);
        };
        List<String> types = args.subList(CREATE_FIXED_ARGUMENTS, args.size());
        if (!types.isEmpty()) {
            filter = filter.withTypes(types);
        }
        long after = number(args.get(9), "after position");
        GroupStart start = switch (args.get(8)) {
            case "BEGINNING" -> GroupStart.beginning();
            case "AFTER" -> GroupStart.after(after);
            case "NOW" -> GroupStart.fromNow();
            default -> throw new InvalidRequestException("GROUP CREATE: start must be BEGINNING, AFTER or NOW, was '"
                    + args.get(8) + "'");
        };
        return groups.create(args.get(0), settings, filter, start);
    }

    /**
     * UPDATE: name, then strategy, max in flight, ack timeout ms, max retries, retry backoff ms,
     * each empty to keep the group's current value. The values are read here and applied on the
     * service's thread to the settings current there, so two updates of different settings both hold.
     */
    private static GroupDefinition update(GroupService groups, List<String> args) {
        List<String> values = args.subList(1, 6);
        if (values.stream().allMatch(String::isEmpty)) {
            throw new InvalidRequestException("GROUP UPDATE: give at least one setting to change (strategy, max in"
                    + " flight, ack timeout ms, max retries, retry backoff ms); all five were empty");
        }
        Strategy strategy = args.get(1).isEmpty() ? null : word(Strategy.class, args.get(1), "strategy");
        Integer maxInFlight = args.get(2).isEmpty() ? null : intNumber(args.get(2), "max in flight");
        Long ackTimeout = args.get(3).isEmpty() ? null : number(args.get(3), "ack timeout ms");
        Integer maxRetries = args.get(4).isEmpty() ? null : intNumber(args.get(4), "max retries");
        Long retryBackoff = args.get(5).isEmpty() ? null : number(args.get(5), "retry backoff ms");
        return groups.update(args.get(0), current -> {
            GroupSettings s = current;
            if (strategy != null) {
                s = s.withStrategy(strategy);
            }
            if (maxInFlight != null) {
                s = s.withMaxInFlightPerConsumer(maxInFlight);
            }
            if (ackTimeout != null) {
                s = s.withAckTimeout(Duration.ofMillis(ackTimeout));
            }
            if (maxRetries != null) {
                s = s.withMaxRetries(maxRetries);
            }
            if (retryBackoff != null) {
                s = s.withRetryBackoff(Duration.ofMillis(retryBackoff));
            }
            return s;
        });
    }

    /** The UPDATE reply: name, strategy, max in flight, ack timeout ms, max retries, retry backoff ms. */
    static List<String> settings(GroupDefinition d) {
        GroupSettings s = d.settings();
        return List.of(d.name(), s.strategy().name(), Integer.toString(s.maxInFlightPerConsumer()),
                Long.toString(s.ackTimeout().toMillis()), Integer.toString(s.maxRetries()),
                Long.toString(s.retryBackoff().toMillis()));
    }

    /** The DESCRIBE frames, in the order docs/PROTOCOL.md §5.6 gives. */
    static List<String> describe(GroupInfo info) {
        GroupDefinition d = info.definition();
        GroupSettings s = d.settings();
        List<String> out = new ArrayList<>(List.of(d.name(), s.strategy().name(),
                Integer.toString(s.maxInFlightPerConsumer()), Long.toString(s.ackTimeout().toMillis()),
                Integer.toString(s.maxRetries()), Long.toString(s.retryBackoff().toMillis()),
                d.filter().scope().name(), d.filter().target(), Long.toString(d.startAfter()),
                Long.toString(info.checkpoint()), Long.toString(info.durableCheckpoint()), Long.toString(info.head()),
                Integer.toString(info.inFlight()), Integer.toString(info.buffered()), Integer.toString(info.parked()),
                Integer.toString(info.consumers().size())));
        out.addAll(info.consumers());
        out.addAll(d.filter().types().stream().sorted().toList());
        return out;
    }

    private static List<String> parked(List<ParkedEvent> parked) {
        List<String> out = new ArrayList<>(parked.size() * 5);
        for (ParkedEvent p : parked) {
            out.add(Long.toString(p.position()));
            out.add(p.event().stream());
            out.add(p.event().id().toString());
            out.add(Integer.toString(p.attempts()));
            out.add(p.reason());
        }
        return out;
    }

    private static void count(CommandRequest.Group request, int expected) {
        if (request.arguments().size() != expected) {
            throw new InvalidRequestException("GROUP " + request.operation() + " takes " + expected
                    + " argument(s), got " + request.arguments().size());
        }
    }

    private static long number(String text, String what) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("GROUP: " + what + " must be a decimal number, was '" + text + "'");
        }
    }

    private static int intNumber(String text, String what) {
        long value = number(text, what);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new InvalidRequestException("GROUP: " + what + " is out of range: " + text);
        }
        return (int) value;
    }

    private static <E extends Enum<E>> E word(Class<E> type, String text, String what) {
        try {
            return Enum.valueOf(type, text);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("GROUP: " + what + " must be one of "
                    + java.util.Arrays.toString(type.getEnumConstants()) + ", was '" + text + "'");
        }
    }
}
