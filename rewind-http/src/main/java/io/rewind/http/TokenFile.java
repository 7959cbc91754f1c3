package io.rewind.http;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The bearer tokens of the HTTP API, as a text file that holds only their salted hashes.
 *
 * <p>A token is {@code rwt_<id>_<secret>}: {@code id} 12 hex digits that name it (shown by
 * {@code rewind tokens list}, given to {@code revoke}), {@code secret} 32 random bytes from
 * {@link SecureRandom} in base64url. The file keeps one line per token, tab-separated:
 * {@code id, principal, name, created, salt, hash}, where {@code salt} is 16 random bytes and
 * {@code hash} is SHA-256(salt || secret), both base64url. The secret itself is printed once, by
 * {@link #add}, and never stored.
 *
 * <p>Why one SHA-256 and not a slow password hash: a slow hash (PBKDF2, bcrypt) makes guessing a
 * low-entropy password from a stolen hash expensive. A 256-bit random secret cannot be guessed
 * however fast the hash is, so a slow hash would add nothing but CPU on every request (and give a
 * flood of bad tokens a lever). The salt still makes every stored hash unique.
 *
 * <p>The file is written whole to a temporary file, made owner-only ({@code 600}), then renamed
 * over the old one, so a reader sees the old file or the new one. Stateless; concurrent
 * {@code add}/{@code revoke} on one file are not coordinated (the last rename wins).
 */
public final class TokenFile {

    static final String PREFIX = "rwt_";
    private static final int ID_BYTES = 6;
    private static final int SECRET_BYTES = 32;
    private static final int SALT_BYTES = 16;
    private static final String HEADER = "# Rewind HTTP bearer tokens: id, principal, name, created, salt,"
            + " SHA-256(salt || secret); base64url. Written by 'rewind tokens'.";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODER = Base64.getUrlDecoder();

    private TokenFile() {
    }

    /** One stored token: never its secret, only the salt and hash. */
    public record Entry(String id, String principal, String name, Instant created, byte[] salt, byte[] hash) {
        /** Whether {@code secret} is this token's, compared in time independent of where it differs. */
        boolean matches(byte[] secret) {
            return MessageDigest.isEqual(hash, TokenFile.hash(salt, secret));
        }
    }

    /** A token just made: the text to hand to its user (shown once) and what the file keeps. */
    public record Issued(String token, Entry entry) {
    }

    /**
     * Adds a new token for {@code principal}, labelled {@code name}, to {@code file} (created if
     * missing) and returns it; the token text exists only in the returned value.
     */
    public static Issued add(Path file, String name, String principal) {
        checkField(name, "the token name");
        checkField(principal, "the principal");
        List<Entry> entries = Files.exists(file) ? read(file) : new ArrayList<>();
        byte[] idBytes = new byte[ID_BYTES];
        RANDOM.nextBytes(idBytes);
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        String id = HexFormat.of().formatHex(idBytes);
        Entry entry = new Entry(id, principal, name, Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                salt, hash(salt, secret));
        List<Entry> updated = new ArrayList<>(entries);
        updated.add(entry);
        write(file, updated);
        return new Issued(PREFIX + id + "_" + B64.encodeToString(secret), entry);
    }

    /** Removes the token {@code id}; false if the file holds no such token. */
    public static boolean revoke(Path file, String id) {
        List<Entry> entries = read(file);
        List<Entry> kept = entries.stream().filter(entry -> !entry.id().equals(id)).toList();
        if (kept.size() == entries.size()) {
            return false;
        }
        write(file, kept);
        return true;
    }

    /**
     * Reads every entry.
     *
     * @throws SecurityConfigException if the file is missing, readable by others, or a line is malformed (naming it)
     */
    public static List<Entry> read(Path file) {
        SecretFiles.checkPrivate(file, "the token file");
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SecurityConfigException("cannot read the token file " + file + ": " + e.getMessage(), e);
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\t", -1);
            try {
                if (fields.length != 6 || !fields[0].matches("[0-9a-f]{" + 2 * ID_BYTES + "}")) {
                    throw new IllegalArgumentException("expected 6 tab-separated fields starting with a 12-digit id");
                }
                entries.add(new Entry(fields[0], fields[1], fields[2], Instant.parse(fields[3]),
                        B64_DECODER.decode(fields[4]), B64_DECODER.decode(fields[5])));
            } catch (IllegalArgumentException | DateTimeParseException e) {
                throw new SecurityConfigException("the token file " + file + ", line " + (i + 1) + ", is malformed: "
                        + e.getMessage(), e);
            }
        }
        return entries;
    }

    private static void write(Path file, List<Entry> entries) {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (Entry entry : entries) {
            text.append(entry.id()).append('\t').append(entry.principal()).append('\t').append(entry.name()).append('\t')
                    .append(entry.created()).append('\t').append(B64.encodeToString(entry.salt())).append('\t')
                    .append(B64.encodeToString(entry.hash())).append('\n');
        }
        Path directory = file.toAbsolutePath().getParent();
        Path temporary = directory.resolve(file.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(temporary);
            try {
                Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(temporary);
            }
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException e) {
                // Some file systems cannot open a directory; the rename itself is done.
            }
        } catch (IOException e) {
            throw new SecurityConfigException("cannot write the token file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Splits a presented token into its id and secret; empty if it does not have the form of one.
     * Only the form is checked here, never the secret.
     */
    static Optional<Presented> parse(String token) {
        if (token == null || token.length() > 100 || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int cut = PREFIX.length() + 2 * ID_BYTES;
        if (token.length() <= cut + 1 || token.charAt(cut) != '_') {
            return Optional.empty();
        }
        String id = token.substring(PREFIX.length(), cut);
        if (!id.matches("[0-9a-f]+")) {
            return Optional.empty();
        }
        byte[] secret;
        try {
            secret = B64_DECODER.decode(token.substring(cut + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return secret.length == SECRET_BYTES ? Optional.of(new Presented(id, secret)) : Optional.empty();
    }

    /** A token as a client presented it. */
    record Presented(String id, byte[] secret) {
    }

    static byte[] hash(byte[] salt, byte[] secret) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(salt);
            digest.update(secret);
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void checkField(String value, String what) {
        if (value == null || value.isBlank() || value.length() > 200 || value.chars().anyMatch(c -> c < 0x20)) {
            throw new IllegalArgumentException(what + " must be 1 to 200 characters without tabs or line breaks, was '"
                    + value + "'");
        }
    }
}
