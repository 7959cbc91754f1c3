package io.rewind.cli;

import io.rewind.http.HttpAccess;
import io.rewind.http.SecurityConfigException;
import io.rewind.http.TlsConfig;
import io.rewind.http.TokenAuthenticator;
import io.rewind.security.AccessPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The security options of {@code rewind serve} for its HTTP endpoint: TLS (a PEM key and
 * certificate, or a PKCS12 key store) and the bearer token file; and the safe default, that an
 * endpoint on an address other than loopback is served only with both, unless {@code --insecure}
 * (an option of {@code serve} itself, shared with ZeroMQ, as {@code --grants} is).
 * Each can also come from the {@code --config} file under the same name without dashes.
 */
final class HttpSecurityOptions {

    static final Set<String> CONFIG_KEYS = Set.of("http-tls-key", "http-tls-cert", "http-tls-keystore",
            "http-tls-password-file", "http-tokens");

    @Option(names = "--http-tls-key", paramLabel = "FILE",
            description = "Serve HTTPS with this PEM private key (PKCS#8, owner-readable only) and --http-tls-cert.")
    Path tlsKey;

    @Option(names = "--http-tls-cert", paramLabel = "FILE",
            description = "The PEM certificate chain for --http-tls-key, the server's certificate first.")
    Path tlsCertificate;

    @Option(names = "--http-tls-keystore", paramLabel = "FILE",
            description = "Serve HTTPS with the key and certificate of this PKCS12 file (owner-readable only).")
    Path tlsKeyStore;

    @Option(names = "--http-tls-password-file", paramLabel = "FILE",
            description = "The file whose first line is the password of --http-tls-keystore.")
    Path tlsPasswordFile;

    @Option(names = "--http-tokens", paramLabel = "FILE",
            description = "Require a bearer token (made by 'rewind tokens add') on the HTTP API; FILE holds their hashes.")
    Path tokens;

    /** The TLS settings, from the command line or else the file; empty for plain HTTP. */
    Optional<TlsConfig> tls(ConfigFile file) {
        Path key = path(tlsKey, file, "http-tls-key");
        Path certificate = path(tlsCertificate, file, "http-tls-cert");
        Path keyStore = path(tlsKeyStore, file, "http-tls-keystore");
        Path password = path(tlsPasswordFile, file, "http-tls-password-file");
        if (keyStore != null) {
            if (key != null || certificate != null) {
                throw new CliException("--http-tls-keystore: give either it or --http-tls-key and --http-tls-cert,"
                        + " not both");
            }
            if (password == null) {
                throw new CliException("--http-tls-keystore: --http-tls-password-file is needed too");
            }
            return Optional.of(TlsConfig.pkcs12(keyStore, password));
        }
        if (password != null) {
            throw new CliException("--http-tls-password-file: only goes with --http-tls-keystore");
        }
        if ((key == null) != (certificate == null)) {
            throw new CliException(key == null ? "--http-tls-cert: --http-tls-key is needed too"
                    : "--http-tls-key: --http-tls-cert is needed too");
        }
        return key == null ? Optional.empty() : Optional.of(TlsConfig.pem(key, certificate));
    }

    /** The token file, or empty: the HTTP API then asks for no credentials. */
    Optional<Path> tokens(ConfigFile file) {
        return Optional.ofNullable(path(tokens, file, "http-tokens"));
    }

    /**
     * The HTTP API's access check: tokens mapped to the principals of {@code policy} (the one
     * {@code --grants} gives, shared with ZeroMQ); empty when no token file is given (then no
     * credentials are asked).
     */
    Optional<HttpAccess> access(ConfigFile file, Optional<AccessPolicy> policy) {
        Optional<Path> tokenFile = tokens(file);
        if (tokenFile.isEmpty()) {
            return Optional.empty();
        }
        AccessPolicy grants = policy.orElseThrow(() -> new CliException("--http-tokens: --grants FILE is needed"
                + " too, to say what each token's principal may do (docs/SECURITY.md)"));
        try {
            return Optional.of(HttpAccess.of(TokenAuthenticator.open(tokenFile.get()), grants));
        } catch (SecurityConfigException e) {
            throw new CliException("--http-tokens: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses an HTTP endpoint on an address other than loopback unless it has TLS and tokens, or
     * the operator passed {@code --insecure}.
     */
    static void checkSafe(String host, boolean tls, boolean tokens, boolean insecure) {
        if (insecure || (tls && tokens) || isLoopback(host)) {
            return;
        }
        throw new CliException("--http-endpoint " + host + " is not a loopback address and the HTTP API has no "
                + (tls ? "tokens" : tokens ? "TLS" : "TLS nor tokens") + ": give --http-tls-key/--http-tls-cert (or"
                + " --http-tls-keystore) and --http-tokens (docs/SECURITY.md), or --insecure to serve it openly");
    }

    static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static Path path(Path commandLine, ConfigFile file, String key) {
        return commandLine != null ? commandLine : file.get(key).map(Path::of).orElse(null);
    }
}
