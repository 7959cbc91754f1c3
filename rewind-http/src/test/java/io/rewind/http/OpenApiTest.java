package io.rewind.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rewind.api.AppendResult;
import io.rewind.api.ErrorCode;
import io.rewind.api.ExpectedVersion;
import io.rewind.groups.GroupFilter;
import io.rewind.groups.GroupSettings;
import io.rewind.groups.GroupStart;
import io.rewind.testkit.TestEvents;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /openapi.json} as the server serves it describes exactly the routes it answers: every
 * documented operation answers on a running server (not 404 "no route", not 405), and every route
 * of the server is documented.
 */
class OpenApiTest {

    /** Served as `rewind serve` serves it, so that the monitoring routes have something to show. */
    private final HttpFixture http = HttpFixture.metered();

    @AfterEach
    void close() {
        http.close();
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedRouteAnswers() throws Exception {
        HttpFixture.Answer served = http.get("/openapi.json");
        assertThat(served.status()).isEqualTo(200);
        Set<String> documented = operations(served.body());
        Set<String> routes = new ApiHandler(http.store, HttpConfig.builder().build(), null, new byte[0], null, null, null).routes()
                .stream().map(route -> route.method() + " " + route.template()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(documented).as("operations in /openapi.json").isEqualTo(routes);

        AppendResult stored = http.store.append("doc-stream", ExpectedVersion.any(), TestEvents.event("documented"));
        String eventId = stored.events().get(0).id().toString();
        // Groups for the group routes, through the server's real group service: one with a parked
        // event (its consumer parks what it is first given), one to delete.
        http.groups.create("doc-group", GroupSettings.defaults(), GroupFilter.stream("doc-stream"), GroupStart.beginning());
        http.groups.create("doc-delete", GroupSettings.defaults(), GroupFilter.allStreams(), GroupStart.fromNow());
        GroupTestConsumer.join(http.groups, "doc-group", "worker", event -> true);
        GroupTestConsumer.await(http.groups, "doc-group", info -> info.parked() == 1, "with the event parked");
        long parkedPosition = http.groups.parked("doc-group").get(0).position();
        for (String operation : documented) {
            String[] parts = operation.split(" ");
            String target = parts[1].replace("{stream}", "doc-stream").replace("{id}", eventId).replace("{file}", "app.js");
            if (target.equals("/api/position")) {
                target += "?time=2026-01-01T00:00:00Z";
            }
            HttpFixture.Answer answer;
            if (target.startsWith("/api/groups")) {
                // In the set's order: DELETE first (its own group), POST /api/groups creates doc-new,
                // whose empty parked list the replay of all then replays; doc-group's event is replayed alone.
                String group = switch (operation) {
                    case "DELETE /api/groups/{group}" -> "doc-delete";
                    case "POST /api/groups/{group}/parked/replay" -> "doc-new";
                    default -> "doc-group";
                };
                target = target.replace("{group}", group).replace("{position}", Long.toString(parkedPosition));
                answer = !parts[0].equals("POST") ? http.send(parts[0], target, null, null)
                        : http.postJson(target, target.equals("/api/groups") ? "{\"name\":\"doc-new\"}" : "{}");
                assertThat(answer.status()).as(operation + " answered " + answer.body()).isEqualTo(200);
                continue;
            }
            if (target.startsWith("/api/cluster")) {
                // Not a cluster node: the route's own 404 (ClusterHttpTest runs them on one).
                boolean post = parts[0].equals("POST");
                answer = http.send(parts[0], target.replace("{id}", "n1"), post ? "application/json" : null,
                        post ? "{\"id\":\"n2\",\"address\":\"127.0.0.1:9200\"}".getBytes(
                                java.nio.charset.StandardCharsets.UTF_8) : null);
                assertThat(answer.status()).as(operation).isEqualTo(404);
                assertThat(answer.body()).as(operation).contains("this server is not a cluster node");
                continue;
            }
            if (parts[0].equals("POST")) {
                String body = target.equals("/api/append")
                        ? "{\"appends\":[{\"stream\":\"doc-stream\",\"events\":[{\"type\":\"t\",\"data\":1}]}]}"
                        : "{\"events\":[{\"type\":\"t\",\"data\":{\"a\":1}}]}";
                answer = http.postJson(target, body);
            } else if (target.equals("/api/feed")) {
                // A feed never ends by itself: its answer is checked in LiveFeedTest. Here only that
                // the route exists: a bad parameter gets the route's own 400, not a 404.
                answer = http.get(target + "?from=nowhere");
                assertThat(answer.status()).as(operation).isEqualTo(400);
                continue;
            } else {
                answer = http.get(target);
            }
            assertThat(answer.status()).as(operation + " answered " + answer.body()).isEqualTo(200);
        }
    }

    @Test
    void aServerWithoutMonitoringSaysSoOnItsMonitoringRoutes() {
        try (HttpFixture bare = new HttpFixture()) {
            HttpFixture.Answer metrics = bare.get("/metrics");
            assertThat(metrics.status()).isEqualTo(404);
            assertThat(metrics.isProblem()).isTrue();
            assertThat(metrics.body()).contains("started without metrics");
            HttpFixture.Answer subscriptions = bare.get("/api/subscriptions");
            assertThat(subscriptions.status()).isEqualTo(404);
            assertThat(subscriptions.body()).contains("started without the list of subscriptions");
        }
    }

    @Test
    void theProblemCodesDocumentedAreTheStoresErrorCodes() throws IOException {
        String json = http.get("/openapi.json").body();
        int problem = json.indexOf("\"Problem\": {\"type\": \"object\"");
        int codes = json.indexOf("\"enum\": [", json.indexOf("\"code\"", problem));
        String list = json.substring(codes + "\"enum\": [".length(), json.indexOf(']', codes));
        Set<String> documented = Arrays.stream(list.split(",")).map(s -> s.trim().replace("\"", ""))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> codesOfTheStore = Arrays.stream(ErrorCode.values()).map(Enum::name)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(documented).isEqualTo(codesOfTheStore);
    }

    /** "METHOD /path" for every operation under "paths". */
    private static Set<String> operations(String json) throws IOException {
        Set<String> operations = new TreeSet<>();
        try (JsonParser parser = Json.FACTORY.createParser(json)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if (!field.equals("paths")) {
                    parser.skipChildren();
                    continue;
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String path = parser.currentName();
                    parser.nextToken();
                    List<String> methods = new ArrayList<>();
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        methods.add(parser.currentName().toUpperCase(java.util.Locale.ROOT));
                        parser.nextToken();
                        parser.skipChildren();
                    }
                    methods.forEach(method -> operations.add(method + " " + path));
                }
            }
        }
        return operations;
    }
}
