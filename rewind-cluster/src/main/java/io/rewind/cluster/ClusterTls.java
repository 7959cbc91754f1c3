package io.rewind.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Mutual TLS for a node's cluster traffic (Raft over gRPC, in both directions): this node's
 * private key and certificate, and the cluster's CA certificate that every peer's certificate
 * must be signed by. Every node presents its certificate and accepts only peers whose certificate
 * the CA signed, so the traffic is encrypted and no one without a key the CA certified can take
 * part, read it or inject into it. The files are PEM: a PKCS#8 private key ({@code PRIVATE KEY}),
 * the certificate (chain), the CA certificate(s). A peer's certificate must name the host of its
 * Raft address (subject alternative name), as TLS clients check it. Immutable.
 *
 * @param privateKey  this node's private key (PEM, PKCS#8)
 * @param certificate this node's certificate chain (PEM)
 * @param trustedCa   the cluster CA's certificate(s) (PEM)
 */
public record ClusterTls(Path privateKey, Path certificate, Path trustedCa) {

    /**
     * @throws IllegalArgumentException naming a file that is missing or unreadable
     */
    public ClusterTls {
        check(Objects.requireNonNull(privateKey, "private key"), "private key");
        check(Objects.requireNonNull(certificate, "certificate"), "certificate");
        check(Objects.requireNonNull(trustedCa, "trusted CA"), "trusted CA certificate");
    }

    private static void check(Path file, String what) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("the cluster TLS " + what + " file " + file
                    + " does not exist or cannot be read");
        }
    }
}
