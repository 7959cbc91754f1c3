package io.rewind.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.rewind.testkit.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurveCertificateTest {

    @TempDir
    Path dir;

    @Test
    void z85MatchesTheRfcExampleAndRoundTrips() {
        // ZeroMQ RFC 32's test vector: these 8 bytes are "HelloWorld".
        byte[] hello = HexFormat.of().parseHex("864FD26FB559F75B");
        assertThat(Z85.encode(hello)).isEqualTo("HelloWorld");
        assertThat(Z85.decode("HelloWorld")).isEqualTo(hello);
        byte[] key = CurveKeys.generate().publicKey();
        assertThat(Z85.decode(Z85.encode(key))).isEqualTo(key);
        assertThat(catchThrowable(() -> Z85.decode("Hello Worl"))).hasMessage("' ' at 5 is not a Z85 character");
        assertThat(catchThrowable(() -> Z85.decode("abcd"))).hasMessage("Z85 text is a multiple of 5 characters, not 4");
    }

    @Test
    void aGeneratedPairIsWrittenAsPublicAndOwnerOnlySecretCertificatesAndReadBack() throws IOException {
        CurveKeys keys = CurveKeys.generate();
        Path file = dir.resolve("orders-service.key");

        CurveCertificate.of(keys, "orders-service").writePair(file);

        Path secret = dir.resolve("orders-service.key_secret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
        String publicText = Files.readString(file);
        assertThat(publicText).contains("metadata\n    principal = \"orders-service\"\n")
                .contains("curve\n    public-key = \"" + keys.publicKeyZ85() + "\"\n").doesNotContain("secret-key");
        CurveCertificate readPublic = CurveCertificate.read(file);
        assertThat(readPublic.keys()).isEqualTo(CurveKeys.ofPublic(keys.publicKey()));
        assertThat(readPublic.principal()).contains("orders-service");
        CurveCertificate readSecret = CurveCertificate.readSecret(secret, "client key");
        assertThat(readSecret.keys()).isEqualTo(keys);
        assertThat(readSecret.toString()).doesNotContain(Z85.encode(keys.secretKey().orElseThrow()));
        assertThat(catchThrowable(() -> CurveCertificate.of(keys, "x").writePair(file)))
                .isInstanceOf(FileAlreadyExistsException.class);
    }

    @Test
    void aSecretFileOthersMayReadOrAPublicOneGivenAsSecretIsRefused() throws IOException {
        Path file = dir.resolve("c.key");
        CurveCertificate.of(CurveKeys.generate(), "c").writePair(file);
        Path secret = CurveCertificate.secretFileOf(file);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r-----"));

        assertThat(catchThrowable(() -> CurveCertificate.readSecret(secret, "client secret key")))
                .isInstanceOf(InsecureKeyFileException.class).hasMessageContaining("chmod 600");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(catchThrowable(() -> CurveCertificate.readSecret(file, "client secret key")))
                .isInstanceOf(CertificateFormatException.class).hasMessageContaining("has no secret-key");
    }

    @Test
    void malformedCertificatesNameTheLineAndMismatchedKeysAreRefused() {
        String other = Z85.encode(CurveKeys.generate().secretKey().orElseThrow());
        String publicKey = CurveKeys.generate().publicKeyZ85();

        assertThat(catchThrowable(() -> CurveCertificate.parse("curve\npublic-key = \"x\"\n", "f")))
                .hasMessage("f line 2: a name = value line must be indented under a section");
        assertThat(catchThrowable(() -> CurveCertificate.parse("curve\n    public-key = \"short\"\n", "f")))
                .hasMessage("f: public-key must be 40 Z85 characters, not 5");
        assertThat(catchThrowable(() -> CurveCertificate.parse("metadata\n", "f"))).hasMessage("f: no public-key in a curve section");
        assertThat(catchThrowable(() -> CurveCertificate.parse("curve\n    public-key = \"" + publicKey
                + "\"\n    secret-key = \"" + other + "\"\n", "f")))
                .hasMessage("f: the public key is not the one of the secret key");
    }

    @Test
    void clientKeysMapEachKeyToItsPrincipalAndARemovedFileStopsBeingAccepted() throws IOException {
        Path clients = Files.createDirectory(dir.resolve("clients"));
        CurveKeys alice = CurveKeys.generate();
        CurveKeys bob = CurveKeys.generate();
        Files.writeString(clients.resolve("alice.key"), CurveCertificate.of(alice, "alice").publicText());
        Files.writeString(clients.resolve("bob.key"), CurveCertificate.of(bob, "bob").publicText());
        Files.writeString(clients.resolve("README"), "not a key", StandardCharsets.UTF_8);

        try (ClientKeys keys = ClientKeys.watch(clients, Duration.ofMillis(20))) {
            assertThat(keys.principalOf(alice.publicKeyZ85())).contains("alice");
            assertThat(keys.principalOf(bob.publicKeyZ85())).contains("bob");

            Files.delete(clients.resolve("bob.key"));
            Await.until(() -> keys.principalOf(bob.publicKeyZ85()).isEmpty(), "the rescan drops bob's key");

            Files.writeString(clients.resolve("alice.key"), "garbage\n");
            Await.until(() -> keys.principalOf(alice.publicKeyZ85()).isEmpty(), "a file that no longer parses is left out");
        }
    }

    @Test
    void aKeyFileWithoutPrincipalRefusesTheDirectoryAtStart() throws IOException {
        Path clients = Files.createDirectory(dir.resolve("clients"));
        Files.writeString(clients.resolve("anon.key"), CurveCertificate.of(CurveKeys.generate(), null).publicText());

        assertThat(catchThrowable(() -> ClientKeys.watch(clients, Duration.ofSeconds(1))))
                .isInstanceOf(CertificateFormatException.class).hasMessageContaining("anon.key: no 'principal'");
    }
}
