package io.rewind.cli;

import io.rewind.api.Direction;
import io.rewind.api.EventPage;
import io.rewind.api.EventStore;
import io.rewind.api.ReadOptions;
import io.rewind.api.Limits;
import io.rewind.api.StreamInfo;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rewind read}: prints the events of one stream, or of the whole store in global order,
 * page by page (1,000 events and 16 MiB of data + metadata at most), so a read of any length
 * runs in bounded memory.
 */
@Command(name = "read", mixinStandardHelpOptions = true,
        description = "Print the events of a stream (by version) or of the whole store (by global position).")
final class ReadCommand implements Callable<Integer> {

    /** Events fetched per request. */
    static final int PAGE_SIZE = 1000;
    /** The byte budget of one page (data + metadata; one event at least). */
    static final long PAGE_BYTES = ReadOptions.DEFAULT_MAX_BYTES;

    /** Exactly one of the two. */
    static final class Source {
        @Option(names = "--stream", required = true, paramLabel = "STREAM", description = "Read this stream.")
        String stream;

        @Option(names = "--all", required = true, description = "Read every stream, in global order.")
        boolean all;
    }

    @Mixin
    ClientOptions client;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--from", paramLabel = "N",
            description = "The first version (--stream) or position (--all) to print, inclusive "
                    + "(default: the oldest, or the newest with --backwards).")
    Long from;

    @Option(names = "--limit", paramLabel = "N", description = "Print at most N events (default: all).")
    Long limit;

    @Option(names = "--backwards", description = "From newest to oldest.")
    boolean backwards;

    @Override
    public Integer call() {
        if (from != null && from < 0) {
            throw client.usageError("--from must be >= 0, was " + from);
        }
        if (limit != null && limit < 1) {
            throw client.usageError("--limit must be >= 1, was " + limit);
        }
        if (source.stream != null) {
            Limits.checkStreamName(source.stream);
        }
        Direction direction = backwards ? Direction.BACKWARD : Direction.FORWARD;
        long start = from != null ? from : backwards ? EventStore.END : 0;
        long max = limit != null ? limit : Long.MAX_VALUE;
        Printer printer = client.printer();
        Progress progress = Progress.onTerminal(client.err());
        try (EventStore store = client.connect()) {
            String progressFormat = progress.isShown() ? progressFormat(store, start, max) : "";
            long printed = 0;
            long next = start;
            while (printed < max) {
                int pageLimit = (int) Math.min(PAGE_SIZE, max - printed);
                EventPage page = page(store, ReadOptions.from(next, direction).withMaxEvents(pageLimit)
                        .withMaxBytes(PAGE_BYTES));
                page.events().forEach(printer::event);
                printer.flush();
                printed += page.events().size();
                long done = printed;
                progress.update(() -> String.format(progressFormat, done));
                boolean full = page.events().size() == pageLimit || page.byteBudgetReached();
                if (!full || page.next().isEmpty() || printer.outputClosed()) {
                    break;
                }
                next = page.next().getAsLong();
            }
            progress.done();
        }
        return 0;
    }

    private EventPage page(EventStore store, ReadOptions options) {
        return source.stream != null ? store.readStream(source.stream, options) : store.readAll(options);
    }

    /**
     * The progress line, with a %d for the events printed so far: "of N" for a stream, where N is
     * what the read will print; the store's head position for the whole store, whose positions need
     * not be contiguous.
     */
    private String progressFormat(EventStore store, long start, long max) {
        if (source.stream == null) {
            return "read %,d events (head position " + String.format("%,d", store.headPosition()) + ")";
        }
        Optional<StreamInfo> info = store.streamInfo(source.stream);
        if (info.isEmpty()) {
            return "read %,d events";
        }
        long head = info.get().headVersion();
        long inRange = backwards ? Math.min(start, head) + 1 : Math.max(0, head - start + 1);
        return "read %,d of " + String.format("%,d", Math.min(inRange, max)) + " events";
    }
}
