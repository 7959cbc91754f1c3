package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ZeroMQ side of security as an operator sets it up: {@code rewind keys generate}, {@code rewind
 * serve} with CURVE and a grants file, the client tools with their keys, and the safe default.
 */
class SecureServeTest {

    private static final long TIMEOUT_MS = 60_000;

    @TempDir
    Path temp;

    @Test
    void keysGenerateWritesAPublicAndAnOwnerOnlySecretCertificate() throws Exception {
        CliRun run = CliRun.run("keys", "generate", "orders-service", "--dir", temp.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        Path secret = temp.resolve("orders-service.key_secret");
        assertThat(Files.readString(temp.resolve("orders-service.key"))).contains("principal = \"orders-service\"")
                .contains("public-key = ").doesNotContain("secret-key");
        assertThat(Files.readString(secret)).contains("secret-key = ");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
        assertThat(run.out()).doesNotContain(Files.readString(secret).lines()
                .filter(l -> l.contains("secret-key")).findFirst().orElseThrow().split("\"")[1]);

        CliRun again = CliRun.run("keys", "generate", "orders-service", "--dir", temp.toString());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("refusing to overwrite a key");
    }

    @Test
    void aNonLoopbackEndpointWithoutSecurityIsRefusedUnlessInsecure() throws Exception {
        CliRun refused = CliRun.run("serve", "--store", "memory:", "--http-endpoint", "off",
                "--command-endpoint", "tcp://0.0.0.0:*", "--stream-endpoint", "tcp://127.0.0.1:*");

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err().lines().filter(l -> l.startsWith("rewind: ")).toList()).singleElement()
                .satisfies(line -> assertThat(line).startsWith("rewind: cannot start the server: refusing to serve the "
                        + "command endpoint tcp://0.0.0.0:* on a non-loopback address without security").contains("--insecure"));

        try (RewindProcess serve = RewindProcess.start("serve", "--store", "memory:", "--http-endpoint", "off",
                "--command-endpoint", "tcp://0.0.0.0:*", "--stream-endpoint", "tcp://127.0.0.1:*", "--insecure")) {
            assertThat(serve.awaitCommandEndpoint(TIMEOUT_MS)).startsWith("tcp://0.0.0.0:");
            assertThat(serve.terminate(TIMEOUT_MS)).isZero();
        }
    }

    @Test
    void securityOptionsThatWouldProtectNothingAreRefused() throws Exception {
        Path grants = Files.writeString(temp.resolve("grants"), "ops read:* write:*\n");
        String[] base = {"serve", "--store", "memory:", "--http-endpoint", "off", "--command-endpoint", "tcp://127.0.0.1:*",
            "--stream-endpoint", "tcp://127.0.0.1:*"};

        CliRun grantsAlone = CliRun.run(concat(base, new String[] {"--grants", grants.toString()}));
        CliRun halfCurve = CliRun.run(concat(base, new String[] {"--curve-clients", temp.toString()}));
        CliRun legacyWithoutGrants = CliRun.run(concat(base, new String[] {"--legacy-endpoint", "ops=tcp://127.0.0.1:*"}));

        assertThat(grantsAlone.err()).contains("rewind: --grants applies to CURVE");
        assertThat(halfCurve.err()).contains("rewind: CURVE needs all of --curve-secret-key, --curve-clients and --grants");
        assertThat(legacyWithoutGrants.err()).contains("rewind: --legacy-endpoint needs --grants");
        assertThat(List.of(grantsAlone.exitCode(), halfCurve.exitCode(), legacyWithoutGrants.exitCode()))
                .containsOnly(1);
    }

    @Test
    void aSecretKeyOthersMayReadIsRefused() throws Exception {
        Path keys = Files.createDirectories(temp.resolve("keys"));
        CliRun.run("keys", "generate", "server", "--dir", keys.toString());
        Path secret = keys.resolve("server.key_secret");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        Path grants = Files.writeString(temp.resolve("grants"), "ops read:* write:*\n");

        CliRun run = CliRun.run("serve", "--store", "memory:", "--http-endpoint", "off",
                "--command-endpoint", "tcp://127.0.0.1:*", "--stream-endpoint", "tcp://127.0.0.1:*",
                "--curve-secret-key", secret.toString(), "--curve-clients", keys.toString(), "--grants", grants.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("--curve-secret-key " + secret + " is readable or writable by group or others")
                .contains("chmod 600");
    }

    @Test
    void servesCurveClientsWithTheirKeysAndNobodyElse() throws Exception {
        Path keys = Files.createDirectories(temp.resolve("keys"));
        Path clients = Files.createDirectories(temp.resolve("clients"));
        CliRun.run("keys", "generate", "server", "--dir", keys.toString());
        CliRun.run("keys", "generate", "orders", "--dir", keys.toString());
        Files.copy(keys.resolve("orders.key"), clients.resolve("orders.key"));
        Path grants = Files.writeString(temp.resolve("grants"), "orders read:orders-* write:orders-*\n");

        try (RewindProcess serve = RewindProcess.start("serve", "--store", "memory:", "--http-endpoint", "off",
                "--command-endpoint", "tcp://127.0.0.1:*", "--stream-endpoint", "tcp://127.0.0.1:*",
                "--curve-secret-key", keys.resolve("server.key_secret").toString(),
                "--curve-clients", clients.toString(), "--grants", grants.toString())) {
            String endpoint = serve.awaitCommandEndpoint(TIMEOUT_MS);
            assertThat(serve.stdout()).contains("zeromq security         CURVE, server key ");
            String[] withKeys = {"--server", endpoint, "--server-key", keys.resolve("server.key").toString(),
                "--key", keys.resolve("orders.key_secret").toString()};

            CliRun published = CliRun.run(concat(new String[] {"publish", "--stream", "orders-1"}, withKeys, "an order"));
            assertThat(published.exitCode()).as(published.toString()).isZero();
            CliRun read = CliRun.run(concat(new String[] {"read", "--stream", "orders-1"}, withKeys));
            assertThat(read.out()).contains("an order");
            CliRun denied = CliRun.run(concat(new String[] {"publish", "--stream", "invoices-1"}, withKeys, "x"));
            assertThat(denied.exitCode()).isEqualTo(1);
            assertThat(denied.err()).contains("rewind: principal 'orders' may not append to stream 'invoices-1'");
            assertThat(serve.terminate(TIMEOUT_MS)).isZero();
            assertThat(serve.stdout() + serve.stderr()).as("no secret key in the server's output")
                    .doesNotContain(secretOf(keys.resolve("server.key_secret")))
                    .doesNotContain(secretOf(keys.resolve("orders.key_secret")));
        }
    }

    private static String secretOf(Path file) throws java.io.IOException {
        return Files.readString(file).lines().filter(l -> l.contains("secret-key")).findFirst().orElseThrow()
                .split("\"")[1];
    }

    private static String[] concat(String[] first, String[] second, String... third) {
        String[] all = new String[first.length + second.length + third.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        System.arraycopy(third, 0, all, first.length + second.length, third.length);
        return all;
    }
}
