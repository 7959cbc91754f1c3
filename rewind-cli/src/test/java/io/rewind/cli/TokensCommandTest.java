package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code rewind tokens add|list|revoke}: the token is printed once, the file keeps only its hash. */
class TokensCommandTest {

    @TempDir
    Path temp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine commandLine = Rewind.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void addsListsAndRevokesTokens() throws Exception {
        Path file = temp.resolve("tokens");
        assertThat(run("tokens", "add", "ci", "--principal", "deployer", "--file", file.toString())).as(err.toString())
                .isZero();
        String token = out.toString().strip();
        assertThat(token).matches("rwt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}");
        assertThat(err.toString()).contains("shown only now");
        assertThat(Files.readString(file)).doesNotContain(token.substring(17));
        String id = token.substring(4, 16);

        assertThat(run("tokens", "list", "--file", file.toString())).isZero();
        assertThat(out.toString()).contains(id).contains("deployer").contains("ci").doesNotContain(token.substring(17));

        assertThat(run("tokens", "revoke", id, "--file", file.toString())).isZero();
        assertThat(run("tokens", "list", "--file", file.toString())).isZero();
        assertThat(out.toString()).doesNotContain(id);
        assertThat(run("tokens", "revoke", id, "--file", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("no token with id '" + id + "'");
    }

    @Test
    void refusesANameWithATab() {
        assertThat(run("tokens", "add", "a\tb", "--principal", "p", "--file", temp.resolve("t").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("the token name must be");
    }
}
