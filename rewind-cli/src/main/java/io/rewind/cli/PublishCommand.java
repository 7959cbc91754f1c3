package io.rewind.cli;

import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.Limits;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rewind publish}: appends events to one stream and prints where each was stored.
 *
 * <p>With DATA arguments, each argument is one event and all of them are one atomic append.
 * Without, each non-empty line of stdin is one event (the line's bytes, not decoded), appended in
 * atomic batches of at most {@link #BATCH_EVENTS} events or {@link #BATCH_BYTES} bytes. An
 * {@code --expected-version} other than {@code any} is checked by the first batch, and every later
 * batch expects the version the one before it left, so the import fails, rather than interleaves,
 * if another writer appends to the stream meanwhile. A failed batch stops the import; the batches
 * before it stay written and were printed.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Append events to a stream and print each event's stream, version, position and id.",
                "Each DATA argument is one event (one atomic append); without DATA, each non-empty line of stdin "
                        + "is one event."})
final class PublishCommand implements Callable<Integer> {

    static final int BATCH_EVENTS = 1000;
    static final int BATCH_BYTES = 512 * 1024;

    @Mixin
    ClientOptions client;

    @Option(names = "--stream", required = true, paramLabel = "STREAM", description = "The stream to append to.")
    String stream;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "", description = "The events' type (default: none).")
    String type;

    @Option(names = "--expected-version", paramLabel = "VERSION", defaultValue = "any",
            converter = ExpectedVersionConverter.class,
            description = "any, no-stream, stream-exists or the stream's current version N (default: any).")
    ExpectedVersion expected;

    @Parameters(paramLabel = "DATA", arity = "0..*", description = "Event data, one event per argument.")
    List<String> data = new ArrayList<>();

    private final InputStream stdin;

    PublishCommand(InputStream stdin) {
        this.stdin = stdin;
    }

    @Override
    public Integer call() {
        Limits.checkStreamName(stream);
        Limits.checkType(type);
        Printer printer = client.printer();
        try (EventStore store = client.connect()) {
            if (!data.isEmpty()) {
                requireDecodedArguments();
                List<EventData> events = data.stream()
                        .map(text -> EventData.of(type, text.getBytes(StandardCharsets.UTF_8))).toList();
                print(printer, store.append(stream, expected, events));
            } else {
                importLines(store, printer);
            }
        }
        return 0;
    }

    /**
     * The JVM decodes arguments with the locale's encoding; under a locale that is not UTF-8 (such
     * as LANG=C) it turns every byte it cannot decode into U+FFFD. Publishing that would store
     * something else than what was typed, so refuse instead.
     */
    private void requireDecodedArguments() {
        String encoding = System.getProperty("sun.jnu.encoding", "UTF-8");
        if (!encoding.equalsIgnoreCase("UTF-8") && data.stream().anyMatch(text -> text.indexOf('\uFFFD') >= 0)) {
            throw new CliException("a DATA argument has characters the locale's encoding (" + encoding
                    + ") cannot decode; use a UTF-8 locale (e.g. LANG=C.UTF-8) or give the data on stdin");
        }
    }

    private void importLines(EventStore store, Printer printer) {
        if (Terminal.stdinIsTerminal()) {
            client.err().println("rewind: reading events from the terminal, one per line; Ctrl-D to end");
            client.err().flush();
        }
        Progress progress = Progress.onTerminal(client.err());
        LineReader lines = new LineReader(stdin);
        ExpectedVersion next = expected;
        long published = 0;
        List<EventData> batch = new ArrayList<>();
        long batchBytes = 0;
        // Progress is drawn only while stdout goes to a file, so the printed ids never cross it.
        for (byte[] line = lines.next(); line != null; line = lines.next()) {
            batch.add(EventData.of(type, line));
            batchBytes += line.length;
            if (batch.size() >= BATCH_EVENTS || batchBytes >= BATCH_BYTES) {
                next = appendBatch(store, printer, batch, next, published);
                published += batch.size();
                long done = published;
                progress.update(() -> String.format("published %,d events to %s", done, stream));
                batch.clear();
                batchBytes = 0;
            }
        }
        if (!batch.isEmpty()) {
            appendBatch(store, printer, batch, next, published);
        }
        progress.done();
    }

    /**
     * Appends one batch, prints it, and returns the expected version for the next batch. A failure
     * says how many events earlier batches published, since those stay.
     */
    private ExpectedVersion appendBatch(EventStore store, Printer printer, List<EventData> batch,
            ExpectedVersion batchExpected, long publishedBefore) {
        AppendResult result;
        try {
            result = store.append(stream, batchExpected, batch);
        } catch (EventStoreException e) {
            if (publishedBefore == 0) {
                throw e;
            }
            throw new CliException(e.getMessage() + " (the " + publishedBefore
                    + " events before this batch were published and printed)", e);
        }
        print(printer, result);
        return batchExpected.kind() == ExpectedVersion.Kind.ANY ? batchExpected
                : ExpectedVersion.exactly(result.lastVersion(stream));
    }

    private static void print(Printer printer, AppendResult result) {
        result.events().forEach(printer::written);
        printer.flush();
    }
}
