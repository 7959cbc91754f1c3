package io.rewind.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.StoreUnavailableException;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.testkit.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster traffic under mutual TLS (issue 13, "cluster traffic"): nodes with certificates from the
 * cluster's CA replicate; a node with a certificate from another CA, or without TLS, takes no part
 * — it receives nothing and cannot have anything appended through it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterTlsTest {

    @TempDir
    Path root;

    private final Map<String, String> members = new LinkedHashMap<>();
    private final List<ClusterEventStore> nodes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        List<Thread> closing = new ArrayList<>();
        for (ClusterEventStore node : nodes) {
            Thread thread = new Thread(node::close, "close-" + node.config().nodeId());
            thread.start();
            closing.add(thread);
        }
        for (Thread thread : closing) {
            thread.join(60_000);
        }
    }

    @Test
    void nodesWithCertificatesFromTheClusterCaReplicateOverMutualTls() throws Exception {
        ClusterCertificates ca = ClusterCertificates.createCa(root.resolve("ca"), "rewind-test-ca");
        members(3);
        for (String id : members.keySet()) {
            start(id, ca.node(id));
        }
        for (int i = 0; i < 3; i++) {
            nodes.get(i).append("s", ExpectedVersion.any(), EventData.of("t", new byte[] {(byte) i}));
        }
        for (ClusterEventStore node : nodes) {
            Await.until(() -> node.headPosition() == 2, Duration.ofSeconds(30),
                    "node " + node.config().nodeId() + " holds the 3 events");
        }
    }

    @Test
    void aNodeWithACertificateFromAnotherCaTakesNoPart() throws Exception {
        ClusterCertificates ca = ClusterCertificates.createCa(root.resolve("ca"), "rewind-test-ca");
        ClusterCertificates other = ClusterCertificates.createCa(root.resolve("other"), "someone-else");
        members(3);
        start("n1", ca.node("n1"));
        start("n2", ca.node("n2"));
        ClusterTls foreign = other.node("n3");
        // It even trusts the cluster's CA: what it lacks is a certificate that CA signed.
        ClusterEventStore intruder = start("n3", new ClusterTls(foreign.privateKey(), foreign.certificate(),
                root.resolve("ca").resolve("ca.crt")));
        assertTakesNoPart(intruder);
    }

    @Test
    void aNodeWithoutTlsTakesNoPart() throws Exception {
        ClusterCertificates ca = ClusterCertificates.createCa(root.resolve("ca"), "rewind-test-ca");
        members(3);
        start("n1", ca.node("n1"));
        start("n2", ca.node("n2"));
        ClusterEventStore plain = start("n3", null);
        assertTakesNoPart(plain);
    }

    /** The two good nodes form the majority and replicate; {@code outsider} gets nothing and can append nothing. */
    private void assertTakesNoPart(ClusterEventStore outsider) {
        for (int i = 0; i < 20; i++) {
            nodes.get(i % 2).append("s", ExpectedVersion.any(), EventData.of("t", new byte[] {(byte) i}));
        }
        for (int i = 0; i < 2; i++) {
            ClusterEventStore node = nodes.get(i);
            Await.until(() -> node.headPosition() == 19, Duration.ofSeconds(30),
                    "node " + node.config().nodeId() + " holds the 20 events");
        }
        assertThatThrownBy(() -> outsider.append("s", ExpectedVersion.any(), EventData.of("t", new byte[] {1})))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(outsider.headPosition()).as("what the outsider received").isEqualTo(-1);
        assertThat(nodes.get(0).headPosition()).as("nothing was appended through the outsider").isEqualTo(19);
    }

    private void members(int count) throws IOException {
        for (int i = 1; i <= count; i++) {
            members.put("n" + i, "127.0.0.1:" + freePort());
        }
    }

    private ClusterEventStore start(String id, ClusterTls tls) {
        LogEventStore local = LogEventStore.open(LogConfig.builder(root.resolve(id)).build());
        ClusterEventStore node = ClusterEventStore.start(new ClusterConfig(id, members, root.resolve(id + ".raft"),
                LocalCluster.ELECTION_MIN, LocalCluster.ELECTION_MAX), local, tls);
        nodes.add(node);
        return node;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
