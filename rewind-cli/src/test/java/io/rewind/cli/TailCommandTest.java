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
