package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PublishCommandTest {

    private TestServer server = new TestServer();

    @AfterEach
    void stopServer() {
        server.close();
    }

    private List<RecordedEvent> stored(String stream) {
        return server.store.readStream(stream, 0, Direction.FORWARD, 10_000);
    }

    @Test
    void eachArgumentIsOneEventOfOneAppendAndEachIsReported() {
        CliRun run = CliRun.run("publish", "--server", server.endpoint(), "--stream", "orders-1",
                "--type", "OrderPlaced", "{\"total\": 12}", "second");

        assertThat(run.exitCode()).as("%s", run).isZero();
        List<RecordedEvent> events = stored("orders-1");
        assertThat(events).extracting(RecordedEvent::type).containsExactly("OrderPlaced", "OrderPlaced");
        assertThat(events.get(0).dataEquals("{\"total\": 12}".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(run.lines()).containsExactly(
                "stream=orders-1 version=0 position=0 id=" + events.get(0).id(),
                "stream=orders-1 version=1 position=1 id=" + events.get(1).id());
        assertThat(run.err()).isEmpty();
    }

    @Test
    void jsonReportsOneObjectPerEvent() {
        server.store.append("other", ExpectedVersion.any(), EventData.of("", new byte[] {1}));
        CliRun run = CliRun.run("publish", "--server", server.endpoint(), "--stream", "orders-1", "--json", "a");

        assertThat(run.exitCode()).as("%s", run).isZero();
        RecordedEvent event = stored("orders-1").get(0);
        assertThat(run.lines()).singleElement().satisfies(line -> assertThat(FlatJson.parse(line)).isEqualTo(Map.of(
                "stream", "orders-1", "version", 0L, "position", 1L, "id", event.id().toString())));
    }

    @Test
    void withoutArgumentsEachLineOfStdinIsOneEventInOrderAcrossBatches() {
        int count = PublishCommand.BATCH_EVENTS * 2 + 500;
        String input = IntStream.range(0, count).mapToObj(i -> "event " + i).collect(Collectors.joining("\n"));

        CliRun run = CliRun.withStdin(input, "publish", "--server", server.endpoint(), "--stream", "import",
                "--expected-version", "no-stream");

        assertThat(run.exitCode()).as("%s", run.err()).isZero();
        List<RecordedEvent> events = stored("import");
        assertThat(events).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(new String(events.get(i).data(), StandardCharsets.UTF_8)).isEqualTo("event " + i);
            assertThat(events.get(i).version()).isEqualTo(i);
        }
        assertThat(run.lines()).hasSize(count);
        assertThat(run.lines().get(count - 1)).startsWith("stream=import version=" + (count - 1) + " ");
        assertThat(run.err()).as("no progress line when stderr is not a terminal").isEmpty();
    }

    @Test
    void stdinBytesArePublishedUndecoded() {
        byte[] input = {(byte) 0xff, (byte) 0xfe, '\n', 'o', 'k'};
        CliRun run = CliRun.withStdin(input, "publish", "--server", server.endpoint(), "--stream", "bytes");

        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(stored("bytes")).extracting(RecordedEvent::data)
                .containsExactly(new byte[] {(byte) 0xff, (byte) 0xfe}, new byte[] {'o', 'k'});
    }

    @Test
    void aWrongExpectedVersionIsOneErrorLineAndWritesNothing() {
        server.store.append("orders-1", ExpectedVersion.any(), EventData.of("", new byte[] {1}));

        CliRun run = CliRun.run("publish", "--server", server.endpoint(), "--stream", "orders-1",
                "--expected-version", "no-stream", "x");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo(
                "rewind: wrong expected version for stream 'orders-1': expected no-stream, actual 0\n");
        assertThat(stored("orders-1")).hasSize(1);
    }

    @Test
    void anExpectedVersionIsCheckedByTheFirstBatchAndCarriedToTheNext() {
        server.store.append("orders-1", ExpectedVersion.any(), EventData.of("", new byte[] {1}));
        String input = IntStream.range(0, PublishCommand.BATCH_EVENTS + 1).mapToObj(i -> "e" + i)
                .collect(Collectors.joining("\n"));

        CliRun run = CliRun.withStdin(input, "publish", "--server", server.endpoint(), "--stream", "orders-1",
                "--expected-version", "0");

        assertThat(run.exitCode()).as("%s", run.err()).isZero();
        assertThat(stored("orders-1")).hasSize(PublishCommand.BATCH_EVENTS + 2);
    }

    @Test
    void aBatchThatFailsStopsTheImportAndSaysWhatWasPublishedBefore() {
        server.close();
        server = new TestServer(1024);
        String tooLarge = "x".repeat(1025);
        String input = IntStream.range(0, PublishCommand.BATCH_EVENTS).mapToObj(i -> "e" + i)
                .collect(Collectors.joining("\n")) + "\n" + tooLarge + "\nnever\n";

        CliRun run = CliRun.withStdin(input, "publish", "--server", server.endpoint(), "--stream", "import");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.lines()).hasSize(PublishCommand.BATCH_EVENTS);
        assertThat(run.err().lines().toList()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("rewind: ").endsWith("(the 1000 events before this batch were published and printed)"));
        assertThat(stored("import")).hasSize(PublishCommand.BATCH_EVENTS);
    }

    @Test
    void anUnparsableExpectedVersionIsAUsageError() {
        CliRun run = CliRun.run("publish", "--server", server.endpoint(), "--stream", "s",
                "--expected-version", "latest", "x");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("rewind: Invalid value for option '--expected-version': "
                + "not an expected version: 'latest'");
    }

    @Test
    void argumentsALocaleCannotDecodeAreRefusedNotStoredMangled() throws Exception {
        try (RewindProcess publish = RewindProcess.startWithEnvironment(Map.of("LC_ALL", "C", "LANG", "C"),
                "publish", "--server", server.endpoint(), "--stream", "s", "caf\u00e9")) {
            assertThat(publish.awaitExit(60_000)).as("stderr: %s", publish.stderr()).isEqualTo(1);
            assertThat(publish.stderr()).startsWith("rewind: a DATA argument has characters the locale's encoding");
        }
        assertThat(server.store.streamInfo("s")).isEmpty();
    }

    @Test
    void aBadStreamNameIsAnErrorBeforeConnecting() {
        CliRun run = CliRun.run("publish", "--server", "tcp://127.0.0.1:1", "--stream", "", "x");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("rewind: stream name must not be empty\n");
    }
}
