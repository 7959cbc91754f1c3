package io.rewind.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rewind.http.ClusterAdmin;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code rewind cluster status|add|remove}: the status and membership of a running cluster,
 * through any node's HTTP API ({@code /api/cluster}, which needs the admin grant when the server
 * asks for tokens). Prints a table, or with {@code --json} the server's JSON on one line.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Show a running cluster's members (role, applied position, lag) and add or remove members,"
                + " through any node's HTTP API (docs/CLUSTER.md).")
final class ClusterCommand {

    /** How long to wait for the server to accept the connection. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long a request may take: an add waits for the new node to catch up (up to 45 s on the server, and the status after). */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(90);
    private static final JsonFactory JSON = new JsonFactory();

    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:9004", scope = ScopeType.INHERIT,
            description = "Any node's HTTP endpoint (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--cacert", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "For an https:// URL: the PEM certificate to trust (the server's, or its CA's).")
    Path caCertificate;

    @Option(names = "--token-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "A file holding the bearer token to send (from 'rewind tokens add', of a principal with the"
                    + " admin grant; not on the command line, where ps would show it).")
    Path tokenFile;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print the server's JSON answer on one line.")
    boolean json;

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Each member's role, Raft address, applied position and index, and lag behind the leader.")
    int status() {
        return print(send("GET", "/api/cluster", null));
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a member, started before with 'rewind serve --node ID --join ...'; returns once the"
                    + " leader has replicated the log to it and committed the new configuration.")
    int add(@Parameters(index = "0", paramLabel = "ID", description = "The new node's id (its --node).") String id,
            @Parameters(index = "1", paramLabel = "HOST:PORT", description = "The new node's Raft address.")
            String address) {
        String body = "{" + field("id", id) + "," + field("address", address) + "}";
        String answer = send("POST", "/api/cluster/members", body);
        spec.commandLine().getErr().printf("node %s added at %s%n", id, address);
        return print(answer);
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a member (the leader hands its leadership over first); stop its process after.")
    int remove(@Parameters(paramLabel = "ID", description = "The member's id.") String id) {
        String answer = send("DELETE", "/api/cluster/members/" + URLEncoder.encode(id, StandardCharsets.UTF_8)
                .replace("+", "%20"), null);
        spec.commandLine().getErr().printf("node %s removed; stop its process (it must not be restarted on its"
                + " directories)%n", id);
        return print(answer);
    }

    private static String field(String name, String value) {
        StringBuilder out = new StringBuilder("\"").append(name).append("\":\"");
        Json.appendEscaped(out, value, true);
        return out.append('"').toString();
    }

    /** Sends one request; returns the body of a 200, or fails with the server's problem detail. */
    private String send(String method, String path, String body) {
        URI target;
        try {
            target = URI.create(url.replaceAll("/+$", "") + path);
        } catch (IllegalArgumentException e) {
            throw new CliException("--url: not a URL: " + e.getMessage(), e);
        }
        if (!"http".equals(target.getScheme()) && !"https".equals(target.getScheme())) {
            throw new CliException("--url: must start with http:// or https://, was " + url);
        }
        HttpClient.Builder clientBuilder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT);
        if (caCertificate != null) {
            clientBuilder.sslContext(trusting(caCertificate));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(REQUEST_TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (tokenFile != null) {
            request.header("Authorization", "Bearer " + token(tokenFile));
        }
        HttpResponse<String> response;
        HttpClient client = clientBuilder.build();
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CliException("cannot reach " + target + ": " + (e.getMessage() == null ? e.toString()
                    : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while waiting for " + target, e);
        }
        if (response.statusCode() != 200) {
            throw new CliException(method + " " + target + ": " + response.statusCode() + " " + detail(response.body()));
        }
        return response.body();
    }

    private static String token(Path file) {
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new CliException("--token-file: " + file + " is empty");
            }
            return token;
        } catch (IOException e) {
            throw new CliException("--token-file: cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The {@code detail} of a problem answer, or the body itself. */
    private static String detail(String body) {
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    parser.nextToken();
                    if (field.equals("detail") && parser.currentToken() == JsonToken.VALUE_STRING) {
                        return parser.getText();
                    }
                    parser.skipChildren();
                }
            }
        } catch (IOException e) {
            // not JSON: the body as it came
        }
        return body.length() <= 300 ? body.strip() : body.substring(0, 300) + "...";
    }

    private int print(String answer) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(answer.strip());
            out.flush();
            return 0;
        }
        ClusterAdmin.View view = parse(answer);
        out.printf("cluster seen from %s: leader %s, term %d%s%n", view.node(), view.leader().orElse("none"),
                view.term(), view.changing() ? " (a membership change is under way)" : "");
        if (view.members().isEmpty()) {
            out.printf("%s holds no configuration: it is not a member yet (started with --join, it waits for"
                    + " 'rewind cluster add %s HOST:PORT' on a member)%n", view.node(), view.node());
            out.flush();
            return 0;
        }
        if (view.member(view.node()).isEmpty()) {
            out.printf("%s is not a member of the configuration it holds: it was removed (stop it) or is being"
                    + " added%n", view.node());
        }
        String format = "%-12s %-10s %-22s %16s %13s %13s %14s  %s";
        out.println(String.format(format, "NODE", "ROLE", "ADDRESS", "APPLIED_POSITION", "APPLIED_INDEX",
                "EVENTS_BEHIND", "ENTRIES_BEHIND", "").stripTrailing());
        for (ClusterAdmin.Member member : view.members()) {
            out.println(String.format(format, member.id(), member.role(), member.address(),
                    figure(member.appliedPosition()), member.error().isPresent() ? "-"
                            : String.valueOf(member.appliedIndex()), figure(member.eventsBehind()),
                    figure(member.entriesBehind()), member.error().orElse("").strip()).stripTrailing());
        }
        out.flush();
        return 0;
    }

    private static String figure(Optional<Long> value) {
        return value.map(String::valueOf).orElse("-");
    }

    /** The status as {@code /api/cluster} writes it. */
    static ClusterAdmin.View parse(String body) {
        try (JsonParser parser = JSON.createParser(body)) {
            expect(parser.nextToken(), JsonToken.START_OBJECT);
            String node = null;
            Optional<String> leader = Optional.empty();
            long term = -1;
            long configurationIndex = -1;
            boolean changing = false;
            List<ClusterAdmin.Member> members = new ArrayList<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "node" -> node = parser.getText();
                    case "leader" -> leader = value == JsonToken.VALUE_NULL ? Optional.empty()
                            : Optional.of(parser.getText());
                    case "term" -> term = parser.getLongValue();
                    case "configuration_index" -> configurationIndex = parser.getLongValue();
                    case "changing" -> changing = parser.getBooleanValue();
                    case "members" -> {
                        expect(value, JsonToken.START_ARRAY);
                        while (parser.nextToken() == JsonToken.START_OBJECT) {
                            members.add(member(parser));
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            return new ClusterAdmin.View(node, leader, term, configurationIndex, changing, members);
        } catch (IOException | RuntimeException e) {
            throw new CliException("the server's answer is not a cluster status: " + e.getMessage(), e);
        }
    }

    private static ClusterAdmin.Member member(JsonParser parser) throws IOException {
        String id = null;
        String address = null;
        String role = null;
        long appliedIndex = -1;
        Optional<Long> appliedPosition = Optional.empty();
        Optional<Long> entriesBehind = Optional.empty();
        Optional<Long> eventsBehind = Optional.empty();
        Optional<String> error = Optional.empty();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            Optional<Long> number = value == JsonToken.VALUE_NUMBER_INT ? Optional.of(parser.getLongValue())
                    : Optional.empty();
            switch (field) {
                case "id" -> id = parser.getText();
                case "address" -> address = parser.getText();
                case "role" -> role = parser.getText();
                case "applied_index" -> appliedIndex = number.orElse(-1L);
                case "applied_position" -> appliedPosition = number;
                case "entries_behind" -> entriesBehind = number;
                case "events_behind" -> eventsBehind = number;
                case "error" -> error = Optional.of(parser.getText());
                default -> parser.skipChildren();
            }
        }
        return new ClusterAdmin.Member(id, address, role, appliedIndex, appliedPosition, entriesBehind, eventsBehind,
                error);
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw new IllegalArgumentException("expected " + expected + ", found " + actual);
        }
    }

    /** An SSL context that trusts exactly the certificates of a PEM file. */
    private static SSLContext trusting(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("trusted-" + i++, certificate);
            }
            if (i == 0) {
                throw new CliException("--cacert: " + pem + " holds no PEM certificate");
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new CliException("--cacert: cannot read " + pem + " as PEM certificates: " + e.getMessage(), e);
        }
    }
}
