package io.rewind.cli;

import io.rewind.security.AccessPolicy;
import io.rewind.security.ClientKeys;
import io.rewind.security.CurveCertificate;
import io.rewind.security.GrantsFileException;
import io.rewind.security.Principal;
import io.rewind.server.ServerConfig;
import io.rewind.server.ServerSecurity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code rewind serve}'s security options make of the ZeroMQ side: the main server's
 * {@link ServerSecurity} (none and loopback only, {@code --insecure}, or CURVE) and the legacy
 * endpoints, each a server of its own served as one principal. Owns the reloading grants file and
 * client keys directory; {@link #close()} stops them. Not thread-safe.
 */
final class ZeroMqSecurity implements AutoCloseable {

    /** One {@code --legacy-endpoint PRINCIPAL=COMMAND[,STREAM[,LEGACY_STREAM]]}. */
    record LegacyEndpoint(String principal, String commandEndpoint, String streamEndpoint, String legacyStreamEndpoint) {

        static LegacyEndpoint parse(String spec, int number) {
            int equals = spec.indexOf('=');
            if (equals <= 0) {
                throw new CliException("--legacy-endpoint '" + spec + "': use PRINCIPAL=COMMAND_ENDPOINT"
                        + "[,STREAM_ENDPOINT[,LEGACY_STREAM_ENDPOINT]]");
            }
            String principal = spec.substring(0, equals);
            try {
                Principal.requireValidName(principal);
            } catch (IllegalArgumentException e) {
                throw new CliException("--legacy-endpoint '" + spec + "': " + e.getMessage(), e);
            }
            String[] endpoints = spec.substring(equals + 1).split(",", -1);
            if (endpoints.length > 3 || endpoints[0].isBlank()) {
                throw new CliException("--legacy-endpoint '" + spec + "': use PRINCIPAL=COMMAND_ENDPOINT"
                        + "[,STREAM_ENDPOINT[,LEGACY_STREAM_ENDPOINT]]");
            }
            // ServerConfig needs a stream endpoint: without one, the PUB listens in-process only.
            String stream = endpoints.length > 1 && !endpoints[1].isBlank() ? endpoints[1]
                    : "inproc://rewind-legacy-endpoint-" + number + "-stream";
            String legacy = endpoints.length > 2 && !endpoints[2].isBlank() ? endpoints[2] : null;
            return new LegacyEndpoint(principal, endpoints[0], stream, legacy);
        }

        /** The main server's settings with this endpoint's sockets. */
        ServerConfig config(ServerConfig main) {
            return ServerConfig.builder().commandEndpoint(commandEndpoint).streamEndpoint(streamEndpoint)
                    .legacyStreamEndpoint(legacyStreamEndpoint).defaultStream(main.defaultStream())
                    .maxEventSize(main.maxEventSize()).build();
        }
    }

    private final ServerSecurity main;
    private final List<LegacyEndpoint> legacyEndpoints;
    private final AccessPolicy policy;
    private final ClientKeys clientKeys;

    private ZeroMqSecurity(ServerSecurity main, List<LegacyEndpoint> legacyEndpoints, AccessPolicy policy,
            ClientKeys clientKeys) {
        this.main = main;
        this.legacyEndpoints = legacyEndpoints;
        this.policy = policy;
        this.clientKeys = clientKeys;
    }

    /**
     * Checks the options together and loads what they name.
     *
     * @throws CliException naming the option at fault
     */
    static ZeroMqSecurity of(boolean insecure, Path serverSecretKey, Path clientsDirectory, Path grants,
            List<String> legacySpecs) {
        return of(insecure, serverSecretKey, clientsDirectory, grants, legacySpecs, false);
    }

    /**
     * As {@link #of(boolean, Path, Path, Path, List)}, {@code httpTokens} telling whether the HTTP
     * endpoint's bearer tokens use the grants file too.
     */
    static ZeroMqSecurity of(boolean insecure, Path serverSecretKey, Path clientsDirectory, Path grants,
            List<String> legacySpecs, boolean httpTokens) {
        boolean curve = serverSecretKey != null || clientsDirectory != null;
        if (curve && (serverSecretKey == null || clientsDirectory == null || grants == null)) {
            throw new CliException("CURVE needs all of --curve-secret-key, --curve-clients and --grants");
        }
        if (insecure && curve) {
            throw new CliException("--insecure and CURVE (--curve-secret-key, --curve-clients) exclude each other");
        }
        if (grants != null && !curve && legacySpecs.isEmpty() && !httpTokens) {
            // A grants file no endpoint uses would protect nothing: say so.
            throw new CliException("--grants applies to CURVE (--curve-secret-key, --curve-clients), to "
                    + "--legacy-endpoint and to the HTTP API's --http-tokens; give one of them");
        }
        if (!legacySpecs.isEmpty() && grants == null) {
            throw new CliException("--legacy-endpoint needs --grants: it names the principal the endpoint serves as");
        }
        List<LegacyEndpoint> legacy = new ArrayList<>();
        for (String spec : legacySpecs) {
            legacy.add(LegacyEndpoint.parse(spec, legacy.size() + 1));
        }
        AccessPolicy policy = null;
        ClientKeys keys = null;
        try {
            if (grants != null) {
                policy = AccessPolicy.watch(grants, AccessPolicy.DEFAULT_RELOAD_PERIOD);
                for (LegacyEndpoint endpoint : legacy) {
                    if (policy.principal(endpoint.principal()).isEmpty()) {
                        throw new CliException("--legacy-endpoint: principal '" + endpoint.principal()
                                + "' is not in the grants file " + grants);
                    }
                }
            }
            ServerSecurity main;
            if (curve) {
                CurveCertificate server = CurveCertificate.readSecret(serverSecretKey, "--curve-secret-key");
                keys = ClientKeys.watch(clientsDirectory, AccessPolicy.DEFAULT_RELOAD_PERIOD);
                main = ServerSecurity.curve(server.keys(), keys, policy);
            } else {
                main = insecure ? ServerSecurity.insecure() : ServerSecurity.none();
            }
            return new ZeroMqSecurity(main, List.copyOf(legacy), policy, keys);
        } catch (IOException | GrantsFileException e) {
            close(policy, keys);
            throw new CliException(e.getMessage(), e);
        } catch (RuntimeException e) {
            close(policy, keys);
            throw e;
        }
    }

    ServerSecurity main() {
        return main;
    }

    List<LegacyEndpoint> legacyEndpoints() {
        return legacyEndpoints;
    }

    /** The security of one legacy endpoint's server: every request as its principal. */
    ServerSecurity of(LegacyEndpoint endpoint) {
        return ServerSecurity.asPrincipal(policy, endpoint.principal());
    }

    /** The grants file's policy, if one is configured (its audit counts the denials). */
    java.util.Optional<AccessPolicy> policy() {
        return java.util.Optional.ofNullable(policy);
    }

    @Override
    public void close() {
        close(policy, clientKeys);
    }

    private static void close(AccessPolicy policy, ClientKeys keys) {
        if (policy != null) {
            policy.close();
        }
        if (keys != null) {
            keys.close();
        }
    }
}
