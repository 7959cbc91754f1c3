package io.rewind.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made at test time with the JDK's keytool
 * (no private key is committed): the PKCS12 file keytool writes, the same key and certificate as
 * PEM files, and an {@link SSLContext} that trusts exactly that certificate.
 */
record TestCertificates(Path pkcs12, Path password, Path pemKey, Path pemCertificate, SSLContext clientContext) {

    static final String PASSWORD = "test-only-password";

    static TestCertificates create(Path directory) throws Exception {
        Path pkcs12 = directory.resolve("server.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "rewind", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", pkcs12.toString(), "-storepass", PASSWORD,
                "-keypass", PASSWORD).redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("keytool failed: "
                    + new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        ownerOnly(pkcs12);
        Path password = directory.resolve("server.p12.password");
        Files.writeString(password, PASSWORD + "\n");
        ownerOnly(password);

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pkcs12)) {
            store.load(in, PASSWORD.toCharArray());
        }
        Certificate certificate = store.getCertificate("rewind");
        Path pemKey = directory.resolve("server.key");
        Files.writeString(pemKey, pem("PRIVATE KEY", store.getKey("rewind", PASSWORD.toCharArray()).getEncoded()));
        ownerOnly(pemKey);
        Path pemCertificate = directory.resolve("server.crt");
        Files.writeString(pemCertificate, pem("CERTIFICATE", certificate.getEncoded()));

        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("rewind", certificate);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return new TestCertificates(pkcs12, password, pemKey, pemCertificate, context);
    }

    static void ownerOnly(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    static String pem(String label, byte[] der) {
        List<String> lines = List.of(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der));
        return "-----BEGIN " + label + "-----\n" + String.join("\n", lines) + "\n-----END " + label + "-----\n";
    }
}
