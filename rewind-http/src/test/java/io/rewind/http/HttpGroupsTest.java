package io.rewind.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventStore;
import io.rewind.groups.Delivery;
import io.rewind.groups.GroupInfo;
import io.rewind.groups.GroupService;
import io.rewind.groups.GroupServiceOptions;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer-group routes ({@code /api/groups}) over real sockets, against a real
 * {@link GroupService} on a real store (the log store in a temp directory; the memory store for
 * the bad input): create, list, describe, the parked list and its replay (one and all), a group
 * surviving a restart of store, service and server, deletion under a connected consumer; every
 * bad request refused with the status and a detail naming what was wrong, changing nothing; and a
 * server without groups (a cluster node among them) answering 503 saying so.
 */
class HttpGroupsTest {

    private static final String CREATE_BILLING = "{\"name\": \"billing\","
            + " \"settings\": {\"strategy\": \"pinned-by-stream\", \"max_in_flight\": 5, \"ack_timeout_ms\": 60000,"
            + " \"max_retries\": 3, \"retry_backoff_ms\": 0},"
            + " \"filter\": {\"prefix\": \"orders-\", \"types\": [\"OrderPlaced\", \"OrderPaid\"]},"
            + " \"start\": \"beginning\"}";
    private static final String BILLING_DEFINITION = "{\"name\":\"billing\",\"settings\":{\"strategy\":\"pinned-by-stream\","
            + "\"max_in_flight\":5,\"ack_timeout_ms\":60000,\"max_retries\":3,\"retry_backoff_ms\":0},"
            + "\"filter\":{\"prefix\":\"orders-\",\"types\":[\"OrderPaid\",\"OrderPlaced\"]},\"start_after\":-1,";

    @TempDir
    Path temp;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** A log store, its group service and the HTTP server over both; closed in that order's reverse. */
    private static final class Served implements AutoCloseable {
        final EventStore store;
        final GroupService groups;
        final RewindHttpServer server;

        Served(Path directory) {
            store = LogEventStore.open(LogConfig.builder(directory).build());
            groups = GroupService.open(store, GroupServiceOptions.defaults());
            server = RewindHttpServer.start(HttpConfig.builder().port(0).build(), store, null, null, null, null,
                    Optional.of(groups));
        }

        @Override
        public void close() {
            server.close();
            groups.close();
            store.close();
        }
    }

    private HttpFixture.Answer send(RewindHttpServer server, String method, String target, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.uri() + target))
                .timeout(Duration.ofSeconds(60))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new HttpFixture.Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpFixture.Answer ok(HttpFixture.Answer answer) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.contentType()).startsWith("application/json");
        return answer;
    }

    @Test
    void aGroupIsCreatedListedDescribedItsParkedEventsReplayedAndItIsDeleted() throws Exception {
        Path directory = temp.resolve("log");
        long paidPosition;
        long blobPosition;
        GroupInfo settled;
        try (Served served = new Served(directory)) {
            HttpFixture.Answer created = ok(send(served.server, "POST", "/api/groups", CREATE_BILLING));
            assertThat(created.body()).startsWith(BILLING_DEFINITION)
                    .contains("\"checkpoint\":-1,\"durable_checkpoint\":-1,").contains("\"consumers\":[],\"in_flight\":0,")
                    .endsWith("\"parked\":0}");
            GroupTestConsumer worker = GroupTestConsumer.join(served.groups, "billing", "worker-1",
                    event -> event.type().equals("OrderPaid"));

            ok(send(served.server, "POST", "/api/streams/orders-1/events", "{\"events\": [{\"type\": \"OrderPlaced\","
                    + " \"data\": {\"total\": 12}}, {\"type\": \"OrderPaid\", \"data\": {\"amount\": 12}}]}"));
            ok(send(served.server, "POST", "/api/streams/payments-1/events",
                    "{\"events\": [{\"type\": \"OrderPaid\", \"data\": {}}]}"));
            ok(send(served.server, "POST", "/api/streams/orders-2/events", "{\"events\": [{\"type\": \"OrderPaid\","
                    + " \"data_base64\": \"AAEC\"}]}"));
            long head = served.store.headPosition();
            paidPosition = served.store.readStream("orders-1", io.rewind.api.ReadOptions.from(1,
                    io.rewind.api.Direction.FORWARD)).events().get(0).position();
            blobPosition = served.store.readStream("orders-2", io.rewind.api.ReadOptions.from(0,
                    io.rewind.api.Direction.FORWARD)).events().get(0).position();
            GroupTestConsumer.await(served.groups, "billing", info -> info.parked() == 2 && info.checkpoint() >= head,
                    "with both OrderPaid of orders- parked and everything settled");
            served.groups.flush();
            settled = served.groups.describe("billing");
            String where = "\"checkpoint\":" + settled.checkpoint() + ",\"durable_checkpoint\":" + settled.checkpoint()
                    + ",\"head\":" + settled.head() + ",\"lag\":" + (settled.head() - settled.checkpoint())
                    + ",\"consumers\":[\"worker-1\"],\"in_flight\":0,\"buffered\":0,\"parked\":2}";

            // Listed and described with its lag, consumers, in-flight and parked counts.
            HttpFixture.Answer list = ok(send(served.server, "GET", "/api/groups", null));
            assertThat(list.body()).isEqualTo("{\"head\":" + settled.head() + ",\"groups\":[" + BILLING_DEFINITION + where
                    + "]}");
            assertThat(ok(send(served.server, "GET", "/api/groups/billing", null)).body())
                    .isEqualTo(BILLING_DEFINITION + where);

            // The parked list: position order, the event as the reads show it, data in base64 when asked.
            HttpFixture.Answer parked = ok(send(served.server, "GET", "/api/groups/billing/parked", null));
            assertThat(parked.body()).startsWith("{\"group\":\"billing\",\"total\":2,\"parked\":[{\"position\":"
                    + paidPosition + ",\"attempts\":1,\"reason\":\"" + GroupTestConsumer.REASON + "\",\"event\":{"
                    + "\"stream\":\"orders-1\",\"version\":1,\"position\":" + paidPosition + ",\"id\":\"")
                    .contains("\"type\":\"OrderPaid\"", "\"data\":{\"amount\":12}}},{\"position\":" + blobPosition,
                            "\"stream\":\"orders-2\"", "\"data_base64\":\"AAEC\"}}]")
                    .endsWith(",\"next_after\":null}");
            String amountInBase64 = Base64.getEncoder().encodeToString("{\"amount\":12}".getBytes(StandardCharsets.UTF_8));
            assertThat(ok(send(served.server, "GET", "/api/groups/billing/parked?encoding=base64", null)).body())
                    .contains("\"data_base64\":\"" + amountInBase64 + "\"").doesNotContain("\"data\":");
            HttpFixture.Answer first = ok(send(served.server, "GET", "/api/groups/billing/parked?limit=1", null));
            assertThat(first.body()).contains("\"total\":2").contains("\"stream\":\"orders-1\"")
                    .doesNotContain("orders-2").endsWith(",\"next_after\":" + paidPosition + "}");
            HttpFixture.Answer second = ok(send(served.server, "GET", "/api/groups/billing/parked?limit=1&after="
                    + paidPosition, null));
            assertThat(second.body()).contains("\"stream\":\"orders-2\"").doesNotContain("orders-1")
                    .endsWith(",\"next_after\":null}");

            // Replay one: the consumer gets it again, marked as a replay, acks it, and it leaves the list.
            assertThat(ok(send(served.server, "POST", "/api/groups/billing/parked/" + paidPosition + "/replay", null)).body())
                    .isEqualTo("{\"replayed\":1,\"position\":" + paidPosition + "}");
            GroupTestConsumer.await(served.groups, "billing", info -> info.parked() == 1 && info.inFlight() == 0,
                    "with one event parked after the replay");
            List<Delivery> replays = worker.deliveries.stream().filter(Delivery::replay).toList();
            assertThat(replays).extracting(d -> d.event().position()).containsExactly(paidPosition);
            assertThat(ok(send(served.server, "GET", "/api/groups/billing/parked", null)).body())
                    .contains("\"total\":1").doesNotContain("\"stream\":\"orders-1\"").contains("\"stream\":\"orders-2\"");
            // Replay all: the other one.
            assertThat(ok(send(served.server, "POST", "/api/groups/billing/parked/replay", null)).body())
                    .isEqualTo("{\"replayed\":1}");
            GroupTestConsumer.await(served.groups, "billing", info -> info.parked() == 0 && info.inFlight() == 0,
                    "with nothing parked after the replay of all");
            assertThat(worker.deliveries.stream().filter(Delivery::replay).map(d -> d.event().position()).toList())
                    .containsExactly(paidPosition, blobPosition);
            assertThat(ok(send(served.server, "POST", "/api/groups/billing/parked/replay", null)).body())
                    .isEqualTo("{\"replayed\":0}");
            assertThat(ok(send(served.server, "GET", "/api/groups/billing/parked", null)).body())
                    .isEqualTo("{\"group\":\"billing\",\"total\":0,\"parked\":[],\"next_after\":null}");
            served.groups.flush();
            settled = served.groups.describe("billing");
        }

        // Store, service and server restart: the group created over HTTP is there, with its checkpoint.
        try (Served served = new Served(directory)) {
            HttpFixture.Answer described = ok(send(served.server, "GET", "/api/groups/billing", null));
            assertThat(described.body()).startsWith(BILLING_DEFINITION)
                    .contains("\"checkpoint\":" + settled.checkpoint() + ",\"durable_checkpoint\":" + settled.checkpoint())
                    .endsWith("\"consumers\":[],\"in_flight\":0,\"buffered\":0,\"parked\":0}");

            // Deleted while a consumer is connected: the consumer is told, the group is gone.
            GroupTestConsumer late = GroupTestConsumer.join(served.groups, "billing", "worker-2", event -> false);
            assertThat(ok(send(served.server, "DELETE", "/api/groups/billing", null)).body())
                    .isEqualTo("{\"deleted\":\"billing\"}");
            assertThat(late.closedBecause).isEqualTo("group 'billing' was deleted");
            HttpFixture.Answer gone = send(served.server, "GET", "/api/groups/billing", null);
            assertThat(gone.status()).isEqualTo(404);
            assertThat(gone.isProblem()).isTrue();
            assertThat(gone.body()).contains("\"code\":\"NOT_FOUND\"").contains("there is no group named 'billing'");
            assertThat(ok(send(served.server, "GET", "/api/groups", null)).body())
                    .isEqualTo("{\"head\":" + served.store.headPosition() + ",\"groups\":[]}");
        }
    }

    @Test
    void everyBadRequestIsRefusedNamingWhatIsWrongAndChangesNothing() {
        try (HttpFixture http = HttpFixture.metered()) {
            ok(http.postJson("/api/groups", "{\"name\": \"existing\"}"));
            long head = http.store.headPosition();

            refused(http, http.postJson("/api/groups", "{\"name\": \"existing\", \"start\": \"now\"}"), 409, "BAD_REQUEST",
                    "group 'existing' already exists");
            assertThat(http.postJson("/api/groups", "{\"name\": \"existing\"}").body()).contains("\"title\":\"Conflict\"");
            for (HttpFixture.Answer unknown : new HttpFixture.Answer[] {http.get("/api/groups/ghost"),
                    http.send("DELETE", "/api/groups/ghost", null, null), http.get("/api/groups/ghost/parked"),
                    http.postJson("/api/groups/ghost/parked/replay", "{}"),
                    http.postJson("/api/groups/ghost/parked/3/replay", "{}")}) {
                refused(http, unknown, 404, "NOT_FOUND", "there is no group named 'ghost'; groups: [existing]");
            }
            refused(http, http.send("POST", "/api/groups/existing/parked/7/replay", null, null), 404, "NOT_FOUND",
                    "group 'existing' has no parked event at position 7 (its parked list is empty)");
            refused(http, http.send("POST", "/api/groups/existing/parked/seven/replay", null, null), 400, "BAD_REQUEST",
                    "position: not a whole number, was 'seven'");

            String[][] bodies = {
                {"{\"name\": \"g\", \"settings\": {\"max_in_flight\": 0}}",
                    "settings.max_in_flight: group setting max in flight per consumer must be 1 to 10000, was 0"},
                {"{\"name\": \"g\", \"settings\": {\"max_in_flight\": \"ten\"}}",
                    "settings.max_in_flight: must be a whole number, was 'ten'"},
                {"{\"name\": \"g\", \"settings\": {\"max_in_flight\": 99999999999}}",
                    "settings.max_in_flight: out of range: 99999999999"},
                {"{\"name\": \"g\", \"settings\": {\"ack_timeout_ms\": 0}}",
                    "settings.ack_timeout_ms: group setting ack timeout must be 1 ms to 1 day, was PT0S"},
                {"{\"name\": \"g\", \"settings\": {\"max_retries\": -1}}",
                    "settings.max_retries: group setting max retries must be 0 to 1000, was -1"},
                {"{\"name\": \"g\", \"settings\": {\"retry_backoff_ms\": 1.5}}",
                    "settings.retry_backoff_ms: must be a whole number, was the number 1.5"},
                {"{\"name\": \"g\", \"settings\": {\"strategy\": \"fastest\"}}",
                    "settings.strategy: use \\\"round-robin\\\" or \\\"pinned-by-stream\\\", was 'fastest'"},
                {"{\"name\": \"g\", \"settings\": {\"max_inflight\": 3}}",
                    "settings.max_inflight: unknown field (known: strategy, max_in_flight, ack_timeout_ms, max_retries,"
                        + " retry_backoff_ms)"},
                {"{\"name\": \"g\", \"settings\": []}", "settings: must be an object, was an array"},
                {"{\"name\": \"g\", \"filter\": {\"stream\": \"a\", \"prefix\": \"b\"}}",
                    "filter: stream and prefix exclude each other"},
                {"{\"name\": \"g\", \"filter\": {\"stream\": \"$rewind.group.existing\"}}",
                    "filter.stream: a group cannot follow the reserved system streams ('$rewind.group.existing')"},
                {"{\"name\": \"g\", \"filter\": {\"prefix\": \"\"}}",
                    "filter.prefix: a group's stream prefix must not be empty (use every stream instead)"},
                {"{\"name\": \"g\", \"filter\": {\"types\": \"OrderPaid\"}}",
                    "filter.types: must be an array of strings, was 'OrderPaid'"},
                {"{\"name\": \"g\", \"filter\": {\"types\": [1]}}", "filter.types[0]: must be a string, was the number 1"},
                {"{\"name\": \"g\", \"filter\": {\"colour\": \"red\"}}",
                    "filter.colour: unknown field (known: stream, prefix, types)"},
                {"{\"name\": \"g\", \"start\": \"yesterday\"}",
                    "start: use \\\"beginning\\\", \\\"now\\\" or a position to start after, was 'yesterday'"},
                {"{\"name\": \"g\", \"start\": -2}", "start: a position is -1 (the beginning) or more, was -2"},
                {"{\"name\": \"a b\"}", "name: a group name must be 1 to 100 characters of A-Z, a-z, 0-9, '.', '_' or"
                        + " '-', was 'a b'"},
                {"{\"name\": 7}", "name: must be a string, was the number 7"},
                {"{\"settings\": {}}", "name: missing"},
                {"{\"name\": \"g\", \"owner\": \"me\"}", "owner: unknown field (known: name, settings, filter, start)"},
                {"[1]", "the body: must be an object, was an array"},
                {"{\"name\": \"g\"", "malformed JSON at line 1"},
                {"{\"name\": \"g\"} {}", "the body holds more than one JSON value"},
            };
            for (String[] body : bodies) {
                refused(http, http.postJson("/api/groups", body[0]), 400, "BAD_REQUEST", body[1]);
            }
            refused(http, http.send("POST", "/api/groups", "text/plain", "name=g".getBytes(StandardCharsets.UTF_8)), 415,
                    "BAD_REQUEST", "Content-Type must be application/json, was text/plain");
            refused(http, http.get("/api/groups/existing/parked?limit=0"), 400, "BAD_REQUEST",
                    "limit: must be 1 to 10000, was 0");
            refused(http, http.get("/api/groups/existing/parked?encoding=hex"), 400, "BAD_REQUEST",
                    "encoding: use auto or base64, was 'hex'");
            refused(http, http.get("/api/groups?name=existing"), 400, "BAD_REQUEST",
                    "name: unknown query parameter (known: none)");
            refused(http, http.send("PUT", "/api/groups/existing", "application/json", "{}".getBytes(StandardCharsets.UTF_8)),
                    405, "BAD_REQUEST", "PUT is not allowed on /api/groups/existing (allowed: GET, DELETE)");

            assertThat(http.groups.list()).as("no group was created, none deleted").containsExactly("existing");
            assertThat(http.store.headPosition()).as("nothing was written").isEqualTo(head);
            assertThat(ok(http.get("/api/groups")).body()).contains("\"name\":\"existing\"");
        }
    }

    /**
     * Mangled create bodies (cut, bytes flipped, noise, fields swapped for wrong types) and random
     * group routes: every answer is 200 or a 4xx problem, never a 5xx; exactly the groups answered
     * 200 exist afterwards.
     */
    @Test
    void randomCreateBodiesAndGroupRoutesGetA200OrA4xxProblemAndCreateOnlyWhatWasAnswered() {
        String[] values = {"\"round-robin\"", "\"pinned-by-stream\"", "0", "-1", "1", "10001", "99999999999999999999",
            "1.5", "null", "true", "[]", "{}", "\"\"", "\"$rewind.x\"", "\"now\"", "\"beginning\"", "\"a b\""};
        String[] fields = {"strategy", "max_in_flight", "ack_timeout_ms", "max_retries", "retry_backoff_ms"};
        java.util.Random random = new java.util.Random(20261202L);
        java.util.Set<String> created = new java.util.TreeSet<>();
        List<String> serverErrors = new java.util.ArrayList<>();
        try (HttpFixture http = HttpFixture.metered()) {
            for (int i = 0; i < 1500; i++) {
                String name = "g" + random.nextInt(40);
                // Each part present or not, so that some bodies are valid.
                String body = "{\"name\": \"" + name + "\""
                        + (random.nextBoolean() ? "" : ", \"settings\": {\"" + fields[random.nextInt(fields.length)]
                                + "\": " + values[random.nextInt(values.length)] + "}")
                        + (random.nextBoolean() ? "" : ", \"filter\": {\"" + (random.nextBoolean() ? "prefix" : "stream")
                                + "\": " + (random.nextBoolean() ? "\"orders-\"" : values[random.nextInt(values.length)]) + "}")
                        + (random.nextBoolean() ? "" : ", \"start\": " + values[random.nextInt(values.length)]) + "}";
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                switch (random.nextInt(5)) {
                    case 0 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
                    case 1 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                    case 2 -> {
                        bytes = new byte[random.nextInt(200)];
                        random.nextBytes(bytes);
                    }
                    default -> {
                    }
                }
                HttpFixture.Answer answer = switch (random.nextInt(6)) {
                    case 0 -> http.get("/api/groups/" + name + "/parked?limit="
                            + java.net.URLEncoder.encode(values[random.nextInt(values.length)], StandardCharsets.UTF_8));
                    case 1 -> http.send("POST", "/api/groups/" + name + "/parked/" + random.nextInt(3) + "/replay", null, null);
                    case 2 -> http.send("DELETE", "/api/groups/" + name, null, null);
                    default -> http.send("POST", "/api/groups", "application/json", bytes);
                };
                if (answer.status() >= 500) {
                    serverErrors.add(answer.status() + " " + answer.body());
                } else if (answer.status() >= 400) {
                    assertThat(answer.isProblem()).as(answer.status() + " " + answer.body()).isTrue();
                } else {
                    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
                    // The name the server answered: a flipped byte may have changed the one sent.
                    java.util.regex.Matcher named = java.util.regex.Pattern.compile("^\\{\"(name|deleted)\":\"([^\"]*)\"")
                            .matcher(answer.body());
                    if (named.find()) {
                        if (named.group(1).equals("deleted")) {
                            created.remove(named.group(2));
                        } else {
                            created.add(named.group(2));
                        }
                    }
                }
            }
            assertThat(serverErrors).isEmpty();
            assertThat(created).as("some creates were valid, so the fuzz reached the service").isNotEmpty();
            assertThat(http.groups.list()).containsExactlyElementsOf(created);
            assertThat(http.get("/health").status()).isEqualTo(200);
        }
    }

    private static void refused(HttpFixture http, HttpFixture.Answer answer, int status, String code, String detail) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.isProblem()).as("content type " + answer.contentType()).isTrue();
        assertThat(answer.body()).contains("\"code\":\"" + code + "\"").contains(detail);
        assertThat(http.get("/health").status()).as("still serving").isEqualTo(200);
    }

    private static HttpFixture.Answer[] everyGroupRoute(HttpFixture http) {
        return new HttpFixture.Answer[] {http.get("/api/groups"), http.postJson("/api/groups", "{\"name\": \"g\"}"),
            http.get("/api/groups/g"), http.send("DELETE", "/api/groups/g", null, null), http.get("/api/groups/g/parked"),
            http.postJson("/api/groups/g/parked/replay", "{}"), http.postJson("/api/groups/g/parked/1/replay", "{}")};
    }

    @Test
    void aServerWithoutGroupsAnswers503SayingWhy() {
        try (HttpFixture plain = new HttpFixture(); HttpFixture node = new HttpFixture(new FixedClusterAdmin())) {
            for (HttpFixture http : List.of(plain, node)) {
                for (HttpFixture.Answer answer : everyGroupRoute(http)) {
                    refused(http, answer, 503, "UNAVAILABLE", "this server was started without consumer groups");
                    assertThat(answer.body()).contains("\"title\":\"Groups not served\"");
                }
                assertThat(http.store.headPosition()).as("nothing written").isEqualTo(-1);
            }
        }
    }

    /**
     * A cluster node's groups are asked for at every request: a follower's refusal is a 503 naming
     * the leader (null during an election), and once the node leads the same routes serve.
     */
    @Test
    void aClusterNodeThatDoesNotLeadAnswers503NamingTheLeaderAndServesOnceItLeads() {
        java.util.concurrent.atomic.AtomicReference<GroupService> leading = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<String> leader = new java.util.concurrent.atomic.AtomicReference<>("n1");
        ServedGroups served = () -> {
            GroupService now = leading.get();
            if (now == null) {
                throw new io.rewind.api.NotLeaderException("cluster node 'n2' is not the cluster's leader: consumer"
                        + " groups run on the leader only", leader.get());
            }
            return now;
        };
        try (HttpFixture node = new HttpFixture(new FixedClusterAdmin(), served)) {
            for (HttpFixture.Answer answer : everyGroupRoute(node)) {
                refused(node, answer, 503, "UNAVAILABLE", "cluster node 'n2' is not the cluster's leader");
                assertThat(answer.body()).contains("\"leader\":\"n1\"");
            }
            leader.set(null);
            HttpFixture.Answer electing = node.get("/api/groups");
            refused(node, electing, 503, "UNAVAILABLE", "not the cluster's leader");
            assertThat(electing.body()).contains("\"leader\":null");
            assertThat(node.store.headPosition()).as("nothing written").isEqualTo(-1);

            try (GroupService service = GroupService.open(node.store, GroupServiceOptions.defaults())) {
                leading.set(service);
                HttpFixture.Answer created = node.postJson("/api/groups", "{\"name\": \"billing\"}");
                assertThat(created.status()).as(created.body()).isEqualTo(200);
                assertThat(node.get("/api/groups").body()).contains("\"name\":\"billing\"");
                assertThat(service.list()).containsExactly("billing");
                leading.set(null);
                assertThat(node.get("/api/groups/billing").status()).as("stepped down").isEqualTo(503);
            }
        }
    }
}
