package io.rewind.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What crosses the links between the nodes, captured by a recording proxy on every link (what an
 * attacker on the network between the nodes would see): in plain text an appended event's data
 * and stream name are there to read; under the cluster's mutual TLS neither appears anywhere,
 * while the same traffic still flows and replicates (docs/SECURITY.md, cluster traffic).
 */
@Timeout(180)
class ClusterWireCaptureTest {

    private static final Duration REPLICATED = Duration.ofSeconds(60);

    @TempDir
    Path root;

    @Test
    void inPlainTextTheCaptureShowsTheEvent() throws Exception {
        Capture capture = appendAndCapture(root.resolve("plain"), i -> null);
        assertThat(capture.contains(capture.data)).as("the event's data, in clear between the nodes").isTrue();
        assertThat(capture.contains(capture.stream)).as("the stream's name, in clear between the nodes").isTrue();
    }

    @Test
    void underMutualTlsNeitherTheDataNorTheStreamNameCrossesInClear() throws Exception {
        ClusterCertificates ca = ClusterCertificates.createCa(root.resolve("ca"), "rewind-test-ca");
        List<ClusterTls> tls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tls.add(ca.node(ProxiedCluster.id(i)));
        }
        Capture capture = appendAndCapture(root.resolve("tls"), tls::get);
        assertThat(capture.bytes).as("bytes captured on the links while the event replicated")
                .isGreaterThan(capture.data.length);
        assertThat(capture.contains(capture.data)).as("the event's data on the wire").isFalse();
        assertThat(capture.contains(capture.stream)).as("the stream's name on the wire").isFalse();
    }

    /** What every link carried while one event was appended and held by every node. */
    private record Capture(List<byte[]> streams, long bytes, byte[] data, byte[] stream) {
        boolean contains(byte[] wanted) {
            return streams.stream().anyMatch(captured -> indexOf(captured, wanted) >= 0);
        }
    }

    private static Capture appendAndCapture(Path directory, IntFunction<ClusterTls> tls) throws Exception {
        String marker = UUID.randomUUID().toString();
        byte[] data = ("card-number-" + marker).getBytes(StandardCharsets.UTF_8);
        String stream = "payments-" + marker;
        try (ProxiedCluster cluster = ProxiedCluster.start(directory, 3, tls)) {
            Await.until(() -> cluster.leader() >= 0, REPLICATED, "a leader is elected");
            for (int i = 0; i < cluster.size(); i++) {
                for (LinkProxy link : cluster.linksOf(i)) {
                    link.record();
                }
            }
            // Through a follower, so the append also crosses a link on its way to the leader.
            int follower = (cluster.leader() + 1) % cluster.size();
            cluster.node(follower).append(stream, ExpectedVersion.noStream(), EventData.of("CardCharged", data));
            for (int i = 0; i < cluster.size(); i++) {
                ClusterEventStore node = cluster.node(i);
                Await.until(() -> node.streamInfo(stream).isPresent(), REPLICATED, ProxiedCluster.id(i) + " holds the event");
            }
            List<byte[]> captured = new ArrayList<>();
            for (int i = 0; i < cluster.size(); i++) {
                for (LinkProxy link : cluster.linksOf(i)) {
                    captured.addAll(link.recorded());
                }
            }
            long bytes = captured.stream().mapToLong(b -> b.length).sum();
            return new Capture(captured, bytes, data, stream.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
