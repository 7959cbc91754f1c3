package io.rewind.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who exists and what each may do, answered fresh on every call so that a change takes effect on
 * the next request: {@link SecuredEventStore} asks {@link #principal(String)} for every call it
 * checks, by name.
 *
 * <p>A policy read from a {@linkplain GrantsFile grants file} with {@link #watch(Path, Duration)}
 * re-reads the file every period (the default is {@link #DEFAULT_RELOAD_PERIOD}, one second) and,
 * when its bytes changed, swaps in the new principals at once: a grant or principal removed from
 * the file stops working within one period (plus the time to read the file), without a restart.
 * Comparing the content rather than the modification time makes a change within the file system's
 * timestamp granularity count too. A file that no longer parses (or that vanished) is not applied:
 * the policy keeps the last good principals and logs the error, naming the line, at ERROR once per
 * distinct content; {@link #lastReloadError()} says so too. (Applying a broken file would either
 * lock everyone out on a typo or half-apply it; keeping the last good one is what a server that was
 * started with it already does.)
 *
 * <p>Thread-safe: the principals are one immutable map behind a volatile reference.
 */
public final class AccessPolicy implements AutoCloseable {

    /** How often a watched grants file is re-read unless told otherwise. */
    public static final Duration DEFAULT_RELOAD_PERIOD = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(AccessPolicy.class);

    private final Path file;
    private final AccessAudit audit = new AccessAudit();
    private volatile Map<String, Principal> principals;
    private volatile String lastReloadError;
    private byte[] lastContent;
    private ScheduledExecutorService reloader;

    private AccessPolicy(Path file, Map<String, Principal> principals, byte[] content) {
        this.file = file;
        this.principals = principals;
        this.lastContent = content;
    }

    /** A policy of these principals that never changes (for tests, and for a server given them in code). */
    public static AccessPolicy of(Collection<Principal> principals) {
        Map<String, Principal> byName = new LinkedHashMap<>();
        for (Principal principal : principals) {
            if (byName.putIfAbsent(principal.name(), principal) != null) {
                throw new IllegalArgumentException("principal '" + principal.name() + "' is given twice");
            }
        }
        return new AccessPolicy(null, Map.copyOf(byName), null);
    }

    /** {@link #of(Collection)} of these principals. */
    public static AccessPolicy of(Principal... principals) {
        return of(Arrays.asList(principals));
    }

    /**
     * A policy read from {@code file} now, re-read every {@code period} on a daemon thread until
     * {@link #close()}.
     *
     * @throws IOException         if the file cannot be read
     * @throws GrantsFileException if it does not parse (naming the line)
     */
    public static AccessPolicy watch(Path file, Duration period) throws IOException {
        Objects.requireNonNull(file, "grants file");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("the reload period must be positive, not " + period);
        }
        byte[] content = Files.readAllBytes(file);
        AccessPolicy policy = new AccessPolicy(file, GrantsFile.parse(content, file.toString()), content);
        policy.reloader = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "rewind-grants-reload");
            thread.setDaemon(true);
            return thread;
        });
        policy.reloader.scheduleWithFixedDelay(policy::reloadQuietly, period.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS);
        return policy;
    }

    /** The principal of this name as the policy stands now. */
    public Optional<Principal> principal(String name) {
        return Optional.ofNullable(principals.get(name));
    }

    /** The names of every principal now. */
    public Set<String> names() {
        return principals.keySet();
    }

    /** Where the denials of every view over this policy are counted and logged. */
    public AccessAudit audit() {
        return audit;
    }

    /** The file the policy is read from, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** Why the last re-read was not applied, or empty when it was (or nothing was re-read). */
    public Optional<String> lastReloadError() {
        return Optional.ofNullable(lastReloadError);
    }

    /**
     * Re-reads the grants file now and applies it if its content changed; what the timer does every
     * period. Returns whether the principals changed.
     *
     * @throws IOException         if the file cannot be read (the old principals stay)
     * @throws GrantsFileException if it does not parse (the old principals stay)
     */
    public synchronized boolean reload() throws IOException {
        if (file == null) {
            return false;
        }
        byte[] content = Files.readAllBytes(file);
        if (Arrays.equals(content, lastContent)) {
            return false;
        }
        Map<String, Principal> parsed;
        try {
            parsed = GrantsFile.parse(content, file.toString());
        } finally {
            lastContent = content;
        }
        principals = parsed;
        lastReloadError = null;
        LOG.info("Grants file {} reloaded: {} principals", file, parsed.size());
        return true;
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (GrantsFileException e) {
            fail(e.getMessage());
        } catch (NoSuchFileException e) {
            failOnce("grants file " + file + " is missing");
        } catch (IOException | RuntimeException e) {
            failOnce("grants file " + file + " cannot be read: " + e);
        }
    }

    private void fail(String error) {
        // A bad content is reported once: reload() remembered it, and retries only when it changes.
        lastReloadError = error;
        LOG.error("Grants file not applied, the previous grants stay in force: {}", error);
    }

    private void failOnce(String error) {
        if (!error.equals(lastReloadError)) {
            fail(error);
        }
    }

    /** Stops re-reading the file. Idempotent. */
    @Override
    public void close() {
        if (reloader != null) {
            reloader.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return file == null ? "fixed access policy of " + principals.size() + " principals"
                : "access policy from " + file;
    }
}
