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
 * the document cannot drift from the server. The examples of the section "Authentication" run
 * against a server with TLS and tokens, with {@code $REWIND_CA} its certificate and
 * {@code $REWIND_TOKEN} a token of the principal {@code orders}. In the section "Consumer groups"
 * a consumer joins the group the first example creates, in-process through the server's real
 * group service (HTTP serves no consuming), and parks the event the document shows parked.
 */
class HttpDocumentationTest {

    private static final Path DOCUMENT = Path.of("..", "docs", "HTTP.md");
    private static final String SECURED_SECTION = "Authentication";
    private static final String GROUPS_SECTION = "Consumer groups";

    /** One example: the section it is in, the command and the output shown after it. */
    record Example(String section, String command, String output) {
    }

    @Test
    void everyCurlExampleInTheDocumentPrintsWhatTheDocumentShows() throws Exception {
        List<Example> examples = examples(Files.readString(DOCUMENT)).stream()
                .filter(example -> !example.section().equals(SECURED_SECTION)).toList();
        assertThat(examples).as("examples in " + DOCUMENT).hasSizeGreaterThanOrEqualTo(15);
        try (HttpFixture http = HttpFixture.metered()) {
            // HTTP serves no consuming: once the section's first example has created the group, a
            // consumer joins it in-process, as the document says, acks OrderPlaced and parks OrderPaid.
            boolean[] joined = {false};
            run(examples, "127.0.0.1:" + http.server.port(), java.util.Map.of(), example -> {
                if (example.section().equals(GROUPS_SECTION) && !joined[0] && http.groups.list().contains("billing")) {
                    joined[0] = true;
                    long head = http.store.headPosition(); // the group's GroupCreated: its checkpoint stops below it
                    GroupTestConsumer.join(http.groups, "billing", "worker-1", event -> event.type().equals("OrderPaid"));
                    try {
                        GroupTestConsumer.await(http.groups, "billing", info -> info.parked() == 1 && info.inFlight() == 0
                                && info.checkpoint() >= head - 1, "with OrderPaid parked and the rest acked");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                    http.groups.flush();
                }
            });
            assertThat(joined[0]).as("the section " + GROUPS_SECTION + " created the group billing").isTrue();
        }
    }

    @Test
    void theAuthenticationExamplesRunAgainstAServerWithTlsAndTokens(@org.junit.jupiter.api.io.TempDir Path temp)
            throws Exception {
        List<Example> examples = examples(Files.readString(DOCUMENT)).stream()
                .filter(example -> example.section().equals(SECURED_SECTION)).toList();
        assertThat(examples).as("examples in the section " + SECURED_SECTION).hasSizeGreaterThanOrEqualTo(3);
        TestCertificates certificates = TestCertificates.create(temp);
        try (SecuredServer http = new SecuredServer(temp, certificates)) {
            run(examples, "127.0.0.1:" + http.server.port(), java.util.Map.of("REWIND_CA",
                    certificates.pemCertificate().toString(), "REWIND_TOKEN", http.tokens.get("orders")), example -> { });
        }
    }

    private static void run(List<Example> examples, String host, java.util.Map<String, String> environment,
            java.util.function.Consumer<Example> before) throws Exception {
        for (Example example : examples) {
            before.accept(example);
            String command = example.command().replace("localhost:9004", host);
            ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process process = builder.start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("finished: " + command).isTrue();
            String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = process.exitValue();
            // A feed never ends by itself: its example stops it with --max-time (curl's exit 28).
            assertThat(exit).as("exit status of " + command + "\n" + printed)
                    .isIn(command.contains("--max-time") ? List.of(0, 28) : List.of(0));
            assertThat(printed.strip()).as(command).matches(wildcards(example.output().strip()));
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
        String section = "";
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("## ")) {
                section = lines.get(i).substring(3).strip();
            }
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
            examples.add(new Example(section, command.toString(), output.toString()));
            i = j;
        }
        return examples;
    }
}
