package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.cluster.ClusterConfig;
import io.rewind.cluster.ClusterEventStore;
import io.rewind.http.ClusterAdmin;
import io.rewind.http.HttpAccess;
import io.rewind.http.HttpConfig;
import io.rewind.http.RewindHttpServer;
import io.rewind.http.TokenAuthenticator;
import io.rewind.http.TokenFile;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.security.AccessPolicy;
import io.rewind.testkit.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rewind cluster status|add|remove} against a real cluster: three nodes in this JVM on
 * 127.0.0.1, the first served over HTTP as {@code rewind serve} serves it, and a fourth node that is
 * a real {@code rewind serve --join} process, added and removed through the command line. And the
 * checks {@code serve --join} makes on its settings.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterCommandTest {

    private static final long START_TIMEOUT_MS = 60_000;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    /** Three nodes in this JVM, node n1 served over HTTP (with {@code access} when given). */
    private final class ThreeNodes implements AutoCloseable {
        final Map<String, String> members = new LinkedHashMap<>();
        final List<ClusterEventStore> nodes = new ArrayList<>();
        final RewindHttpServer http;

        ThreeNodes(HttpAccess access) throws IOException {
            for (int i = 1; i <= 3; i++) {
                members.put("n" + i, "127.0.0.1:" + freePort());
            }
            try {
                for (String id : members.keySet()) {
                    LogEventStore local = LogEventStore.open(LogConfig.builder(temp.resolve(id)).build());
                    nodes.add(ClusterEventStore.start(new ClusterConfig(id, members, temp.resolve(id + ".raft"),
                            Duration.ofMillis(500), Duration.ofMillis(1000)), local));
                }
                http = RewindHttpServer.start(HttpConfig.builder().host("127.0.0.1").port(0).build(), nodes.get(0),
                        null, null, access, new ClusterAdminAdapter(nodes.get(0)));
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        String url() {
            return http.uri();
        }

        @Override
        public void close() {
            if (http != null) {
                http.close();
            }
            List<Thread> closing = new ArrayList<>();
            for (ClusterEventStore node : nodes) {
                Thread thread = new Thread(node::close, "close-" + node.config().nodeId());
                thread.start();
                closing.add(thread);
            }
            for (Thread thread : closing) {
                try {
                    thread.join(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Test
    void statusAddAndRemoveThroughTheCommandLineWithAJoiningServeProcess() throws Exception {
        try (ThreeNodes cluster = new ThreeNodes(null)) {
            for (int i = 0; i < 10; i++) {
                cluster.nodes.get(i % 3).append("orders", ExpectedVersion.any(),
                        EventData.of("t", ("e" + i).getBytes(StandardCharsets.UTF_8)));
            }
            Await.until(() -> statusJson(cluster.url()).members().stream()
                    .allMatch(m -> m.appliedPosition().equals(Optional.of(9L))), WAIT, "every node applied 9");

            CliRun table = CliRun.run("cluster", "status", "--url", cluster.url());
            assertThat(table.exitCode()).as(table.toString()).isZero();
            assertThat(table.lines().get(0)).startsWith("cluster seen from n1: leader n");
            assertThat(table.lines().get(1).split("\\s+")).containsExactly("NODE", "ROLE", "ADDRESS",
                    "APPLIED_POSITION", "APPLIED_INDEX", "EVENTS_BEHIND", "ENTRIES_BEHIND");
            List<String[]> rows = table.lines().subList(2, table.lines().size()).stream().map(l -> l.trim().split("\\s+"))
                    .toList();
            assertThat(rows).extracting(r -> r[0]).containsExactly("n1", "n2", "n3");
            assertThat(rows).extracting(r -> r[1]).containsOnly("leader", "follower").filteredOn("leader"::equals)
                    .hasSize(1);
            assertThat(rows).extracting(r -> r[2]).containsExactlyElementsOf(cluster.members.values());
            assertThat(rows).extracting(r -> r[3]).containsOnly("9");
            assertThat(rows).extracting(r -> r[5]).containsOnly("0");

            // The fourth node: a real process, joining with an empty Raft log.
            int port = freePort();
            String n4 = "127.0.0.1:" + port;
            String join = cluster.members.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(",")) + ",n4=" + n4;
            try (RewindProcess serve = RewindProcess.start("serve", "--store", "log:" + temp.resolve("n4"), "--node",
                    "n4", "--join", join, "--command-endpoint", "tcp://127.0.0.1:*", "--stream-endpoint",
                    "tcp://127.0.0.1:*")) {
                String n4Url = serve.httpEndpoint(START_TIMEOUT_MS).replaceAll("/$", "");
                assertThat(serve.stdout()).contains("cluster node            n4 (raft " + n4 + ", joining through");
                CliRun before = CliRun.run("cluster", "status", "--url", n4Url, "--json");
                assertThat(before.exitCode()).as(before.toString()).isZero();
                assertThat(ClusterCommand.parse(before.out()).members()).isEmpty();
                CliRun waiting = CliRun.run("cluster", "status", "--url", n4Url);
                assertThat(waiting.lines()).containsExactly("cluster seen from n4: leader none, term 0",
                        "n4 holds no configuration: it is not a member yet (started with --join, it waits for"
                                + " 'rewind cluster add n4 HOST:PORT' on a member)");

                CliRun added = CliRun.run("cluster", "add", "n4", n4, "--url", cluster.url());
                assertThat(added.exitCode()).as(added.toString()).isZero();
                assertThat(added.err()).contains("node n4 added at " + n4);
                assertThat(added.out()).contains("n4 ");
                // It catches up, then holds every event, and takes appends of its own.
                Await.until(() -> statusJson(n4Url).member("n4").flatMap(ClusterAdmin.Member::appliedPosition)
                        .equals(Optional.of(9L)), WAIT, () -> "n4 caught up: " + statusJson(n4Url));
                cluster.nodes.get(1).append("orders", ExpectedVersion.any(), EventData.of("t", new byte[] {1}));
                Await.until(() -> statusJson(cluster.url()).members().stream().filter(m -> m.appliedPosition()
                        .equals(Optional.of(10L))).count() == 4, WAIT, () -> "4 members at 10: "
                                + statusJson(cluster.url()));
                ClusterAdmin.View four = statusJson(n4Url);
                assertThat(four.members()).extracting(ClusterAdmin.Member::id).containsExactlyInAnyOrder("n1", "n2",
                        "n3", "n4");
                assertThat(four.member("n4").orElseThrow().role()).isIn("follower", "leader");

                // Bad requests: one line each, naming what is wrong, exit 1.
                assertFails(CliRun.run("cluster", "add", "n4", n4, "--url", cluster.url()),
                        "409 node 'n4' is a member already");
                assertFails(CliRun.run("cluster", "add", "n5", "nowhere", "--url", cluster.url()),
                        "400 address 'nowhere' of node 'n5' is not HOST:PORT");
                assertFails(CliRun.run("cluster", "remove", "n9", "--url", cluster.url()),
                        "404 node 'n9' is not a member of the cluster");
                assertFails(CliRun.run("cluster", "add", "n5", "127.0.0.1:" + freePort(), "--url", cluster.url()),
                        "503 node 'n5' at 127.0.0.1:");

                CliRun removed = CliRun.run("cluster", "remove", "n4", "--url", cluster.url(), "--json");
                assertThat(removed.exitCode()).as(removed.toString()).isZero();
                assertThat(ClusterCommand.parse(removed.out()).members()).extracting(ClusterAdmin.Member::id)
                        .containsExactly("n1", "n2", "n3");
                assertThat(serve.terminate(START_TIMEOUT_MS)).isZero();
            }
            // The three go on acknowledging appends.
            assertThat(cluster.nodes.get(2).append("orders", ExpectedVersion.any(), EventData.of("t", new byte[] {2}))
                    .events().get(0).position()).isEqualTo(11);
        }
    }

    @Test
    void membershipNeedsTheAdminGrantWhenTheServerAsksForTokens() throws Exception {
        Path tokens = temp.resolve("tokens");
        Path admin = Files.writeString(temp.resolve("admin.token"), TokenFile.add(tokens, "ops", "ops").token());
        Path reader = Files.writeString(temp.resolve("reader.token"), TokenFile.add(tokens, "reader", "reader").token());
        Path grants = Files.writeString(temp.resolve("grants"), "ops admin\nreader read:*\n");
        try (AccessPolicy policy = AccessPolicy.watch(grants, AccessPolicy.DEFAULT_RELOAD_PERIOD);
                ThreeNodes cluster = new ThreeNodes(HttpAccess.of(TokenAuthenticator.open(tokens), policy))) {
            assertFails(CliRun.run("cluster", "status", "--url", cluster.url()), "401 this route needs an"
                    + " Authorization: Bearer TOKEN header");
            assertFails(CliRun.run("cluster", "remove", "n2", "--url", cluster.url(), "--token-file",
                    reader.toString()), "403 principal 'reader' may not remove a cluster member: it needs the admin grant");
            assertFails(CliRun.run("cluster", "add", "n4", "127.0.0.1:1", "--url", cluster.url(), "--token-file",
                    reader.toString()), "403 principal 'reader' may not add a cluster member");
            Await.until(() -> {
                CliRun status = CliRun.run("cluster", "status", "--url", cluster.url(), "--token-file", admin.toString(),
                        "--json");
                return status.exitCode() == 0 && ClusterCommand.parse(status.out()).leader().isPresent();
            }, WAIT, "the admin sees a leader");
            CliRun status = CliRun.run("cluster", "status", "--url", cluster.url(), "--token-file", admin.toString(),
                    "--json");
            assertThat(ClusterCommand.parse(status.out()).members()).hasSize(3);
        }
    }

    @Test
    void serveJoinChecksItsSettingsAsServeClusterDoes() throws Exception {
        String log = "log:" + temp.resolve("join-data");
        try (RewindProcess serve = RewindProcess.start(serve("--store", log, "--node", "n4", "--join",
                "n1=10.255.255.1:19002,n4=127.0.0.1:" + freePort()))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: --join: member n1 is at 10.255.255.1:19002, not a loopback"
                    + " address, and cluster traffic has no TLS");
        }
        try (RewindProcess serve = RewindProcess.start(serve("--store", log, "--node", "n4", "--join",
                "n1=127.0.0.1:19001,n4=127.0.0.1:19004", "--cluster", "n1=127.0.0.1:19001,n4=127.0.0.1:19004"))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: --join and --cluster: give one");
        }
        try (RewindProcess serve = RewindProcess.start(serve("--store", log, "--join", "n4=127.0.0.1:19004"))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: --join needs --node");
        }
        try (RewindProcess serve = RewindProcess.start(serve("--store", log, "--node", "n5", "--join",
                "n1=127.0.0.1:19001"))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: --join: node 'n5' is not one of the cluster's members");
        }
        // With --insecure the operator accepts plain-text Raft traffic off loopback: it starts and waits to be added.
        try (RewindProcess serve = RewindProcess.start(serve("--store", log, "--node", "n4", "--join",
                "n1=10.255.255.1:19002,n4=127.0.0.1:" + freePort(), "--insecure"))) {
            String url = serve.httpEndpoint(START_TIMEOUT_MS).replaceAll("/$", "");
            assertThat(serve.stdout()).contains("joining through");
            CliRun status = CliRun.run("cluster", "status", "--url", url, "--json");
            assertThat(status.exitCode()).as(status.toString()).isZero();
            assertThat(ClusterCommand.parse(status.out()).leader()).isEmpty();
            assertThat(serve.terminate(START_TIMEOUT_MS)).isZero();
        }
    }

    @Test
    void aServerThatIsNotAClusterNodeSaysSo() throws Exception {
        try (RewindProcess serve = RewindProcess.start(serve("--store", "memory:"))) {
            String url = serve.httpEndpoint(START_TIMEOUT_MS).replaceAll("/$", "");
            assertFails(CliRun.run("cluster", "status", "--url", url), "404 this server is not a cluster node");
            assertThat(serve.terminate(START_TIMEOUT_MS)).isZero();
        }
        int closed = freePort();
        assertFails(CliRun.run("cluster", "status", "--url", "http://127.0.0.1:" + closed), "cannot reach http://127.0.0.1:"
                + closed + "/api/cluster");
    }

    private static String[] serve(String... more) {
        List<String> args = new ArrayList<>(List.of("serve", "--command-endpoint", "tcp://127.0.0.1:*",
                "--stream-endpoint", "tcp://127.0.0.1:*"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static ClusterAdmin.View statusJson(String url) {
        CliRun run = CliRun.run("cluster", "status", "--url", url, "--json");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return ClusterCommand.parse(run.out());
    }

    private static void assertFails(CliRun run, String message) {
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).as(run.toString()).isEmpty();
        assertThat(run.err().lines().toList()).as(run.toString()).singleElement()
                .satisfies(line -> assertThat(line).startsWith("rewind: ").contains(message));
    }

    private static void assertOneLineError(String stderr, String expectedStart) {
        assertThat(stderr).as("stderr").doesNotContain("\tat ").doesNotContain("Exception in thread");
        assertThat(stderr.lines().filter(line -> line.startsWith("rewind: ")).toList()).as("error lines in %s", stderr)
                .singleElement().satisfies(line -> assertThat(line).startsWith(expectedStart));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
