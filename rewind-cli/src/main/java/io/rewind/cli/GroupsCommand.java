package io.rewind.cli;

import io.rewind.api.EventStore;
import io.rewind.client.RemoteGroups;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rewind groups …}: manages the consumer groups of a server (docs/GROUPS.md). */
@Command(name = "groups", mixinStandardHelpOptions = true,
        description = "Manage consumer groups: create, update, list, describe, delete, parked, replay.",
        subcommands = {GroupsCommand.Create.class, GroupsCommand.Update.class, GroupsCommand.ListGroups.class,
            GroupsCommand.Describe.class, GroupsCommand.Delete.class, GroupsCommand.ParkedList.class,
            GroupsCommand.Replay.class})
final class GroupsCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand: create, update, list, describe, delete, parked or replay");
    }

    /** Runs {@code work} against the groups of the server {@code client} names. */
    private static int withGroups(ClientOptions client, java.util.function.BiConsumer<RemoteGroups, PrintWriter> work) {
        try (EventStore store = client.connect()) {
            PrintWriter out = client.out();
            work.accept(RemoteGroups.of(store), out);
            out.flush();
        }
        return 0;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a consumer group.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "GROUP", description = "1-100 characters of A-Z a-z 0-9 . _ -")
        String name;

        @Option(names = "--strategy", defaultValue = "round-robin", paramLabel = "round-robin|pinned",
                description = "round-robin (default) or pinned (by stream: one consumer per stream, in order)")
        String strategy;

        @Option(names = "--prefix", paramLabel = "P", description = "Only streams starting with P")
        String prefix;

        @Option(names = "--stream", paramLabel = "S", description = "Only the stream S")
        String stream;

        @Option(names = "--type", paramLabel = "T", description = "Only events of type T (repeatable)")
        List<String> types;

        @Option(names = "--from", defaultValue = "start", paramLabel = "start|now|POSITION",
                description = "Start at the beginning (default), now (the head), or after a position")
        String from;

        @Option(names = "--max-in-flight", defaultValue = "10", paramLabel = "N")
        int maxInFlight;

        @Option(names = "--ack-timeout-ms", defaultValue = "30000", paramLabel = "MS")
        long ackTimeoutMs;

        @Option(names = "--max-retries", defaultValue = "10", paramLabel = "N")
        int maxRetries;

        @Option(names = "--retry-backoff-ms", defaultValue = "1000", paramLabel = "MS")
        long retryBackoffMs;

        @Override
        public Integer call() {
            if (prefix != null && stream != null) {
                throw client.usageError("--stream and --prefix exclude each other: give one of them");
            }
            RemoteGroups.Spec spec = RemoteGroups.Spec.named(name).withMaxInFlight(maxInFlight)
                    .withAckTimeout(Duration.ofMillis(ackTimeoutMs)).withMaxRetries(maxRetries)
                    .withRetryBackoff(Duration.ofMillis(retryBackoffMs));
            spec = switch (strategy) {
                case "round-robin" -> spec;
                case "pinned" -> spec.pinnedByStream();
                default -> throw client.usageError("--strategy must be round-robin or pinned, was '" + strategy + "'");
            };
            if (prefix != null) {
                spec = spec.streamPrefix(prefix);
            } else if (stream != null) {
                spec = spec.stream(stream);
            }
            if (types != null) {
                spec = spec.withTypes(types);
            }
            if (from.equals("now")) {
                spec = spec.startNow();
            } else if (!from.equals("start")) {
                try {
                    spec = spec.startAfter(Long.parseLong(from));
                } catch (NumberFormatException e) {
                    throw client.usageError("--from must be start, now or a position, was '" + from + "'");
                }
            }
            RemoteGroups.Spec created = spec;
            return withGroups(client, (groups, out) -> {
                groups.create(created);
                out.println(client.json ? new Json().put("created", name).toString() : "created group " + name);
            });
        }
    }

    /** {@code round-robin} or {@code pinned} as the wire's strategy word. */
    private static String strategyWord(ClientOptions client, String option, String value) {
        return switch (value) {
            case "round-robin" -> "ROUND_ROBIN";
            case "pinned" -> "PINNED_BY_STREAM";
            default -> throw client.usageError(option + " must be round-robin or pinned, was '" + value + "'");
        };
    }

    /**
     * A duration as the update options take it: a whole number with a unit {@code ms}, {@code s},
     * {@code m} or {@code h} ({@code 500ms}, {@code 30s}, {@code 2m}); a bare number is milliseconds.
     */
    static Duration duration(ClientOptions client, String option, String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,12})(ms|s|m|h)?").matcher(text);
        if (!m.matches()) {
            throw client.usageError(option + " must be a whole number with a unit ms, s, m or h (e.g. 500ms, 30s,"
                    + " 2m), was '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofMillis(n);
        };
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = {"Change some settings of a consumer group; those not given keep their value.",
                "Applied at once and kept across restarts. Deliveries already out keep their ack deadline;",
                "a lower --max-in-flight hands a consumer no more until it holds fewer.",
                "The strategy of a live group cannot change (the server refuses it)."})
    static final class Update implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "GROUP")
        String name;

        @Option(names = "--max-in-flight", paramLabel = "N", description = "Unsettled deliveries per consumer (1-10000)")
        Integer maxInFlight;

        @Option(names = "--ack-timeout", paramLabel = "D",
                description = "Time to settle a delivery before it goes out again (1ms-24h; e.g. 30s, 500ms)")
        String ackTimeout;

        @Option(names = "--max-retries", paramLabel = "N", description = "Failed deliveries before parking (0-1000)")
        Integer maxRetries;

        @Option(names = "--retry-backoff", paramLabel = "D",
                description = "Wait before redelivering after a nack with retry, doubling per attempt (0-1h)")
        String retryBackoff;

        @Option(names = "--strategy", paramLabel = "round-robin|pinned",
                description = "Only the group's current strategy is accepted: a live group cannot switch")
        String strategy;

        @Override
        public Integer call() {
            RemoteGroups.Update update = RemoteGroups.Update.keep();
            if (strategy != null) {
                update = update.withStrategy(strategyWord(client, "--strategy", strategy));
            }
            if (maxInFlight != null) {
                update = update.withMaxInFlight(maxInFlight);
            }
            if (ackTimeout != null) {
                update = update.withAckTimeout(duration(client, "--ack-timeout", ackTimeout));
            }
            if (maxRetries != null) {
                update = update.withMaxRetries(maxRetries);
            }
            if (retryBackoff != null) {
                update = update.withRetryBackoff(duration(client, "--retry-backoff", retryBackoff));
            }
            if (update.equals(RemoteGroups.Update.keep())) {
                throw client.usageError("nothing to update: give at least one of --max-in-flight, --ack-timeout,"
                        + " --max-retries, --retry-backoff, --strategy");
            }
            RemoteGroups.Update asked = update;
            return withGroups(client, (groups, out) -> {
                RemoteGroups.Settings s = groups.update(name, asked);
                if (client.json) {
                    out.println(new Json().put("group", s.name()).put("strategy", s.strategy())
                            .put("max_in_flight", s.maxInFlight()).put("ack_timeout_ms", s.ackTimeoutMillis())
                            .put("max_retries", s.maxRetries()).put("retry_backoff_ms", s.retryBackoffMillis()));
                } else {
                    out.printf("updated group %s: strategy %s, max in flight %d, ack timeout %d ms, max retries %d,"
                            + " retry backoff %d ms%n", s.name(), s.strategy(), s.maxInFlight(), s.ackTimeoutMillis(),
                            s.maxRetries(), s.retryBackoffMillis());
                }
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the consumer groups.")
    static final class ListGroups implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            return withGroups(client, (groups, out) -> groups.list().stream().sorted().forEach(name -> out.println(
                    client.json ? new Json().put("group", name).toString() : name)));
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show a group's settings, checkpoint, lag, consumers and parked count.")
    static final class Describe implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "GROUP")
        String name;

        @Override
        public Integer call() {
            return withGroups(client, (groups, out) -> {
                RemoteGroups.Description d = groups.describe(name);
                if (client.json) {
                    out.println(new Json().put("group", d.name()).put("strategy", d.strategy())
                            .put("scope", d.scope()).put("target", d.target()).put("types", d.types())
                            .put("max_in_flight", d.maxInFlight()).put("ack_timeout_ms", d.ackTimeoutMillis())
                            .put("max_retries", d.maxRetries()).put("retry_backoff_ms", d.retryBackoffMillis())
                            .put("start_after", d.startAfter()).put("checkpoint", d.checkpoint())
                            .put("durable_checkpoint", d.durableCheckpoint()).put("head", d.head())
                            .put("lag_positions", d.lag()).put("in_flight", d.inFlight())
                            .put("buffered", d.buffered()).put("parked", d.parked())
                            .put("consumers", d.consumers()));
                    return;
                }
                out.printf("group               %s%n", d.name());
                out.printf("strategy            %s%n", d.strategy());
                out.printf("filter              %s%s%s%n", d.scope(), d.target().isEmpty() ? "" : " " + d.target(),
                        d.types().isEmpty() ? "" : " types " + String.join(",", d.types()));
                out.printf("max in flight       %d%n", d.maxInFlight());
                out.printf("ack timeout         %d ms%n", d.ackTimeoutMillis());
                out.printf("max retries         %d%n", d.maxRetries());
                out.printf("retry backoff       %d ms%n", d.retryBackoffMillis());
                out.printf("started after       %d%n", d.startAfter());
                out.printf("checkpoint          %d (durable %d)%n", d.checkpoint(), d.durableCheckpoint());
                out.printf("head                %d (lag %d positions)%n", d.head(), d.lag());
                out.printf("in flight           %d%n", d.inFlight());
                out.printf("buffered            %d%n", d.buffered());
                out.printf("parked              %d%n", d.parked());
                out.printf("consumers           %s%n", d.consumers().isEmpty() ? "none" : String.join(", ", d.consumers()));
            });
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a consumer group.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "GROUP")
        String name;

        @Override
        public Integer call() {
            return withGroups(client, (groups, out) -> {
                groups.delete(name);
                out.println(client.json ? new Json().put("deleted", name).toString() : "deleted group " + name);
            });
        }
    }

    @Command(name = "parked", mixinStandardHelpOptions = true, description = "List a group's parked events.")
    static final class ParkedList implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "GROUP")
        String name;

        @Override
        public Integer call() {
            return withGroups(client, (groups, out) -> groups.parked(name).forEach(p -> {
                if (client.json) {
                    out.println(new Json().put("position", p.position()).put("stream", p.stream())
                            .put("id", p.eventId().toString()).put("attempts", p.attempts()).put("reason", p.reason()));
                } else {
                    out.printf("%d\t%s\t%s\tattempts %d\t%s%n", p.position(), p.stream(), p.eventId(), p.attempts(),
                            p.reason());
                }
            }));
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Replay a group's parked events into it: all, or one by --position.")
    static final class Replay implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "GROUP")
        String name;

        @Option(names = "--position", paramLabel = "P", description = "Replay only the parked event at P")
        Long position;

        @Override
        public Integer call() {
            return withGroups(client, (groups, out) -> {
                if (position == null) {
                    int count = groups.replayAll(name);
                    out.println(client.json ? new Json().put("group", name).put("replayed", count).toString()
                            : "replayed " + count + " parked event(s)");
                } else {
                    groups.replay(name, position);
                    out.println(client.json ? new Json().put("group", name).put("replayed", 1).put("position", position)
                            .toString() : "replayed the parked event at " + position);
                }
            });
        }
    }
}
