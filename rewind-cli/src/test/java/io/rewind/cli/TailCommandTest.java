package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code rewind tail} in this JVM; TailRestartTest follows it across server restarts as a process. */
class TailCommandTest {

    private static final long TIMEOUT_MS = 30_000;

    private final TestServer server = new TestServer();

    @AfterEach
    void stopServer() {
        server.close();
    }

    private void append(String stream, String... data) {
        for (String text : data) {
            server.store.append(stream, ExpectedVersion.any(), EventData.of("", text.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private void appendTyped(String stream, String type, String data) {
        server.store.append(stream, ExpectedVersion.any(), EventData.of(type, data.getBytes(StandardCharsets.UTF_8)));
    }

    private CompletableFuture<CliRun> tail(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "tail";
        all[1] = "--server";
        all[2] = server.endpoint();
        all[3] = "--json";
        System.arraycopy(args, 0, all, 4, args.length);
        return CompletableFuture.supplyAsync(() -> CliRun.run(all));
    }

    private static List<String> data(CliRun run) {
        assertThat(run.exitCode()).as("%s", run).isZero();
        return run.lines().stream().map(line -> (String) FlatJson.parse(line).get("data")).toList();
    }

    @Test
    void fromStartPrintsHistoryThenLiveEventsUpToTheLimit() throws Exception {
        append("a", "old 1", "old 2");
        StringWriter out = new StringWriter();
        CompletableFuture<Integer> tail = CompletableFuture.supplyAsync(() -> {
            CommandLine commandLine = Rewind.commandLine(InputStream.nullInputStream());
            commandLine.setOut(new PrintWriter(out));
            commandLine.setErr(new PrintWriter(new StringWriter()));
            return commandLine.execute("tail", "--server", server.endpoint(), "--json", "--from", "start", "--limit", "4");
        });
        // Once history is printed, the next events can only come live.
        await(() -> out.toString().lines().count() == 2);
        append("b", "new 1", "new 2", "not printed");

        assertThat(tail.get(TIMEOUT_MS, TimeUnit.MILLISECONDS)).isZero();
        assertThat(out.toString().lines().map(line -> FlatJson.parse(line).get("data")))
                .containsExactly("old 1", "old 2", "new 1", "new 2");
    }

    @Test
    void fromEndPrintsOnlyEventsStoredAfterItStarted() throws Exception {
        append("a", "before");
        CompletableFuture<CliRun> tail = tail("--limit", "1");
        // When the subscription starts is the tool's business: append until it prints one.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        CliRun run = null;
        for (int i = 0; run == null && System.nanoTime() < deadline; i++) {
            append("a", "after " + i);
            try {
                run = tail.get(20, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillWaiting) {
                // append another one
            }
        }

        assertThat(run).as("tail printed an event within %d ms", TIMEOUT_MS).isNotNull();
        assertThat(data(run)).singleElement().satisfies(data -> assertThat(data).startsWith("after "));
    }

    @Test
    void fromAPositionStartsAtThatPosition() throws Exception {
        append("a", "p0", "p1", "p2", "p3");

        assertThat(data(tail("--from", "2", "--limit", "2").get(TIMEOUT_MS, TimeUnit.MILLISECONDS)))
                .containsExactly("p2", "p3");
        assertThat(data(tail("--from", "0", "--limit", "1").get(TIMEOUT_MS, TimeUnit.MILLISECONDS)))
                .containsExactly("p0");
    }

    @Test
    void aPrefixSelectsStreams() throws Exception {
        append("orders-1", "o1");
        append("users-1", "u1");
        append("orders-2", "o2");

        assertThat(data(tail("--from", "start", "--prefix", "orders-", "--limit", "2")
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS))).containsExactly("o1", "o2");
    }

    @Test
    void aStreamSelectsExactlyThatStreamUnlikeAPrefix() throws Exception {
        append("account-1", "a1 first");
        append("account-10", "a10");
        append("account-1", "a1 second");

        assertThat(data(tail("--from", "start", "--stream", "account-1", "--limit", "2")
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS))).containsExactly("a1 first", "a1 second");
        assertThat(data(tail("--from", "start", "--prefix", "account-1", "--limit", "3")
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS))).containsExactly("a1 first", "a10", "a1 second");
    }

    @Test
    void repeatedTypesSelectEventsOfAnyOfThemAndCombineWithAStream() throws Exception {
        appendTyped("account-1", "opened", "o1");
        appendTyped("account-2", "deposited", "d2");
        appendTyped("account-1", "closed", "c1");
        appendTyped("account-1", "deposited", "d1");

        assertThat(data(tail("--from", "start", "--type", "opened", "--type", "deposited", "--limit", "3")
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS))).containsExactly("o1", "d2", "d1");
        assertThat(data(tail("--from", "start", "--stream", "account-1", "--type", "deposited", "--limit", "1")
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS))).containsExactly("d1");
    }

    @Test
    void contradictoryOrInvalidFiltersAreUsageErrors() {
        CliRun both = CliRun.run("tail", "--stream", "a", "--prefix", "a");
        assertThat(both.exitCode()).as("%s", both).isEqualTo(2);
        assertThat(both.err()).contains("--stream and --prefix exclude each other");

        CliRun empty = CliRun.run("tail", "--stream", "");
        assertThat(empty.exitCode()).as("%s", empty).isEqualTo(2);
        assertThat(empty.err()).contains("stream name must not be empty");

        CliRun longType = CliRun.run("tail", "--type", "t".repeat(256));
        assertThat(longType.exitCode()).as("%s", longType).isEqualTo(2);
        assertThat(longType.err()).contains("event type is 256 bytes");
    }

    @Test
    void aBadStartIsAUsageError() {
        for (String from : List.of("-1", "beginning", "")) {
            CliRun run = CliRun.run("tail", "--from", from);
            assertThat(run.exitCode()).as("--from '%s': %s", from, run).isEqualTo(2);
            assertThat(run.err()).contains("is not start, end or a position >= 0");
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as("condition within %d ms", TIMEOUT_MS).isTrue();
            Thread.sleep(10);
        }
    }
}
