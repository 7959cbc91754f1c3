package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executable jar that {@code ./rewind} runs, tested as built (failsafe, after the shade step):
 * everything the commands need must be inside it.
 */
class PackagedJarIT {

    private static final Path JAR = Path.of("target", "rewind.jar");

    @TempDir
    Path temp;

    @Test
    void theJarServesALogStoreAndStopsCleanlyOnSigterm() throws Exception {
        assertThat(JAR).exists();
        try (ServeProcess serve = ServeProcess.startJar(JAR, "serve", "--store", "log:" + temp.resolve("data"),
                "--command-endpoint", "tcp://127.0.0.1:*", "--stream-endpoint", "tcp://127.0.0.1:*",
                "--legacy-stream-endpoint", "tcp://127.0.0.1:*")) {
            String endpoint = serve.awaitCommandEndpoint(60_000);
            String id = ServeCommandTest.publish(endpoint, "jar-stream", "from the jar");
            assertThat(ServeCommandTest.query(endpoint, "jar-stream")).containsExactly(id + "=from the jar");
            assertThat(serve.terminate(30_000)).isZero();
        }
    }

    @Test
    void theJarVerifiesALogDirectory() throws Exception {
        Path data = Files.createDirectories(temp.resolve("empty-log"));
        try (ServeProcess verify = ServeProcess.startJar(JAR, "verify", data.toString())) {
            assertThat(verify.awaitExit(60_000)).isZero();
            assertThat(verify.stdout()).contains(": sound");
        }
    }
}
