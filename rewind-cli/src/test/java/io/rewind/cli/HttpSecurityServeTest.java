package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rewind serve} and the HTTP endpoint's safe default: on an address other than loopback it
 * refuses to start without TLS and tokens, with one line that says how, unless {@code --insecure};
 * with a PKCS12 key store, a token file and a grants file it serves HTTPS to bearer tokens only.
 */
class HttpSecurityServeTest {

    private static final long TIMEOUT_MS = 60_000;

    @TempDir
    Path temp;

    private static String[] serve(String... more) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("serve", "--store", "memory:",
                "--command-endpoint", "tcp://127.0.0.1:*", "--stream-endpoint", "tcp://127.0.0.1:*"));
        args.addAll(java.util.List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void refusesANonLoopbackHttpEndpointWithoutTlsAndTokensUnlessInsecure() throws Exception {
        try (RewindProcess serve = RewindProcess.start(serve("--http-endpoint", "0.0.0.0:0"))) {
            assertThat(serve.awaitExit(TIMEOUT_MS)).isEqualTo(1);
            String error = serve.stderr().strip();
            assertThat(error).startsWith("rewind: --http-endpoint 0.0.0.0 is not a loopback address")
                    .contains("--http-tls-key").contains("--http-tokens").contains("--insecure");
            assertThat(error.lines().count()).as(error).isEqualTo(1);
        }
        try (RewindProcess serve = RewindProcess.start(serve("--http-endpoint", "0.0.0.0:0", "--insecure"))) {
            String endpoint = serve.httpEndpoint(TIMEOUT_MS);
            assertThat(endpoint).startsWith("http://0.0.0.0:");
            assertThat(serve.terminate(TIMEOUT_MS)).isZero();
        }
    }

    @Test
    void servesHttpsToBearerTokensOnANonLoopbackEndpoint() throws Exception {
        Path keyStore = temp.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "rewind", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", "test-pass", "-keypass", "test-pass").redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).isZero();
        Path password = Files.writeString(temp.resolve("password"), "test-pass\n");
        for (Path file : new Path[] {keyStore, password}) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        Path grants = Files.writeString(temp.resolve("grants"), "deployer read:orders-* write:orders-*\n");
        Path tokens = temp.resolve("tokens");
        picocli.CommandLine add = Rewind.commandLine();
        java.io.StringWriter printed = new java.io.StringWriter();
        add.setOut(new java.io.PrintWriter(printed, true));
        add.setErr(new java.io.PrintWriter(new java.io.StringWriter(), true));
        assertThat(add.execute("tokens", "add", "ci", "--principal", "deployer", "--file", tokens.toString())).isZero();
        String token = printed.toString().strip();

        try (RewindProcess serve = RewindProcess.start(serve("--http-endpoint", "0.0.0.0:0",
                "--http-tls-keystore", keyStore.toString(), "--http-tls-password-file", password.toString(),
                "--http-tokens", tokens.toString(), "--grants", grants.toString()))) {
            String endpoint = serve.httpEndpoint(TIMEOUT_MS);
            assertThat(endpoint).startsWith("https://0.0.0.0:");
            assertThat(serve.stdout()).contains("bearer tokens required");
            String base = "https://127.0.0.1:" + URI.create(endpoint).getPort();
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(keyStore)).connectTimeout(Duration.ofSeconds(10))
                    .build();
            HttpRequest.Builder append = HttpRequest.newBuilder(URI.create(base + "/api/streams/orders-1/events"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"events\":[{\"type\":\"Placed\",\"data\":{}}]}"));
            assertThat(client.send(append.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            HttpResponse<String> allowed = client.send(append.header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
            HttpResponse<String> denied = client.send(HttpRequest.newBuilder(URI.create(base + "/api/all/events"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(denied.statusCode()).isEqualTo(403);
            assertThat(serve.terminate(TIMEOUT_MS)).isZero();
            assertThat(serve.stdout() + serve.stderr()).as("the token is never logged").doesNotContain(token)
                    .doesNotContain(token.substring(17));
        }
    }

    private static SSLContext trusting(Path keyStore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keyStore)) {
            store.load(in, "test-pass".toCharArray());
        }
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("rewind", store.getCertificate("rewind"));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
