package io.rewind.cli;

import io.rewind.api.EventStore;
import io.rewind.api.Limits;
import io.rewind.api.StreamInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rewind info}: what the store knows of one stream; exit 1 when it has no events. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a stream's event count, head version (the expected version for the next append) "
                + "and first and last global positions.")
final class InfoCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Option(names = "--stream", required = true, paramLabel = "STREAM", description = "The stream.")
    String stream;

    @Override
    public Integer call() {
        Limits.checkStreamName(stream);
        try (EventStore store = client.connect()) {
            StreamInfo info = store.streamInfo(stream)
                    .orElseThrow(() -> new CliException("stream '" + stream + "' does not exist (it has no events)"));
            Printer printer = client.printer();
            printer.streamDetail(info);
            printer.flush();
        }
        return 0;
    }
}
