package io.rewind.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the {@code Authorization: Bearer} header of a request against a {@link TokenFile}, and
 * follows the file as it changes: at most {@link #RELOAD_INTERVAL} after the file was replaced
 * (by {@code rewind tokens add} or {@code revoke}), requests are checked against the new file, so
 * a revoked token stops working without a restart. A file that becomes unreadable or malformed
 * fails closed: no token is accepted until it is fixed (logged as an error).
 *
 * <p>The secret is compared with {@link java.security.MessageDigest#isEqual} on its salted hash;
 * a token whose id is unknown is hashed all the same, so an answer takes as long whatever is wrong
 * with the token. Tokens are never logged. Thread-safe.
 */
public final class TokenAuthenticator {

    /** How long a change of the token file may take to be seen. */
    public static final Duration RELOAD_INTERVAL = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthenticator.class);
    private static final byte[] NO_SALT = new byte[16];
    private static final byte[] NO_HASH = new byte[32];

    private final Path file;
    private final ReentrantLock reloading = new ReentrantLock();
    private volatile Snapshot snapshot;

    /** The tokens as last read, with the file attributes they were read from. */
    private record Snapshot(Map<String, TokenFile.Entry> byId, Object version, long checkedAt) {
    }

    private TokenAuthenticator(Path file, Snapshot snapshot) {
        this.file = file;
        this.snapshot = snapshot;
    }

    /**
     * Reads {@code file} and follows it from then on.
     *
     * @throws SecurityConfigException if the file is missing, unsafe or malformed now
     */
    public static TokenAuthenticator open(Path file) {
        Objects.requireNonNull(file, "file");
        Object version = version(file);
        return new TokenAuthenticator(file, new Snapshot(index(TokenFile.read(file)), version, System.nanoTime()));
    }

    /** What a request's credentials came to. */
    sealed interface Outcome permits Missing, Invalid, Authenticated {
    }

    /** No {@code Authorization} header, or not a Bearer one. */
    record Missing() implements Outcome {
    }

    /** A Bearer token that is not (or no longer) one of the file's. */
    record Invalid() implements Outcome {
    }

    /** A valid token, for this principal. */
    record Authenticated(String principal) implements Outcome {
    }

    /** Checks an {@code Authorization} header value (null when the request had none). */
    Outcome authenticate(String authorization) {
        if (authorization == null) {
            return new Missing();
        }
        String trimmed = authorization.trim();
        boolean bearer = trimmed.regionMatches(true, 0, "bearer", 0, 6)
                && (trimmed.length() == 6 || Character.isWhitespace(trimmed.charAt(6)));
        if (!bearer) {
            return new Missing();
        }
        Optional<TokenFile.Presented> presented = TokenFile.parse(trimmed.substring(6).trim());
        Snapshot current = current();
        TokenFile.Entry entry = presented.map(p -> current.byId().get(p.id())).orElse(null);
        byte[] secret = presented.map(TokenFile.Presented::secret).orElse(NO_HASH);
        if (entry == null) {
            // Same work as for a known id, so timing does not tell an unknown id from a wrong secret.
            java.security.MessageDigest.isEqual(NO_HASH, TokenFile.hash(NO_SALT, secret));
            return new Invalid();
        }
        return entry.matches(secret) ? new Authenticated(entry.principal()) : new Invalid();
    }

    private Snapshot current() {
        Snapshot current = snapshot;
        long now = System.nanoTime();
        if (now - current.checkedAt() < RELOAD_INTERVAL.toNanos() / 2 || !reloading.tryLock()) {
            return current;
        }
        try {
            current = snapshot;
            Object version;
            try {
                version = version(file);
            } catch (SecurityConfigException e) {
                version = e.getMessage();
            }
            if (version.equals(current.version())) {
                snapshot = new Snapshot(current.byId(), version, now);
            } else {
                snapshot = reload(version, now);
            }
            return snapshot;
        } finally {
            reloading.unlock();
        }
    }

    private Snapshot reload(Object version, long now) {
        try {
            Map<String, TokenFile.Entry> byId = index(TokenFile.read(file));
            LOG.info("token file {} reloaded: {} tokens", file, byId.size());
            return new Snapshot(byId, version, now);
        } catch (SecurityConfigException e) {
            LOG.error("token file {} cannot be used, no token is accepted until it is fixed: {}", file, e.getMessage());
            return new Snapshot(Map.of(), version, now);
        }
    }

    private static Map<String, TokenFile.Entry> index(List<TokenFile.Entry> entries) {
        return entries.stream().collect(Collectors.toUnmodifiableMap(TokenFile.Entry::id, Function.identity(),
                (first, second) -> first));
    }

    /** What tells one version of the file from the next: a rename makes a new file key. */
    private static Object version(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(String.valueOf(attributes.fileKey()), attributes.lastModifiedTime().toMillis(),
                    attributes.size());
        } catch (IOException e) {
            throw new SecurityConfigException("cannot read the token file " + file + ": " + e.getMessage(), e);
        }
    }
}
