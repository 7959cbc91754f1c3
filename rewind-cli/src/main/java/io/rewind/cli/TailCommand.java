package io.rewind.cli;

import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code rewind tail}: prints events as they are stored, following live until stopped (Ctrl-C) or
 * until {@code --limit} events were printed. {@code --stream} (exact), {@code --prefix} and
 * {@code --type} are filters the store applies, not this command. It runs on the client's
 * subscription, which resumes after the last event or checkpoint notice it received when the
 * connection drops or the server restarts: the output has every matching event exactly once, in
 * global order, across restarts, and a filter that skips for a long time does not make a resumption
 * scan again what was skipped before the last notice.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Print events as they are stored, in global order, and keep following (Ctrl-C to stop).",
                "Keeps following across lost connections and server restarts, without gap or repetition."})
final class TailCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Option(names = "--stream", paramLabel = "S",
            description = "Only the stream named exactly S (not S-1 or S0; see --prefix for those).")
    String stream;

    @Option(names = "--prefix", paramLabel = "P", defaultValue = "",
            description = ClientOptions.PREFIX_DESCRIPTION)
    String prefix;

    @Option(names = "--type", paramLabel = "T",
            description = "Only events of type T; repeat it for several types (default: every type).")
    List<String> types;

    @Option(names = "--from", paramLabel = "N|start|end", defaultValue = "end", converter = StartConverter.class,
            description = "Where to start: 'end' (only new events; the default), 'start' (every stored event "
                    + "first), or N (the events at global position N and after).")
    SubscriptionRequest from;

    @Option(names = "--limit", paramLabel = "N", description = "Stop after printing N events (default: never).")
    Long limit;

    @Override
    public Integer call() throws InterruptedException {
        if (limit != null && limit < 1) {
            throw client.usageError("--limit must be >= 1, was " + limit);
        }
        SubscriptionRequest request = request();
        Printer printer = client.printer();
        Follower follower = new Follower(printer, limit == null ? Long.MAX_VALUE : limit,
                Terminal.stderrIsTerminal() ? client.err() : null);
        EventStore store = client.connect();
        // Ctrl-C or SIGTERM: a normal end, not the "client closed" failure closing would report.
        Thread closeOnSignal = new Thread(() -> {
            follower.stop();
            store.close();
        }, "rewind-tail-shutdown");
        Runtime.getRuntime().addShutdownHook(closeOnSignal);
        try {
            Subscription subscription = store.subscribe(request, follower);
            try {
                follower.awaitEnd();
            } finally {
                subscription.close();
            }
        } finally {
            removeHook(closeOnSignal);
            store.close();
        }
        return 0;
    }

    /** The subscription the options ask for; a bad filter is a usage error, before connecting. */
    private SubscriptionRequest request() {
        if (stream != null && !prefix.isEmpty()) {
            throw client.usageError("--stream and --prefix exclude each other: give one of them");
        }
        try {
            SubscriptionRequest request = stream != null ? from.toStream(stream) : from.withStreamPrefix(prefix);
            return types == null ? request : request.withTypes(types);
        } catch (InvalidRequestException e) {
            throw client.usageError(e.getMessage());
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already running the hook: nothing to remove
        }
    }

    /** Prints each event as it arrives, and ends the command at the limit or when the subscription ends. */
    private static final class Follower implements SubscriptionListener {
        private final Printer printer;
        private final long limit;
        private final PrintWriter notices;
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        /** Only the subscription's one listener thread touches it. */
        private long printed;

        /** @param notices where to say that history is done, or null to stay silent */
        Follower(Printer printer, long limit, PrintWriter notices) {
            this.printer = printer;
            this.limit = limit;
            this.notices = notices;
        }

        @Override
        public void onEvent(SubscriptionEvent event) {
            if (printed >= limit) {
                return;
            }
            printer.event(event.event());
            printer.flush();
            printed++;
            // A reader that went away (tail ... | head -3) closes our stdout: stop then too.
            if (printed == limit || printer.outputClosed()) {
                ended.complete(null);
            }
        }

        @Override
        public void onCaughtUp() {
            if (notices != null) {
                notices.println("rewind: caught up; following new events (Ctrl-C to stop)");
                notices.flush();
            }
        }

        @Override
        public void onClose(Throwable cause) {
            if (cause == null) {
                ended.complete(null);
            } else {
                ended.completeExceptionally(cause);
            }
        }

        /** Ends the command normally, whatever the subscription does next. */
        void stop() {
            ended.complete(null);
        }

        void awaitEnd() throws InterruptedException {
            try {
                ended.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof EventStoreException failure) {
                    throw failure;
                }
                throw new CliException("the subscription ended: " + e.getCause(), e.getCause());
            }
        }
    }

    /** Reads {@code --from}: start, end, or a global position (the first one to print). Thread-safe. */
    static final class StartConverter implements ITypeConverter<SubscriptionRequest> {
        @Override
        public SubscriptionRequest convert(String value) {
            switch (value) {
                case "start":
                    return SubscriptionRequest.fromBeginning();
                case "end":
                    return SubscriptionRequest.fromEnd();
                default:
                    try {
                        long position = Long.parseLong(value);
                        if (position >= 0) {
                            // A subscription starts after a position; "from N" prints N itself.
                            return SubscriptionRequest.after(position - 1);
                        }
                    } catch (NumberFormatException e) {
                        // reported below
                    }
                    throw new TypeConversionException("'" + value + "' is not start, end or a position >= 0");
            }
        }
    }
}
