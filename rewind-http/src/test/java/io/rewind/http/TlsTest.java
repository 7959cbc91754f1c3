package io.rewind.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.memory.MemoryEventStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with a PEM key and certificate or a PKCS12 file, and the refusal of key files others may read. */
class TlsTest {

    @TempDir
    static Path temp;
    static TestCertificates certificates;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certificates = TestCertificates.create(temp);
    }

    @Test
    void servesHttpsWithAPemKeyAndCertificate() throws Exception {
        assertServesHttps(TlsConfig.pem(certificates.pemKey(), certificates.pemCertificate()));
    }

    @Test
    void servesHttpsWithAPkcs12File() throws Exception {
        assertServesHttps(TlsConfig.pkcs12(certificates.pkcs12(), certificates.password()));
    }

    private static void assertServesHttps(TlsConfig tls) throws Exception {
        try (MemoryEventStore store = MemoryEventStore.create(1024 * 1024);
                RewindHttpServer server = RewindHttpServer.start(HttpConfig.builder().port(0).tls(tls).build(), store)) {
            assertThat(server.uri()).startsWith("https://127.0.0.1:");
            HttpClient client = HttpClient.newBuilder().sslContext(certificates.clientContext())
                    .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> appended = client.send(HttpRequest.newBuilder(URI.create(server.uri()
                    + "/api/streams/orders/events")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"events\":[{\"type\":\"Placed\",\"data\":{\"n\":1}}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(appended.statusCode()).as(appended.body()).isEqualTo(200);
            assertThat(store.readStream("orders", 0, io.rewind.api.Direction.FORWARD, 10)).hasSize(1);
            // The same port does not answer plain HTTP.
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create(server.uri().replace("https:", "http:")
                    + "/health")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void refusesAKeyFileThatOthersMayRead() throws Exception {
        Path key = temp.resolve("open.key");
        Files.copy(certificates.pemKey(), key);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        try (MemoryEventStore store = MemoryEventStore.create(1024)) {
            assertThatThrownBy(() -> RewindHttpServer.start(HttpConfig.builder().port(0)
                    .tls(TlsConfig.pem(key, certificates.pemCertificate())).build(), store))
                    .isInstanceOf(SecurityConfigException.class)
                    .hasMessageContaining(key.toString()).hasMessageContaining("readable or writable by group or others")
                    .hasMessageContaining("chmod 600");
        }
    }

    @Test
    void namesAKeyThatIsNotPkcs8() throws Exception {
        Path key = temp.resolve("rsa.key");
        Files.writeString(key, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        TestCertificates.ownerOnly(key);
        try (MemoryEventStore store = MemoryEventStore.create(1024)) {
            assertThatThrownBy(() -> RewindHttpServer.start(HttpConfig.builder().port(0)
                    .tls(TlsConfig.pem(key, certificates.pemCertificate())).build(), store))
                    .isInstanceOf(SecurityConfigException.class).hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        }
    }
}
