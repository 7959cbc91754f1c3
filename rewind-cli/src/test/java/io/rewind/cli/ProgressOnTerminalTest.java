package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress line as a person sees it: {@code rewind read} runs under util-linux's
 * {@code script}, which gives it a pseudo-terminal, with stdout redirected to a file. (Without a
 * terminal no progress shows: TailRestartTest checks that a piped read prints nothing on stderr.)
 */
class ProgressOnTerminalTest {

    private static final Path SCRIPT = Path.of("/usr/bin/script");

    @TempDir
    Path temp;

    @Test
    void aReadIntoAFileShowsProgressOnTheTerminalAndNotInTheFile() throws Exception {
        assumeTrue(Files.isExecutable(SCRIPT), "util-linux 'script' is not installed; no pseudo-terminal to test on");
        int count = ReadCommand.PAGE_SIZE + 1;
        try (TestServer server = new TestServer()) {
            server.store.append("s", ExpectedVersion.noStream(), IntStream.range(0, count)
                    .mapToObj(i -> EventData.of("", ("e" + i).getBytes(StandardCharsets.UTF_8))).toList());
            Path dump = temp.resolve("dump.txt");
            String java = ProcessHandle.current().info().command().orElse("java");
            String command = String.join(" ", List.of(quote(java), "-cp", quote(System.getProperty("java.class.path")),
                    Rewind.class.getName(), "read", "--server", server.endpoint(), "--all", ">", quote(dump.toString())));
            Process process = new ProcessBuilder(SCRIPT.toString(), "-q", "-e", "-c", command, "/dev/null")
                    .redirectErrorStream(true).start();
            process.getOutputStream().close();
            String terminal = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("read ended; terminal: %s", terminal).isTrue();
            assertThat(process.exitValue()).as("terminal: %s", terminal).isZero();

            assertThat(terminal).contains("\rread 1,000 events (head position 1,000)");
            assertThat(terminal).as("the line is erased at the end").endsWith("\r");
            List<String> lines = Files.readAllLines(dump);
            assertThat(lines).hasSize(count).allSatisfy(line -> assertThat(line).startsWith("position=").doesNotContain("\r"));
        }
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
