package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rewind tail} as a user runs it, against a {@code rewind serve} process that is killed and
 * restarted on the same endpoint and data directory: tail keeps following, and prints every event
 * exactly once, in order; a tail of one stream, which skips the other rounds, prints exactly that
 * stream's events.
 */
class TailRestartTest {

    private static final long START_TIMEOUT_MS = 60_000;
    /** Reconnecting includes noticing the loss (heartbeat) and the client's backoff, up to 5 s. */
    private static final long FOLLOW_TIMEOUT_MS = 60_000;
    private static final int EVENTS_PER_ROUND = 5;

    @TempDir
    Path temp;

    @Test
    void tailFollowsAcrossAKilledAndAStoppedServerWithoutGapOrRepetition() throws Exception {
        String endpoint = "tcp://127.0.0.1:" + freePort();
        String[] serve = {"serve", "--store", "log:" + temp.resolve("data"), "--command-endpoint", endpoint,
                "--stream-endpoint", "tcp://127.0.0.1:*"};
        List<String> published = new ArrayList<>();
        RewindProcess server = RewindProcess.start(serve);
        try (RewindProcess tail = RewindProcess.start("tail", "--server", endpoint, "--from", "start", "--json");
                RewindProcess roundTwo = RewindProcess.start("tail", "--server", endpoint, "--from", "start",
                        "--stream", "round-2", "--json")) {
            server.awaitCommandEndpoint(START_TIMEOUT_MS);
            publishRound(endpoint, 1, published);
            awaitTailed(tail, published);

            server.kill(START_TIMEOUT_MS);
            server = RewindProcess.start(serve);
            server.awaitCommandEndpoint(START_TIMEOUT_MS);
            publishRound(endpoint, 2, published);
            awaitTailed(tail, published);

            assertThat(server.terminate(START_TIMEOUT_MS)).as("exit status after SIGTERM").isZero();
            server = RewindProcess.start(serve);
            server.awaitCommandEndpoint(START_TIMEOUT_MS);
            publishRound(endpoint, 3, published);
            awaitTailed(tail, published);

            List<String> secondRound = published.subList(EVENTS_PER_ROUND, 2 * EVENTS_PER_ROUND);
            awaitTailed(roundTwo, secondRound);
            List<Map<String, Object>> events = tail.stdout().lines().map(FlatJson::parse).toList();
            assertThat(events).extracting(event -> event.get("data")).containsExactlyElementsOf(published);
            assertThat(events).extracting(event -> event.get("position"))
                    .containsExactlyElementsOf(IntStream.range(0, published.size()).mapToObj(p -> (Object) (long) p).toList());

            // Only round 2: the rounds before and after it were skipped across both restarts.
            assertThat(roundTwo.stdout().lines().map(line -> FlatJson.parse(line).get("data")).toList())
                    .containsExactlyElementsOf(secondRound);

            assertReadPrintsNoProgressWhenPiped(endpoint, published);
            roundTwo.terminate(START_TIMEOUT_MS);
            tail.terminate(START_TIMEOUT_MS);
            assertThat(tail.stderr()).as("SIGTERM is a normal end for tail").doesNotContain("rewind: ");
        } finally {
            server.close();
        }
    }

    /** The same events through {@code rewind read} in a process whose stdout and stderr are pipes. */
    private static void assertReadPrintsNoProgressWhenPiped(String endpoint, List<String> published) throws Exception {
        try (RewindProcess read = RewindProcess.start("read", "--server", endpoint, "--all", "--json")) {
            assertThat(read.awaitExit(START_TIMEOUT_MS)).as("read: %s", read.stderr()).isZero();
            assertThat(read.stdout().lines().map(line -> FlatJson.parse(line).get("data")).toList())
                    .containsExactlyElementsOf(published);
            assertThat(read.stderr()).isEmpty();
        }
    }

    private static void publishRound(String endpoint, int round, List<String> published) {
        List<String> args = new ArrayList<>(List.of("publish", "--server", endpoint, "--stream", "round-" + round));
        for (int i = 0; i < EVENTS_PER_ROUND; i++) {
            String data = "round " + round + " event " + i;
            args.add(data);
            published.add(data);
        }
        CliRun run = CliRun.run(args.toArray(String[]::new));
        assertThat(run.exitCode()).as("publish: %s", run).isZero();
    }

    private static void awaitTailed(RewindProcess tail, List<String> published) throws InterruptedException {
        boolean complete = tail.awaitStdout(out -> out.lines().count() >= published.size(), FOLLOW_TIMEOUT_MS);
        assertThat(complete).as("tail printed %d events within %d ms; stdout:%n%s%nstderr:%n%s", published.size(),
                FOLLOW_TIMEOUT_MS, tail.stdout(), tail.stderr()).isTrue();
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
