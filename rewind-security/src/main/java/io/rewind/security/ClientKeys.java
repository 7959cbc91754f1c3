package io.rewind.security;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client public keys a CURVE server accepts, each mapped to the principal it authenticates as:
 * every file whose name ends in {@value #SUFFIX} in one directory is a public certificate
 * ({@link CurveCertificate}) whose metadata names its {@code principal}. Other files are ignored (so
 * a {@code .key_secret} copied in by mistake is never read as a client key; a secret key does not
 * belong on the server at all).
 *
 * <p>{@link #watch} rescans the directory every period ({@link AccessPolicy#DEFAULT_RELOAD_PERIOD},
 * one second, by default): a key whose file was removed is no longer accepted for new connections
 * and, because the server maps every request's key to its principal again, for the requests of
 * connections already open, within one period. At start every file must parse; on a rescan a file
 * that does not is left out (so that key stops working) and logged at ERROR once per content.
 * Thread-safe: the mapping is one immutable map behind a volatile reference.
 */
public final class ClientKeys implements AutoCloseable {

    /** The file name ending of a client public certificate. */
    public static final String SUFFIX = ".key";

    private static final Logger LOG = LoggerFactory.getLogger(ClientKeys.class);

    private final Path directory;
    private volatile Map<String, String> principalByKey;
    private final Set<String> reported = new HashSet<>();
    private ScheduledExecutorService rescanner;

    private ClientKeys(Path directory, Map<String, String> principalByKey) {
        this.directory = directory;
        this.principalByKey = principalByKey;
    }

    /** Fixed keys (Z85 public key → principal), never rescanned; for tests and embedding. */
    public static ClientKeys of(Map<String, String> principalByKey) {
        principalByKey.values().forEach(Principal::requireValidName);
        return new ClientKeys(null, Map.copyOf(principalByKey));
    }

    /**
     * Reads the directory now and rescans it every {@code period} on a daemon thread until {@link #close()}.
     *
     * @throws CertificateFormatException if a key file is malformed, has no principal, or repeats a key
     */
    public static ClientKeys watch(Path directory, Duration period) throws IOException {
        Objects.requireNonNull(directory, "directory");
        if (!Files.isDirectory(directory)) {
            throw new IOException("client keys directory " + directory + " does not exist or is not a directory");
        }
        ClientKeys keys = new ClientKeys(directory, scan(directory, true, null));
        keys.rescanner = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "rewind-client-keys-rescan");
            thread.setDaemon(true);
            return thread;
        });
        keys.rescanner.scheduleWithFixedDelay(keys::rescanQuietly, period.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS);
        return keys;
    }

    private static Map<String, String> scan(Path directory, boolean strict, Set<String> reported) throws IOException {
        Map<String, String> byKey = new HashMap<>();
        Map<Path, CurveCertificate> certificates = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path file : files) {
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                try {
                    CurveCertificate certificate = CurveCertificate.read(file);
                    if (certificate.principal().isEmpty()) {
                        throw new CertificateFormatException(file + ": no '" + CurveCertificate.PRINCIPAL
                                + "' in its metadata section: which principal does this key authenticate as?");
                    }
                    Principal.requireValidName(certificate.principal().get());
                    certificates.put(file, certificate);
                } catch (IOException | IllegalArgumentException e) {
                    if (strict) {
                        throw e instanceof CertificateFormatException c ? c : new CertificateFormatException(
                                file + ": " + e.getMessage());
                    }
                    String report = file + ": " + e.getMessage();
                    if (reported.add(report)) {
                        LOG.error("Client key file left out, that key is not accepted: {}", report);
                    }
                }
            }
        }
        for (Map.Entry<Path, CurveCertificate> entry : certificates.entrySet()) {
            String key = entry.getValue().keys().publicKeyZ85();
            String principal = entry.getValue().principal().orElseThrow();
            String earlier = byKey.putIfAbsent(key, principal);
            if (earlier != null && !earlier.equals(principal)) {
                String report = entry.getKey() + ": the same key is in another file for principal '" + earlier + "'";
                if (strict) {
                    throw new CertificateFormatException(report);
                }
                byKey.remove(key); // ambiguous: accept neither
                if (reported.add(report)) {
                    LOG.error("Client key left out: {}", report);
                }
            }
        }
        return Map.copyOf(byKey);
    }

    /** Rescans the directory now, as the timer does; returns whether the accepted keys changed. */
    public synchronized boolean rescan() throws IOException {
        if (directory == null) {
            return false;
        }
        Map<String, String> scanned = scan(directory, false, reported);
        if (scanned.equals(principalByKey)) {
            return false;
        }
        principalByKey = scanned;
        LOG.info("Client keys in {} rescanned: {} keys accepted", directory, scanned.size());
        return true;
    }

    private void rescanQuietly() {
        try {
            rescan();
        } catch (IOException | RuntimeException e) {
            String report = "client keys directory " + directory + " cannot be read: " + e;
            synchronized (this) {
                if (reported.add(report)) {
                    LOG.error("{}; the keys accepted so far stay", report);
                }
            }
        }
    }

    /** The principal a client public key (Z85) authenticates as now, if it is accepted. */
    public Optional<String> principalOf(String publicKeyZ85) {
        return Optional.ofNullable(principalByKey.get(publicKeyZ85));
    }

    /** How many keys are accepted now. */
    public int size() {
        return principalByKey.size();
    }

    /** The directory read, if any. */
    public Optional<Path> directory() {
        return Optional.ofNullable(directory);
    }

    @Override
    public void close() {
        if (rescanner != null) {
            rescanner.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return directory == null ? principalByKey.size() + " fixed client keys" : "client keys in " + directory;
    }
}
