package io.rewind.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the HTTP server's TLS key and certificate come from: a PEM private key (unencrypted
 * PKCS#8, {@code BEGIN PRIVATE KEY}) with a PEM certificate chain, or a PKCS12 key store with its
 * password in a file. The files are read when the server starts, and every file holding a secret
 * must be readable by its owner only ({@link SecretFiles}). Immutable.
 */
public final class TlsConfig {

    /** The alias and in-memory password of the key store built from PEM files; never leaves the process. */
    private static final String ALIAS = "rewind";
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private final Path key;
    private final Path certificate;
    private final Path keyStore;
    private final Path passwordFile;

    private TlsConfig(Path key, Path certificate, Path keyStore, Path passwordFile) {
        this.key = key;
        this.certificate = certificate;
        this.keyStore = keyStore;
        this.passwordFile = passwordFile;
    }

    /** A PEM private key (PKCS#8, unencrypted) and a PEM certificate chain, the server's first. */
    public static TlsConfig pem(Path key, Path certificate) {
        return new TlsConfig(Objects.requireNonNull(key, "key"), Objects.requireNonNull(certificate, "certificate"),
                null, null);
    }

    /** A PKCS12 key store holding one private key entry, its password the first line of {@code passwordFile}. */
    public static TlsConfig pkcs12(Path keyStore, Path passwordFile) {
        return new TlsConfig(null, null, Objects.requireNonNull(keyStore, "keyStore"),
                Objects.requireNonNull(passwordFile, "passwordFile"));
    }

    /** What is configured, for the start-up line; names files, never their content. */
    public String describe() {
        return keyStore == null ? "PEM key " + key + ", certificate " + certificate : "PKCS12 " + keyStore;
    }

    /** The key store and its password, loaded and checked. */
    record Loaded(KeyStore keyStore, char[] password) {
    }

    /**
     * Reads the files.
     *
     * @throws SecurityConfigException naming the file that is missing, unsafe or malformed
     */
    Loaded load() {
        return keyStore == null ? loadPem() : loadPkcs12();
    }

    private Loaded loadPkcs12() {
        SecretFiles.checkPrivate(keyStore, "--http-tls-keystore");
        SecretFiles.checkPrivate(passwordFile, "--http-tls-password-file");
        char[] password;
        try {
            String text = Files.readString(passwordFile, StandardCharsets.UTF_8);
            int newline = text.indexOf('\n');
            password = (newline < 0 ? text : text.substring(0, newline)).replace("\r", "").toCharArray();
        } catch (IOException e) {
            throw new SecurityConfigException("--http-tls-password-file: cannot read " + passwordFile + ": "
                    + e.getMessage(), e);
        }
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            if (!hasKey(store)) {
                throw new SecurityConfigException("--http-tls-keystore: " + keyStore + " holds no private key");
            }
            return new Loaded(store, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new SecurityConfigException("--http-tls-keystore: cannot read " + keyStore
                    + " as PKCS12 with the given password: " + e.getMessage(), e);
        }
    }

    private static boolean hasKey(KeyStore store) throws GeneralSecurityException {
        for (String alias : java.util.Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                return true;
            }
        }
        return false;
    }

    private Loaded loadPem() {
        SecretFiles.checkPrivate(key, "--http-tls-key");
        List<Certificate> chain = certificates();
        PrivateKey privateKey = privateKey();
        char[] password = new char[0];
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, privateKey, password, chain.toArray(new Certificate[0]));
            return new Loaded(store, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new SecurityConfigException("--http-tls-key: the key in " + key + " does not fit the certificate in "
                    + certificate + ": " + e.getMessage(), e);
        }
    }

    private List<Certificate> certificates() {
        List<Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(certificate, "CERTIFICATE", "--http-tls-cert")) {
                chain.add(factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (GeneralSecurityException e) {
            throw new SecurityConfigException("--http-tls-cert: " + certificate + " is not a PEM X.509 certificate: "
                    + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new SecurityConfigException("--http-tls-cert: " + certificate + " holds no BEGIN CERTIFICATE block");
        }
        return chain;
    }

    private PrivateKey privateKey() {
        List<byte[]> keys = blocks(key, "PRIVATE KEY", "--http-tls-key");
        if (keys.size() != 1) {
            throw new SecurityConfigException("--http-tls-key: " + key + " must hold one unencrypted PKCS#8 key"
                    + " (BEGIN PRIVATE KEY); convert another form with: openssl pkcs8 -topk8 -nocrypt -in KEY -out "
                    + key);
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(keys.get(0));
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException tryNext) {
                // not this algorithm
            }
        }
        throw new SecurityConfigException("--http-tls-key: " + key + " holds a key of an unsupported kind"
                + " (RSA, EC and Ed25519 are supported)");
    }

    private static List<byte[]> blocks(Path file, String label, String option) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new SecurityConfigException(option + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        List<byte[]> blocks = new ArrayList<>();
        Matcher matcher = PEM.matcher(text);
        while (matcher.find()) {
            if (matcher.group(1).equals(label)) {
                try {
                    blocks.add(Base64.getMimeDecoder().decode(matcher.group(2)));
                } catch (IllegalArgumentException e) {
                    throw new SecurityConfigException(option + ": a " + label + " block of " + file
                            + " is not valid base64", e);
                }
            } else if (label.equals("PRIVATE KEY") && matcher.group(1).endsWith("PRIVATE KEY")) {
                throw new SecurityConfigException(option + ": " + file + " holds a " + matcher.group(1)
                        + "; give an unencrypted PKCS#8 key (BEGIN PRIVATE KEY): openssl pkcs8 -topk8 -nocrypt -in "
                        + file + " -out NEWFILE");
            }
        }
        return blocks;
    }
}
