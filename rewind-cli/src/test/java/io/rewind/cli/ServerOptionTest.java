package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What every client tool does about {@code --server}. */
class ServerOptionTest {

    @Test
    void aServerThatDoesNotAnswerIsOneErrorLine() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        CliRun run = CliRun.run("streams", "--server", "tcp://127.0.0.1:" + port);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().toList()).singleElement().satisfies(line ->
                assertThat(line).startsWith("rewind: no answer from the Rewind server at tcp://127.0.0.1:" + port));
    }

    @Test
    void anEndpointThatIsNotZeroMqIsOneErrorLine() {
        CliRun run = CliRun.run("info", "--server", "http://localhost:9002", "--stream", "s");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines().toList()).singleElement().satisfies(line ->
                assertThat(line).startsWith("rewind: --server: "));
    }

    @Test
    void theDefaultIsTheServersDefaultCommandEndpoint() {
        for (List<String> args : List.of(List.of("publish", "--stream", "s"), List.of("read", "--all"), List.of("tail"),
                List.of("streams"), List.of("info", "--stream", "s"))) {
            CommandLine.ParseResult parsed = Rewind.commandLine(InputStream.nullInputStream())
                    .parseArgs(args.toArray(String[]::new));
            Object server = parsed.subcommand().commandSpec().findOption("--server").getValue();
            assertThat(server).as("%s", args).isEqualTo(List.of("tcp://127.0.0.1:9002"));
        }
    }

    @Test
    void severalEndpointsAreGivenSeparatedByCommas() {
        CommandLine.ParseResult parsed = Rewind.commandLine(InputStream.nullInputStream())
                .parseArgs("groups", "list", "--server", "tcp://127.0.0.1:9002,tcp://127.0.0.1:9102");
        CommandLine.ParseResult groups = parsed.subcommand();
        while (groups.hasSubcommand()) {
            groups = groups.subcommand();
        }
        Object server = groups.commandSpec().findOption("--server").getValue();
        assertThat(server).isEqualTo(List.of("tcp://127.0.0.1:9002", "tcp://127.0.0.1:9102"));
    }
}
