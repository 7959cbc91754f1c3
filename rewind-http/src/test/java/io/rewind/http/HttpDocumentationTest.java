package io.rewind.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs every {@code sh} example of docs/HTTP.md with curl, in order, against one fresh server, and
 * checks that it prints what the document shows after it ({@code …} matching ids and times), so
 * the document cannot drift from the server.
 */
class HttpDocumentationTest {

    private static final Path DOCUMENT = Path.of("..", "docs", "HTTP.md");

    /** One example: the command and the output shown after it. */
    record Example(String command, String output) {
    }

    @Test
    void everyCurlExampleInTheDocumentPrintsWhatTheDocumentShows() throws Exception {
        List<Example> examples = examples(Files.readString(DOCUMENT));
        assertThat(examples).as("examples in " + DOCUMENT).hasSizeGreaterThanOrEqualTo(15);
        try (HttpFixture http = HttpFixture.metered()) {
            String host = "127.0.0.1:" + http.server.port();
            for (Example example : examples) {
                String command = example.command().replace("localhost:9004", host);
                Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
                assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("finished: " + command).isTrue();
                String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                int exit = process.exitValue();
                // A feed never ends by itself: its example stops it with --max-time (curl's exit 28).
                assertThat(exit).as("exit status of " + command + "\n" + printed)
                        .isIn(command.contains("--max-time") ? List.of(0, 28) : List.of(0));
                assertThat(printed.strip()).as(command).matches(wildcards(example.output().strip()));
            }
        }
    }

    private static Pattern wildcards(String expected) {
        StringBuilder regex = new StringBuilder();
        for (String part : expected.split("…", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*?");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /** Every ```sh block followed by a ```json or ```text block. */
    static List<Example> examples(String markdown) throws IOException {
        List<Example> examples = new ArrayList<>();
        List<String> lines = markdown.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).equals("```sh")) {
                continue;
            }
            StringBuilder command = new StringBuilder();
            int j = i + 1;
            while (!lines.get(j).equals("```")) {
                command.append(lines.get(j)).append('\n');
                j++;
            }
            j++;
            if (j >= lines.size() || !(lines.get(j).equals("```json") || lines.get(j).equals("```text"))) {
                throw new IOException("the example at line " + (i + 1) + " of " + DOCUMENT + " shows no output");
            }
            StringBuilder output = new StringBuilder();
            j++;
            while (!lines.get(j).equals("```")) {
                output.append(lines.get(j)).append('\n');
                j++;
            }
            examples.add(new Example(command.toString(), output.toString()));
            i = j;
        }
        return examples;
    }
}
