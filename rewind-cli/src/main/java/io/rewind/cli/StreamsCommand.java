package io.rewind.cli;

import io.rewind.api.EventStore;
import io.rewind.api.StreamPage;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rewind streams}: lists streams by name, page by page. */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = "List the streams (sorted by name) with their event count, head version and positions.")
final class StreamsCommand implements Callable<Integer> {

    /** Streams fetched per request. */
    static final int PAGE_SIZE = 1000;

    @Mixin
    ClientOptions client;

    @Option(names = "--prefix", paramLabel = "P", defaultValue = "",
            description = ClientOptions.PREFIX_DESCRIPTION)
    String prefix;

    @Override
    public Integer call() {
        Printer printer = client.printer();
        try (EventStore store = client.connect()) {
            String after = null;
            do {
                StreamPage page = store.listStreams(prefix, after, PAGE_SIZE);
                page.streams().forEach(printer::stream);
                printer.flush();
                after = page.nextAfter().orElse(null);
            } while (after != null && !printer.outputClosed());
        }
        return 0;
    }
}
