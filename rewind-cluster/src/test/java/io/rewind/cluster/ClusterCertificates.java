package io.rewind.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway cluster CA and node certificates for 127.0.0.1, made at test time with the JDK's
 * keytool (nothing secret is committed): {@link #node} gives a node's PEM key and certificate
 * signed by this CA, and the CA's PEM certificate to trust.
 */
final class ClusterCertificates {

    private static final String PASSWORD = "test-only-password";

    private final Path directory;
    private final Path caStore;
    private final Path caCertificate;

    private ClusterCertificates(Path directory) {
        this.directory = directory;
        this.caStore = directory.resolve("ca.p12");
        this.caCertificate = directory.resolve("ca.crt");
    }

    /** A new CA in {@code directory}, named {@code name}. */
    static ClusterCertificates createCa(Path directory, String name) throws Exception {
        Files.createDirectories(directory);
        ClusterCertificates ca = new ClusterCertificates(directory);
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "bc:c", "-validity", "2", "-storetype", "PKCS12", "-keystore", ca.caStore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.caStore.toString(), "-storepass", PASSWORD,
                "-file", ca.caCertificate.toString());
        return ca;
    }

    /** A key and certificate for node {@code id} on 127.0.0.1 signed by this CA, trusting this CA. */
    ClusterTls node(String id) throws Exception {
        Path store = directory.resolve(id + ".p12");
        keytool("-genkeypair", "-alias", id, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + id,
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD,
                "-keypass", PASSWORD);
        Path request = directory.resolve(id + ".csr");
        keytool("-certreq", "-alias", id, "-keystore", store.toString(), "-storepass", PASSWORD, "-file",
                request.toString());
        Path certificate = directory.resolve(id + ".crt");
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-storepass", PASSWORD,
                "-infile", request.toString(), "-outfile", certificate.toString(), "-validity", "2",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-ext", "KU=digitalSignature,keyAgreement",
                "-ext", "EKU=serverAuth,clientAuth");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        Path key = directory.resolve(id + ".key");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(
                        keys.getKey(id, PASSWORD.toCharArray()).getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        return new ClusterTls(key, certificate, caCertificate);
    }

    private static void keytool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("keytool " + arguments[0] + " failed: "
                    + new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
