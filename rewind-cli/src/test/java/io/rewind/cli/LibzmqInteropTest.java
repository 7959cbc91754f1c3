package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Proves wire compatibility against the reference ZeroMQ implementation (libzmq, through Debian's
 * python3-zmq), not only against JeroMQ: {@code src/test/python/legacy_clients.py} plays the
 * original Rewind and GoRewind clients against a real {@code rewind serve} process — both
 * dialects, both PUB formats and prefix filtering, the bad-input list (each answered with ERROR
 * while the server keeps serving and earlier events stay intact) and eight pipelining DEALERs.
 *
 * <p>Where pyzmq is missing the test is skipped with a message, except in CI ({@code CI=true}),
 * where {@code .ci/run} installs it and its absence is a failure.
 */
class LibzmqInteropTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static final Path SCRIPT = Path.of("src/test/python/legacy_clients.py");
    private static final int MAX_EVENT_SIZE = 64 * 1024;

    @Test
    void originalRewindAndGoRewindClientsWorkOverLibzmq() throws Exception {
        boolean available = pyzmqAvailable();
        if (!"true".equals(System.getenv("CI"))) {
            assumeTrue(available, "python3-zmq is not installed (apt-get install python3-zmq); skipping libzmq interop");
        }
        assertThat(available).as("python3-zmq must be installed in CI (.ci/run installs it)").isTrue();

        try (ServeProcess serve = ServeProcess.start("serve", "--store", "memory:",
                "--command-endpoint", "tcp://127.0.0.1:*", "--stream-endpoint", "tcp://127.0.0.1:*",
                "--legacy-stream-endpoint", "tcp://127.0.0.1:*", "--max-event-size", Integer.toString(MAX_EVENT_SIZE))) {
            String command = serve.awaitCommandEndpoint(60_000);
            Process client = new ProcessBuilder(PYTHON, SCRIPT.toString(), command, serve.streamEndpoint(1_000),
                    serve.legacyStreamEndpoint(1_000), Integer.toString(MAX_EVENT_SIZE)).redirectErrorStream(true).start();
            boolean ended = client.waitFor(180, TimeUnit.SECONDS);
            if (!ended) {
                client.destroyForcibly();
            }
            String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(ended).as("python client ended; output: %s", output).isTrue();
            assertThat(client.exitValue()).as("python client output: %s", output).isZero();
            assertThat(output).contains("OK rewind publish", "OK gorewind publish and query", "OK rewind query paging",
                    "OK stream pub with prefix filter", "OK legacy pub chain",
                    "OK bad input answered, server kept serving", "OK concurrent dealers");
            assertThat(serve.terminate(30_000)).isZero();
        }
    }

    private static boolean pyzmqAvailable() throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            return false;
        }
        Process probe = new ProcessBuilder(PYTHON, "-c", "import zmq").redirectErrorStream(true).start();
        probe.getInputStream().readAllBytes();
        return probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0;
    }
}
