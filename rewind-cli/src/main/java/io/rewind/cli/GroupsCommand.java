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
        description = "Manage consumer groups: create, list, describe, delete, parked, replay.",
        subcommands = {GroupsCommand.Create.class, GroupsCommand.ListGroups.class, GroupsCommand.Describe.class,
            GroupsCommand.Delete.class, GroupsCommand.ParkedList.class, GroupsCommand.Replay.class})
final class GroupsCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand: create, list, describe, delete, parked or replay");
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
                out.printf("created group %s%n", name);
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the consumer groups.")
    static final class ListGroups implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            return withGroups(client, (groups, out) -> groups.list().stream().sorted().forEach(out::println));
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
                out.printf("deleted group %s%n", name);
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
            return withGroups(client, (groups, out) -> groups.parked(name).forEach(p -> out.printf(
                    "%d\t%s\t%s\tattempts %d\t%s%n", p.position(), p.stream(), p.eventId(), p.attempts(), p.reason())));
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
                    out.printf("replayed %d parked event(s)%n", groups.replayAll(name));
                } else {
                    groups.replay(name, position);
                    out.printf("replayed the parked event at %d%n", position);
                }
            });
        }
    }
}
