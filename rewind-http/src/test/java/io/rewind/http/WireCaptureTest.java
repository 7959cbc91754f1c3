package io.rewind.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What crosses loopback between an HTTPS client and the server, recorded by a TCP proxy in the
 * middle: with TLS neither the event payload nor the bearer token appears in the bytes; the same
 * exchange without TLS shows both, which proves the capture would catch a leak.
 */
class WireCaptureTest {

    @TempDir
    Path temp;

    @Test
    void withTlsNoPayloadNorTokenCrossesTheWireInClear() throws Exception {
        Path directory = Files.createDirectory(temp.resolve("tls"));
        String captured = exchangeThroughProxy(directory, TestCertificates.create(directory));
        assertThat(captured.length()).as("bytes recorded").isGreaterThan(1000);
        assertThat(captured).doesNotContain(payload).doesNotContain(token).doesNotContain(token.substring(17))
                .doesNotContain("Bearer").doesNotContain("orders-wire");
    }

    @Test
    void withoutTlsTheCaptureFindsThePayloadAndTheToken() throws Exception {
        Path directory = Files.createDirectory(temp.resolve("plain"));
        String captured = exchangeThroughProxy(directory, null);
        assertThat(captured).contains(payload).contains("Authorization: Bearer " + token);
    }

    private String payload;
    private String token;

    /** An append and a read of it back, through the proxy; returns what the proxy saw. */
    private String exchangeThroughProxy(Path directory, TestCertificates certificates) throws Exception {
        payload = "wire-payload-" + UUID.randomUUID();
        try (SecuredServer http = new SecuredServer(directory, certificates);
                RecordingProxy proxy = new RecordingProxy(http.server.port())) {
            token = http.tokens.get("orders");
            String base = (certificates == null ? "http" : "https") + "://127.0.0.1:" + proxy.port();
            SecuredServer.Answer appended = http.send(base, "POST", "/api/streams/orders-wire/events",
                    "{\"events\":[{\"type\":\"Placed\",\"data\":{\"note\":\"" + payload + "\"}}]}", token);
            assertThat(appended.status()).as(appended.body()).isEqualTo(200);
            SecuredServer.Answer read = http.send(base, "GET", "/api/streams/orders-wire/events", null, token);
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.body()).contains(payload);
            return new String(proxy.captured(), StandardCharsets.ISO_8859_1);
        }
    }
}
