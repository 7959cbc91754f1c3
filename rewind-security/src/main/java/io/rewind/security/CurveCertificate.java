package io.rewind.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A CURVE certificate in ZeroMQ's usual text format (the one czmq's {@code zcert} and JeroMQ's
 * {@code ZCert} write: ZPL sections {@code metadata} and {@code curve}, keys in Z85). A public
 * certificate has {@code public-key}; its secret twin, by convention the same file name with
 * {@code _secret} appended, has {@code secret-key} too:
 *
 * <pre>
 * #   ZeroMQ CURVE Public Certificate
 * metadata
 *     principal = "orders-service"
 * curve
 *     public-key = "rq:rM&gt;}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
 * </pre>
 *
 * Rewind reads the principal a client key authenticates as from the metadata entry
 * {@value #PRINCIPAL}. A secret file is written readable by its owner only and refused when group
 * or others may read it ({@link KeyFilePermissions}). Immutable and thread-safe.
 *
 * @param keys     the public key, and the secret key for a secret certificate
 * @param metadata the metadata entries, in file order
 */
public record CurveCertificate(CurveKeys keys, Map<String, String> metadata) {

    /** The metadata entry naming the principal a client key authenticates as. */
    public static final String PRINCIPAL = "principal";
    /** What a secret certificate's file name adds to its public twin's. */
    public static final String SECRET_SUFFIX = "_secret";

    public CurveCertificate {
        Objects.requireNonNull(keys, "keys");
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** A certificate of these keys naming {@code principal} (null for none) in its metadata. */
    public static CurveCertificate of(CurveKeys keys, String principal) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (principal != null) {
            metadata.put(PRINCIPAL, Principal.requireValidName(principal));
        }
        return new CurveCertificate(keys, metadata);
    }

    /** The principal its metadata names, if any. */
    public Optional<String> principal() {
        return Optional.ofNullable(metadata.get(PRINCIPAL));
    }

    /** The secret twin's path of a public certificate's path: {@code NAME.key} → {@code NAME.key_secret}. */
    public static Path secretFileOf(Path publicFile) {
        return publicFile.resolveSibling(publicFile.getFileName() + SECRET_SUFFIX);
    }

    /**
     * Reads a certificate; a secret key in it must match its public key.
     *
     * @throws CertificateFormatException naming the file and line of the fault
     */
    public static CurveCertificate read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * Reads a secret certificate: the file must be readable by its owner only and hold both keys.
     *
     * @throws InsecureKeyFileException   if group or others may use it
     * @throws CertificateFormatException if it is malformed or has no secret key
     */
    public static CurveCertificate readSecret(Path file, String what) throws IOException {
        KeyFilePermissions.requireOwnerOnly(file, what);
        CurveCertificate certificate = read(file);
        if (!certificate.keys().hasSecret()) {
            throw new CertificateFormatException(file + ": " + what + " has no secret-key (is it the public certificate?)");
        }
        return certificate;
    }

    /** Parses a certificate's text; {@code source} names it in errors. */
    public static CurveCertificate parse(String text, String source) throws CertificateFormatException {
        Map<String, String> metadata = new LinkedHashMap<>();
        String section = null;
        String publicKey = null;
        String secretKey = null;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String raw = lines[i];
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1);
            boolean indented = Character.isWhitespace(raw.charAt(0));
            if (!indented) {
                if (line.contains("=")) {
                    throw new CertificateFormatException(where + ": a name = value line must be indented under a section");
                }
                section = line;
                continue;
            }
            int equals = line.indexOf('=');
            if (section == null || equals < 0) {
                throw new CertificateFormatException(where + ": expected 'name = \"value\"' under a section, found '"
                        + line + "'");
            }
            String name = line.substring(0, equals).strip();
            String value = unquote(line.substring(equals + 1).strip(), where);
            if (section.equals("metadata")) {
                metadata.put(name, value);
            } else if (section.equals("curve") && name.equals("public-key")) {
                publicKey = value;
            } else if (section.equals("curve") && name.equals("secret-key")) {
                secretKey = value;
            }
        }
        if (publicKey == null) {
            throw new CertificateFormatException(source + ": no public-key in a curve section");
        }
        try {
            byte[] publicBytes = key(publicKey, "public-key");
            CurveKeys keys = secretKey == null ? CurveKeys.ofPublic(publicBytes)
                    : CurveKeys.ofPair(publicBytes, key(secretKey, "secret-key"));
            return new CurveCertificate(keys, metadata);
        } catch (IllegalArgumentException e) {
            throw new CertificateFormatException(source + ": " + e.getMessage());
        }
    }

    private static byte[] key(String z85, String name) {
        if (z85.length() != 40) {
            throw new IllegalArgumentException(name + " must be 40 Z85 characters, not " + z85.length());
        }
        try {
            return Z85.decode(z85);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
    }

    private static String unquote(String value, String where) throws CertificateFormatException {
        if (value.startsWith("\"") || value.startsWith("'")) {
            char quote = value.charAt(0);
            if (value.length() < 2 || value.charAt(value.length() - 1) != quote) {
                throw new CertificateFormatException(where + ": unterminated quoted value");
            }
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    /** The public certificate's text (never the secret key). */
    public String publicText() {
        return text(false);
    }

    private String text(boolean secret) {
        StringBuilder out = new StringBuilder();
        out.append("#   ****  Generated on ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append(" by rewind keys generate  ****\n");
        if (secret) {
            out.append("#   ZeroMQ CURVE **Secret** Certificate\n");
            out.append("#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n\n");
        } else {
            out.append("#   ZeroMQ CURVE Public Certificate\n");
            out.append("#   Exchange securely, or use a secure mechanism to verify the contents\n");
            out.append("#   of this file after exchange.\n\n");
        }
        out.append("metadata\n");
        metadata.forEach((name, value) -> out.append("    ").append(name).append(" = \"").append(value).append("\"\n"));
        out.append("curve\n");
        out.append("    public-key = \"").append(keys.publicKeyZ85()).append("\"\n");
        if (secret) {
            out.append("    secret-key = \"").append(Z85.encode(keys.secretKey().orElseThrow())).append("\"\n");
        }
        return out.toString();
    }

    /**
     * Writes the public certificate to {@code file} and the secret one to its {@link #secretFileOf
     * twin}, the secret one created readable by its owner only. Refuses to overwrite either.
     *
     * @throws FileAlreadyExistsException if either file exists
     */
    public void writePair(Path file) throws IOException {
        if (!keys.hasSecret()) {
            throw new IllegalStateException("a public key alone has no secret certificate to write");
        }
        Path secretFile = secretFileOf(file);
        if (Files.exists(file) || Files.exists(secretFile)) {
            throw new FileAlreadyExistsException((Files.exists(file) ? file : secretFile)
                    + " exists; refusing to overwrite a key");
        }
        FileAttribute<?>[] ownerOnly = Files.getFileStore(file.toAbsolutePath().getParent())
                .supportsFileAttributeView("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        Files.createFile(secretFile, ownerOnly);
        Files.writeString(secretFile, text(true), StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        Files.writeString(file, publicText(), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
    }

    @Override
    public String toString() {
        return "certificate of " + keys + (metadata.isEmpty() ? "" : " " + metadata);
    }
}
