package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/** {@code rewind serve} as a user runs it: a real process, real sockets on 127.0.0.1, real signals. */
class ServeCommandTest {

    private static final long START_TIMEOUT_MS = 60_000;
    private static final long EXIT_TIMEOUT_MS = 30_000;
    private static final int RECEIVE_TIMEOUT_MS = 10_000;

    @TempDir
    Path temp;

    private static String[] ephemeral(String... more) {
        List<String> args = new ArrayList<>(List.of("serve", "--command-endpoint", "tcp://127.0.0.1:*",
                "--stream-endpoint", "tcp://127.0.0.1:*"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void servesTheLogStoreAndKeepsEventsAcrossASigtermRestart() throws Exception {
        String store = "log:" + temp.resolve("data");
        String id;
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", store))) {
            String endpoint = serve.awaitCommandEndpoint(START_TIMEOUT_MS);
            assertThat(serve.stdout()).contains("Rewind is serving " + store);
            id = publish(endpoint, "orders", "first order");
            assertThat(serve.terminate(EXIT_TIMEOUT_MS)).as("exit status after SIGTERM").isZero();
        }
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", store))) {
            String endpoint = serve.awaitCommandEndpoint(START_TIMEOUT_MS);
            assertThat(query(endpoint, "orders")).containsExactly(id + "=first order");
            assertThat(serve.terminate(EXIT_TIMEOUT_MS)).isZero();
        }
    }

    @Test
    void readsSettingsFromAConfigFileAndTheCommandLineWins() throws Exception {
        Path config = temp.resolve("rewind.properties");
        String store = "log:" + temp.resolve("configured");
        Files.writeString(config, "store = " + store + "\ndefault-stream = audit\nfsync = never\n");
        try (RewindProcess serve = RewindProcess.start(ephemeral("--config", config.toString(), "--fsync", "always"))) {
            serve.awaitCommandEndpoint(START_TIMEOUT_MS);
            assertThat(serve.stdout()).contains("Rewind is serving " + store).contains("default stream 'audit'")
                    .contains("fsync always");
            assertThat(serve.terminate(EXIT_TIMEOUT_MS)).isZero();
        }
    }

    @Test
    void servesASqliteStore() throws Exception {
        String store = "sqlite:" + temp.resolve("events.db");
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", store))) {
            String endpoint = serve.awaitCommandEndpoint(START_TIMEOUT_MS);
            assertThat(serve.stdout()).contains("Rewind is serving " + store + " (durable at the database's commit");
            String id = publish(endpoint, "sqlite-orders", "kept in SQLite");
            assertThat(query(endpoint, "sqlite-orders")).containsExactly(id + "=kept in SQLite");
            assertThat(serve.terminate(EXIT_TIMEOUT_MS)).isZero();
        }
    }

    @Test
    void anEndpointAlreadyInUseIsAOneLineError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                RewindProcess serve = RewindProcess.start("serve", "--store", "memory:", "--command-endpoint",
                        "tcp://127.0.0.1:" + taken.getLocalPort(), "--stream-endpoint", "tcp://127.0.0.1:*")) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: cannot start the server");
        }
    }

    @Test
    void anHttpEndpointAlreadyInUseOrMalformedIsAOneLineErrorAndOffTurnsItOff() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                RewindProcess serve = RewindProcess.start(ephemeral("--store", "memory:", "--http-endpoint",
                        "127.0.0.1:" + taken.getLocalPort()))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: cannot start the HTTP API: cannot serve HTTP on 127.0.0.1:"
                    + taken.getLocalPort());
        }
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", "memory:", "--http-endpoint", "9004"))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: --http-endpoint: expected HOST:PORT");
        }
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", "memory:", "--http-endpoint", "off"))) {
            serve.awaitCommandEndpoint(START_TIMEOUT_MS);
            assertThat(serve.httpEndpoint(START_TIMEOUT_MS)).isEqualTo("off");
            assertThat(serve.terminate(START_TIMEOUT_MS)).isZero();
        }
    }

    @Test
    void aDataDirectoryThatCannotBeOpenedIsAOneLineError() throws Exception {
        Path notADirectory = Files.writeString(temp.resolve("plain-file"), "not a directory");
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", "log:" + notADirectory))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: cannot open store log:" + notADirectory);
        }
    }

    @Test
    void badClusterSettingsAreOneLineErrors() throws Exception {
        String log = "log:" + temp.resolve("node-data");
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", log, "--node", "n1"))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: --node needs --cluster");
        }
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", "memory:", "--node", "n1", "--cluster",
                "n1=127.0.0.1:1"))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: --cluster: only a log: store can be replicated");
        }
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", log, "--node", "n4", "--cluster",
                "n1=127.0.0.1:19001,n2=127.0.0.1:19002"))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: --cluster: node 'n4' is not one of the cluster's members");
        }
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", log, "--node", "n1", "--cluster",
                "n1=127.0.0.1"))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: --cluster: address '127.0.0.1' of node 'n1' is not HOST:PORT");
        }
        // Raft traffic carries every event: off loopback it needs mutual TLS (or --insecure).
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", log, "--node", "n1", "--cluster",
                "n1=127.0.0.1:19001,n2=10.255.255.1:19002"))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: --cluster: member n2 is at 10.255.255.1:19002, not a loopback"
                    + " address, and cluster traffic has no TLS");
        }
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", log, "--node", "n1", "--cluster",
                "n1=127.0.0.1:19001", "--cluster-ca", temp.resolve("ca.crt").toString()))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: cluster TLS needs all of --cluster-tls-key, --cluster-tls-cert"
                    + " and --cluster-ca; missing: --cluster-tls-key, --cluster-tls-cert");
        }
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", "memory:", "--cluster-ca",
                temp.resolve("ca.crt").toString()))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: --cluster-tls-key, --cluster-tls-cert and --cluster-ca are for"
                    + " a cluster node");
        }
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", log, "--node", "n1", "--cluster",
                "n1=127.0.0.1:19001", "--cluster-tls-key", temp.resolve("none.key").toString(), "--cluster-tls-cert",
                temp.resolve("none.crt").toString(), "--cluster-ca", temp.resolve("ca.crt").toString()))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: the cluster TLS private key file");
        }
        // A private key that others may read is refused (as CURVE's secret key is).
        Path key = Files.writeString(temp.resolve("shared.key"), "-----BEGIN PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Path cert = Files.writeString(temp.resolve("n1.crt"), "-----BEGIN CERTIFICATE-----\n");
        Path ca = Files.writeString(temp.resolve("ca-only.crt"), "-----BEGIN CERTIFICATE-----\n");
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", log, "--node", "n1", "--cluster",
                "n1=127.0.0.1:19001", "--cluster-tls-key", key.toString(), "--cluster-tls-cert", cert.toString(),
                "--cluster-ca", ca.toString()))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: --cluster-tls-key " + key
                    + " is readable or writable by group or others (rw-r--r--): refusing to use it; run chmod 600 " + key);
        }
    }

    @Test
    void badSettingsAreOneLineErrors() throws Exception {
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", "memory:", "--fsync", "sometimes"))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: --fsync: 'sometimes' is not a durability mode");
        }
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", "memory:", "--fsync", "never"))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: --fsync never applies only to log: stores");
        }
        try (RewindProcess serve = RewindProcess.start(ephemeral("--store", "nowhere:"))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: --store: 'nowhere:' is not a store URI");
        }
        try (RewindProcess serve = RewindProcess.start(ephemeral("--no-such-flag"))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(2);
            assertThat(serve.stderr()).contains("rewind: Unknown option: '--no-such-flag'").doesNotContain("\tat ");
        }
        Path config = Files.writeString(temp.resolve("typo.properties"), "stor = memory:\n");
        try (RewindProcess serve = RewindProcess.start(ephemeral("--config", config.toString()))) {
            assertThat(serve.awaitExit(START_TIMEOUT_MS)).isEqualTo(1);
            assertOneLineError(serve.stderr(), "rewind: config file " + config + ": unknown key 'stor'");
        }
    }

    private static void assertOneLineError(String stderr, String expectedStart) {
        assertThat(stderr).as("stderr").doesNotContain("\tat ").doesNotContain("Exception in thread");
        assertThat(stderr.lines().filter(line -> line.startsWith("rewind: ")).toList())
                .as("error lines in %s", stderr)
                .singleElement().satisfies(line -> assertThat(line).startsWith(expectedStart));
    }

    /** GoRewind PUBLISH over a DEALER socket; returns the event id the server assigned. */
    static String publish(String endpoint, String stream, String data) {
        try (ZContext context = new ZContext()) {
            ZMQ.Socket dealer = dealer(context, endpoint);
            ZMsg request = new ZMsg();
            request.add(new byte[0]);
            request.add("PUBLISH");
            request.add(stream);
            request.add(data.getBytes(StandardCharsets.UTF_8));
            request.send(dealer);
            ZMsg reply = ZMsg.recvMsg(dealer);
            assertThat(reply).as("PUBLISH reply").isNotNull();
            assertThat(reply.popString()).isEqualTo("PUBLISHED");
            return reply.popString();
        }
    }

    /** GoRewind QUERY of a whole stream; returns "id=data" per event. */
    static List<String> query(String endpoint, String stream) {
        try (ZContext context = new ZContext()) {
            ZMQ.Socket dealer = dealer(context, endpoint);
            ZMsg request = new ZMsg();
            request.add(new byte[0]);
            request.add("QUERY");
            request.add(stream);
            request.add(new byte[0]);
            request.add(new byte[0]);
            request.send(dealer);
            List<String> events = new ArrayList<>();
            while (true) {
                ZMsg reply = ZMsg.recvMsg(dealer);
                assertThat(reply).as("QUERY reply").isNotNull();
                String kind = reply.popString();
                if (kind.equals("END")) {
                    return events;
                }
                assertThat(kind).isEqualTo("EVENT");
                events.add(reply.popString() + "=" + reply.popString());
            }
        }
    }

    private static ZMQ.Socket dealer(ZContext context, String endpoint) {
        ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
        dealer.setReceiveTimeOut(RECEIVE_TIMEOUT_MS);
        dealer.setLinger(0);
        // JeroMQ 0.6.0: a fresh outgoing connection occasionally stalls before its handshake
        // (docs/PROTOCOL.md); a short handshake interval makes it retry within half a second.
        dealer.setHandshakeIvl(500);
        dealer.connect(endpoint);
        return dealer;
    }
}
