package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.testkit.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumer groups on three {@code rewind serve --node} processes: only the leader serves them, a
 * follower refuses naming the leader, and after the leader is killed with SIGKILL the new leader
 * serves the same group from its replicated checkpoint — the events acked before (and durably
 * checkpointed) are not delivered again, the new ones are. Tools given several nodes' endpoints
 * ({@code --server A,B,C}) find the leader for group commands by themselves.
 */
class ServeClusterGroupsTest {

    private static final int NODES = 3;
    private static final long START_TIMEOUT_MS = 60_000;
    private static final Pattern LEADER = Pattern.compile("cluster leader is now (\\S+) \\(seen by (\\S+)\\)");
    private static final Pattern CHECKPOINT = Pattern.compile("(?m)^checkpoint\\s+(\\d+) \\(durable (\\d+)\\)");

    @TempDir
    Path temp;

    private final Map<String, String> members = new LinkedHashMap<>();
    private final RewindProcess[] nodes = new RewindProcess[NODES];
    private final String[] endpoints = new String[NODES];

    @Test
    void onlyTheLeaderServesGroupsAndAfterItIsKilledTheNewLeaderGoesOnFromTheReplicatedCheckpoint()
            throws Exception {
        for (int i = 0; i < NODES; i++) {
            members.put(id(i), "127.0.0.1:" + freePort());
        }
        try {
            for (int i = 0; i < NODES; i++) {
                nodes[i] = RewindProcess.start("serve", "--store", "log:" + temp.resolve(id(i)), "--node", id(i),
                        "--cluster", cluster(), "--command-endpoint", "tcp://127.0.0.1:*", "--stream-endpoint",
                        "tcp://127.0.0.1:*");
            }
            for (int i = 0; i < NODES; i++) {
                endpoints[i] = nodes[i].awaitCommandEndpoint(START_TIMEOUT_MS);
            }
            int leader = awaitLeader(-1);
            String onLeader = endpoints[leader];
            // The leader's service opens once it applied what was committed before its term: retry until then.
            createdOnce("billing", onLeader, "--prefix", "invoice-");

            int follower = (leader + 1) % NODES;
            // Over HTTP too: the leader serves the groups, a follower answers 503 naming the leader.
            HttpResponse<String> listed = get(nodes[leader].httpEndpoint(START_TIMEOUT_MS) + "api/groups");
            assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
            assertThat(listed.body()).contains("\"name\":\"billing\"");
            HttpResponse<String> notHere = get(nodes[follower].httpEndpoint(START_TIMEOUT_MS) + "api/groups/billing");
            assertThat(notHere.statusCode()).as(notHere.body()).isEqualTo(503);
            assertThat(notHere.body()).contains("\"leader\":\"" + id(leader) + "\"");
            CliRun refused = CliRun.run("groups", "list", "--server", endpoints[follower]);
            assertThat(refused.exitCode()).as("%s", refused).isNotZero();
            assertThat(refused.err()).contains("cluster node '" + id(follower) + "' is not the cluster's leader:"
                    + " consumer groups run on the leader only; the leader is node '" + id(leader) + "'");

            ok("publish", "--stream", "invoice-1", "--type", "Issued", "one", "two", "three", "--server", onLeader);
            List<String> first = ok("consume", "billing", "--consumer", "w", "--limit", "3", "--server", onLeader)
                    .lines();
            assertThat(String.join("\n", first)).contains("one", "two", "three");
            // Every one was acked: wait until the checkpoint past them is durable (committed through Raft).
            AtomicReference<String> described = new AtomicReference<>();
            Await.until(() -> {
                described.set(ok("groups", "describe", "billing", "--server", onLeader).out());
                Matcher m = CHECKPOINT.matcher(described.get());
                return m.find() && m.group(1).equals(m.group(2)) && Long.parseLong(m.group(1)) >= 3;
            }, Duration.ofSeconds(30), () -> "the checkpoint past the three invoices is durable: " + described.get());

            nodes[leader].kill(START_TIMEOUT_MS);
            int next = awaitLeader(leader);
            String onNext = endpoints[next];
            String describedThere = untilOk("groups", "describe", "billing", "--server", onNext).out();
            assertThat(describedThere).contains("PREFIX invoice-");
            ok("publish", "--stream", "invoice-1", "--type", "Issued", "four", "five", "--server", onNext);
            List<String> second = ok("consume", "billing", "--consumer", "w2", "--limit", "2", "--server", onNext)
                    .lines();
            String text = String.join("\n", second);
            assertThat(text).as("after the failover: only the events after the durable checkpoint")
                    .contains("four", "five").doesNotContain("one", "two", "three");
            int remainingFollower = 3 - leader - next; // the indices are 0, 1 and 2
            CliRun stillRefused = CliRun.run("groups", "list", "--server", endpoints[remainingFollower]);
            assertThat(stillRefused.exitCode()).as("%s", stillRefused).isNotZero();
            assertThat(stillRefused.err()).contains("the leader is node '" + id(next) + "'");

            // Given several nodes (a follower first, the killed one last), the tools find the leader themselves.
            String followerFirst = String.join(",", endpoints[remainingFollower], onNext, endpoints[leader]);
            assertThat(ok("groups", "list", "--server", followerFirst).out()).contains("billing");
            createdOnce("shipping", followerFirst);
            assertThat(ok("groups", "list", "--server", onNext).out()).contains("billing", "shipping");
            ok("publish", "--stream", "invoice-2", "--type", "Issued", "six", "--server", onNext);
            String third = String.join("\n", ok("consume", "billing", "--consumer", "w3", "--limit", "1", "--server",
                    followerFirst).lines());
            assertThat(third).contains("six").doesNotContain("five");
        } finally {
            for (RewindProcess node : nodes) {
                if (node != null) {
                    node.close();
                }
            }
        }
    }

    private static HttpResponse<String> get(String uri) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        return client.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * {@code groups create NAME}, run again while it fails (a leader's groups still starting, or an
     * answer lost with a connection torn down under it: the outcome is unknown); "already exists"
     * after a failed run means an earlier one was taken.
     */
    private static void createdOnce(String name, String servers, String... options) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        boolean lostOne = false;
        List<String> args = new java.util.ArrayList<>(List.of("groups", "create", name, "--server", servers));
        args.addAll(List.of(options));
        while (true) {
            CliRun run = CliRun.run(args.toArray(String[]::new));
            if (run.exitCode() == 0 || (lostOne && run.err().contains("group '" + name + "' already exists"))) {
                return;
            }
            assertThat(run.err()).as("%s", run).doesNotContain("already exists");
            assertThat(System.nanoTime()).as("%s", run).isLessThan(deadline);
            lostOne = true;
        }
    }

    private static CliRun ok(String... args) {
        CliRun run = CliRun.run(args);
        assertThat(run.exitCode()).as("%s", run).isZero();
        return run;
    }

    /** Runs the command until it succeeds (a leader's groups start, a follower learns the new leader), at most 60 s. */
    private static CliRun untilOk(String... args) {
        AtomicReference<CliRun> last = new AtomicReference<>();
        Await.until(() -> {
            last.set(CliRun.run(args));
            return last.get().exitCode() == 0;
        }, Duration.ofSeconds(60), () -> "rewind " + String.join(" ", args) + " succeeds: " + last.get());
        return last.get();
    }

    private String cluster() {
        StringBuilder text = new StringBuilder();
        members.forEach((id, address) -> text.append(text.length() == 0 ? "" : ",").append(id).append('=')
                .append(address));
        return text.toString();
    }

    private static String id(int i) {
        return "n" + (i + 1);
    }

    /** The node the running nodes (other than {@code not}) last reported as leader, once they agree. */
    private int awaitLeader(int not) {
        int[] found = {-1};
        Await.until(() -> {
            String agreed = null;
            for (int i = 0; i < NODES; i++) {
                if (i == not) {
                    continue;
                }
                String seen = lastLeaderSeen(nodes[i].stderr());
                if (seen == null || seen.equals("null") || (agreed != null && !agreed.equals(seen))) {
                    return false;
                }
                agreed = seen;
            }
            if (agreed == null || (not >= 0 && agreed.equals(id(not)))) {
                return false;
            }
            found[0] = Integer.parseInt(agreed.substring(1)) - 1;
            return true;
        }, Duration.ofSeconds(60), "the running nodes agree on a leader other than " + (not < 0 ? "none" : id(not)));
        return found[0];
    }

    private static String lastLeaderSeen(String log) {
        Matcher matcher = LEADER.matcher(log);
        String last = null;
        while (matcher.find()) {
            last = matcher.group(1);
        }
        return last;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
