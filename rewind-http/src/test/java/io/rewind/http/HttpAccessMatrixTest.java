package io.rewind.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.groups.GroupFilter;
import io.rewind.groups.GroupSettings;
import io.rewind.groups.GroupStart;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route of {@link ApiHandler#routes()} (so a new route cannot escape it) as an anonymous
 * caller, with a wrong token, with the token of a principal the grants file does not know, as a
 * principal without the grant and as one with it: exactly the allowed requests succeed; the
 * others get 401 or 403 (or, for a lookup by id, the 404 of an id that does not exist), store
 * nothing, and reveal nothing: no event data and no name of a stream outside the grant. The
 * consumer-group routes need the admin grant: a denied replay leaves the event parked.
 */
class HttpAccessMatrixTest {

    private static final String SECRET = "INVOICE-SECRET";
    private static final String HIDDEN_STREAM = "invoices-hidden";
    private static final String WRONG_TOKEN = "rwt_0123456789ab_" + "A".repeat(43);

    @TempDir
    static Path temp;
    static SecuredServer http;
    static String invoiceId;
    static String orderId;
    static final String PARKING_GROUP = "matrix-parked";
    static long parkedPosition;

    /**
     * One request to one route, denied to {@code deniedTo} (with {@code deniedStatus}) and allowed
     * to {@code allowedTo}; {@code open} routes are allowed to everyone, without a token.
     */
    record Case(String route, String method, String target, String body, String deniedTo, int deniedStatus,
            String allowedTo) {
    }

    @BeforeAll
    static void start() throws Exception {
        http = new SecuredServer(temp, null);
        orderId = http.store.append("orders-1", ExpectedVersion.any(), json("OrderPlaced", "{\"n\":1}")).events().get(0)
                .id().toString();
        invoiceId = http.store.append("invoices-1", ExpectedVersion.any(),
                json("Invoiced", "{\"secret\":\"" + SECRET + "\"}")).events().get(0).id().toString();
        http.store.append(HIDDEN_STREAM, ExpectedVersion.any(), json("Invoiced", "{\"secret\":\"" + SECRET + "-2\"}"));
        // A group over every stream with one parked event, for the group routes. Its consumer leaves
        // once the event is parked and the state is written: with no consumer, what the cases append
        // stays pending, the checkpoint stays put, and the group writes nothing while a case runs.
        http.groups.create(PARKING_GROUP, GroupSettings.defaults(), GroupFilter.allStreams(),
                GroupStart.after(http.store.headPosition()));
        GroupTestConsumer consumer = GroupTestConsumer.join(http.groups, PARKING_GROUP, "parker", event -> true);
        parkedPosition = http.store.append("orders-parked", ExpectedVersion.any(), json("OrderPlaced", "{\"p\":1}"))
                .events().get(0).position();
        GroupTestConsumer.await(http.groups, PARKING_GROUP, info -> info.parked() == 1, "parked 1");
        consumer.leave();
        http.groups.flush();
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    private static EventData json(String type, String data) {
        return EventData.of(type, data.getBytes(StandardCharsets.UTF_8));
    }

    private static List<Case> cases() {
        String invoiceEvent = "{\"events\":[{\"type\":\"Invoiced\",\"data\":{\"x\":1}}]}";
        String orderEvent = "{\"events\":[{\"type\":\"OrderPlaced\",\"data\":{\"x\":1}}]}";
        List<Case> cases = new ArrayList<>(List.of(
                open("GET /"), open("GET /console/{file}", "/console/app.js"), open("GET /health"),
                open("GET /ready"), open("GET /openapi.json"),
                new Case("GET /api/feeds", "GET", "/api/feeds", null, "orders", 403, "admin"),
                new Case("GET /api/subscriptions", "GET", "/api/subscriptions", null, "orders", 403, "admin"),
                new Case("GET /metrics", "GET", "/metrics", null, "orders", 403, "admin"),
                new Case("GET /api/cluster", "GET", "/api/cluster", null, "orders", 403, "admin"),
                new Case("POST /api/cluster/members", "POST", "/api/cluster/members",
                        "{\"id\":\"n2\",\"address\":\"127.0.0.1:9200\"}", "orders", 403, "admin"),
                new Case("DELETE /api/cluster/members/{id}", "DELETE", "/api/cluster/members/n2", null, "orders", 403,
                        "admin"),
                // Consumer groups: admin only, as the ZeroMQ GROUP command (docs/SECURITY.md).
                new Case("GET /api/groups", "GET", "/api/groups", null, "orders", 403, "admin"),
                new Case("POST /api/groups", "POST", "/api/groups", "{\"name\":\"matrix-new\",\"start\":\"now\"}",
                        "orders", 403, "admin"),
                new Case("GET /api/groups/{group}", "GET", "/api/groups/" + PARKING_GROUP, null, "orders", 403, "admin"),
                new Case("GET /api/groups/{group}/parked", "GET", "/api/groups/" + PARKING_GROUP + "/parked", null,
                        "orders", 403, "admin"),
                new Case("POST /api/groups/{group}/parked/{position}/replay", "POST", "/api/groups/" + PARKING_GROUP
                        + "/parked/" + parkedPosition + "/replay", null, "orders", 403, "admin"),
                new Case("POST /api/groups/{group}/parked/replay", "POST", "/api/groups/" + PARKING_GROUP
                        + "/parked/replay", null, "writer", 403, "admin"),
                new Case("DELETE /api/groups/{group}", "DELETE", "/api/groups/matrix-new", null, "orders", 403, "admin"),
                new Case("GET /api/head", "GET", "/api/head", null, "writer", 403, "orders"),
                new Case("GET /api/position", "GET", "/api/position?time=2026-01-01T00:00:00Z", null, "writer", 403,
                        "orders"),
                new Case("POST /api/append", "POST", "/api/append", "{\"appends\":[{\"stream\":\"invoices-1\","
                        + "\"events\":[{\"type\":\"Invoiced\",\"data\":1}]}]}", "orders", 403, "admin"),
                new Case("POST /api/append", "POST", "/api/append", "{\"appends\":[{\"stream\":\"orders-2\","
                        + "\"events\":[{\"type\":\"OrderPlaced\",\"data\":1}]}],\"checks\":[{\"stream\":\"invoices-1\","
                        + "\"expected_version\":\"any\"}]}", "orders", 403, "admin"),
                new Case("POST /api/append", "POST", "/api/append", "{\"appends\":[{\"stream\":\"orders-2\","
                        + "\"events\":[{\"type\":\"OrderPlaced\",\"data\":1}]}]}", "writer-reads", 0, "writer"),
                new Case("GET /api/feed", "GET", "/api/feed?from=start", null, "orders", 403, "admin"),
                new Case("GET /api/feed", "GET", "/api/feed?from=start&stream=invoices-1", null, "orders", 403, "admin"),
                new Case("GET /api/feed", "GET", "/api/feed?from=start&prefix=inv", null, "orders", 403, "admin"),
                new Case("GET /api/feed", "GET", "/api/feed?from=start&prefix=orders-", null, "writer", 403, "orders"),
                new Case("GET /api/all/events", "GET", "/api/all/events", null, "orders", 403, "admin"),
                new Case("GET /api/events/{id}", "GET", "/api/events/" + invoiceId, null, "orders", 404, "admin"),
                new Case("GET /api/events/{id}", "GET", "/api/events/" + orderId, null, "writer", 404, "orders"),
                new Case("GET /api/streams", "GET", "/api/streams", null, "orders-listing", 0, "admin"),
                new Case("GET /api/streams/{stream}", "GET", "/api/streams/invoices-1", null, "orders", 403, "admin"),
                new Case("GET /api/streams/{stream}", "GET", "/api/streams/orders-1", null, "writer", 403, "orders"),
                new Case("GET /api/streams/{stream}/events", "GET", "/api/streams/invoices-1/events", null, "orders", 403,
                        "admin"),
                new Case("GET /api/streams/{stream}/events", "GET", "/api/streams/orders-1/events", null, "writer", 403,
                        "orders"),
                new Case("POST /api/streams/{stream}/events", "POST", "/api/streams/invoices-1/events", invoiceEvent,
                        "orders", 403, "admin"),
                new Case("POST /api/streams/{stream}/events", "POST", "/api/streams/orders-3/events", orderEvent,
                        "writer-reads", 0, "writer")));
        return cases;
    }

    private static Case open(String route) {
        return open(route, route.substring(route.indexOf(' ') + 1));
    }

    private static Case open(String route, String target) {
        return new Case(route, "GET", target, null, null, 0, null);
    }

    @Test
    void everyRouteIsInTheMatrix() {
        Set<String> routes = new ApiHandler(http.store, HttpConfig.builder().build(), null, new byte[0], null, null, null)
                .routes().stream().map(route -> route.method() + " " + route.template())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> covered = cases().stream().map(Case::route).collect(Collectors.toCollection(TreeSet::new));
        assertThat(covered).isEqualTo(routes);
    }

    @Test
    void exactlyTheAllowedRequestsSucceedAndTheDeniedOnesStoreAndRevealNothing() {
        for (Case c : cases()) {
            if (c.allowedTo() == null) {
                for (String token : new String[] {null, WRONG_TOKEN, http.tokens.get("orders")}) {
                    SecuredServer.Answer answer = http.send(c.method(), c.target(), c.body(), token);
                    assertThat(answer.status()).as(c + " with token " + (token != null)).isEqualTo(200);
                }
                if (c.route().equals("GET /ready")) {
                    SecuredServer.Answer ready = http.send("GET", "/ready", null, null);
                    assertThat(ready.body()).as("an open /ready does not tell the head").doesNotContain("head_position");
                }
                continue;
            }
            unauthenticated(c, null, false);
            unauthenticated(c, WRONG_TOKEN, true);
            unauthenticated(c, "not-even-the-form-of-a-token", true);
            unauthenticated(c, http.tokens.get("ghost"), true);
            denied(c);
            if (c.route().startsWith("POST /api/groups/{group}/parked/{position}")) {
                assertThat(http.groups.describe(PARKING_GROUP).parked()).as("a denied replay replays nothing").isEqualTo(1);
            }
            long head = http.store.headPosition();
            SecuredServer.Answer allowed = http.send(c.method(), c.target(), c.body(), http.tokens.get(c.allowedTo()));
            assertThat(allowed.status()).as(c + " as " + c.allowedTo() + ": " + allowed.body()).isEqualTo(200);
            if (c.method().equals("POST") && !c.route().startsWith("POST /api/cluster") && !c.route().endsWith("/replay")) {
                if (c.route().startsWith("POST /api/groups")) {
                    assertThat(http.store.headPosition()).as("the allowed group change is stored").isGreaterThan(head);
                } else {
                    // Not the parking group's own background write: an event of a user stream.
                    assertThat(storedAfter(head)).as("the allowed append is stored")
                            .anyMatch(e -> !io.rewind.api.SystemStreams.isSystem(e.stream()));
                }
            }
            if (c.route().startsWith("POST /api/groups/{group}/parked")) {
                assertThat(http.groups.describe(PARKING_GROUP).parked()).as("after " + c).isZero();
            }
            if (c.route().startsWith("POST /api/groups") || c.route().startsWith("DELETE /api/groups")) {
                // A replay changes the parked list, which the group writes at its next flush (200 ms
                // later): written now, so that it does not land in the next case's "nothing stored".
                http.groups.flush();
            }
        }
    }

    private static void unauthenticated(Case c, String token, boolean tokenGiven) {
        long head = http.store.headPosition();
        SecuredServer.Answer answer = http.send(c.method(), c.target(), c.body(), token);
        String who = token == null ? "anonymous" : "token " + token;
        assertThat(answer.status()).as(c + " as " + who + ": " + answer.body()).isEqualTo(401);
        assertThat(answer.contentType()).startsWith(Problem.CONTENT_TYPE);
        assertThat(answer.body()).contains("\"code\":\"UNAUTHENTICATED\"");
        assertThat(answer.wwwAuthenticate()).as("WWW-Authenticate of " + c).startsWith("Bearer realm=\"rewind\"");
        if (tokenGiven) {
            assertThat(answer.wwwAuthenticate()).contains("error=\"invalid_token\"");
            assertThat(answer.body()).doesNotContain(token);
        }
        revealsNothing(c, answer, head);
    }

    private static void denied(Case c) {
        long head = http.store.headPosition();
        if (c.deniedTo().equals("orders-listing")) {
            // A listing is not refused: it holds only the streams the principal may read.
            SecuredServer.Answer listing = http.send("GET", "/api/streams", null, http.tokens.get("orders"));
            assertThat(listing.status()).isEqualTo(200);
            assertThat(listing.body()).contains("orders-1").doesNotContain("invoices");
            assertThat(http.send("GET", "/api/streams?prefix=inv", null, http.tokens.get("orders")).body())
                    .isEqualTo("{\"streams\":[],\"next_after\":null}");
            assertThat(http.send("GET", "/api/streams", null, http.tokens.get("writer")).body())
                    .isEqualTo("{\"streams\":[],\"next_after\":null}");
            return;
        }
        if (c.deniedTo().equals("writer-reads")) {
            // The request is allowed to a writer; what is denied to it is reading what it wrote.
            SecuredServer.Answer read = http.send("GET", "/api/streams/orders-1/events", null, http.tokens.get("writer"));
            assertThat(read.status()).isEqualTo(403);
            revealsNothing(c, read, head);
            return;
        }
        SecuredServer.Answer answer = http.send(c.method(), c.target(), c.body(), http.tokens.get(c.deniedTo()));
        assertThat(answer.status()).as(c + " as " + c.deniedTo() + ": " + answer.body()).isEqualTo(c.deniedStatus());
        assertThat(answer.contentType()).startsWith(Problem.CONTENT_TYPE);
        assertThat(answer.body()).contains(c.deniedStatus() == 404 ? "\"code\":\"NOT_FOUND\"" : "\"code\":\"ACCESS_DENIED\"");
        if (c.deniedStatus() == 404) {
            // The same answer as for an id that is not stored at all.
            String unknown = http.send("GET", "/api/events/00000000-0000-0000-0000-000000000000", null,
                    http.tokens.get(c.deniedTo())).body();
            assertThat(answer.body().replaceAll("[0-9a-f-]{36}", "ID")).isEqualTo(unknown.replaceAll("[0-9a-f-]{36}", "ID"));
        }
        revealsNothing(c, answer, head);
    }

    private static void revealsNothing(Case c, SecuredServer.Answer answer, long headBefore) {
        assertThat(answer.body()).as("body of " + c).doesNotContain(SECRET).doesNotContain(HIDDEN_STREAM)
                .doesNotContain("\"n\":1");
        // The parking group writes its own state (checkpoint, parked list) in the background; those
        // are the only events that may appear meanwhile. Anything else was stored by the request
        // (which cannot write '$rewind.' streams at all: the API refuses user appends to them).
        List<io.rewind.api.RecordedEvent> since = storedAfter(headBefore);
        assertThat(since).as("nothing stored by " + c + "; stored since: " + describe(since))
                .allMatch(e -> e.stream().equals("$rewind.checkpoint." + PARKING_GROUP)
                        || e.stream().equals("$rewind.parked." + PARKING_GROUP));
    }

    private static List<io.rewind.api.RecordedEvent> storedAfter(long position) {
        return http.store.readAll(io.rewind.api.ReadOptions.from(position + 1, io.rewind.api.Direction.FORWARD)
                .withMaxEvents(100)).events();
    }

    private static String describe(List<io.rewind.api.RecordedEvent> events) {
        return events.stream().map(e -> e.position() + " " + e.stream() + " " + e.type())
                .collect(Collectors.joining(", "));
    }
}
