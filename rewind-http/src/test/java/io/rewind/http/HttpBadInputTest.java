package io.rewind.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.testkit.TestEvents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input on every route gets a clear 4xx problem naming what was wrong; nothing is stored or
 * changed, and the server keeps serving.
 */
class HttpBadInputTest {

    private HttpFixture http;

    @BeforeEach
    void start() {
        http = new HttpFixture(HttpConfig.builder().port(0).maxRequestBytes(64 * 1024).maxEventBytes(1024).build());
        http.store.append("existing", ExpectedVersion.any(), TestEvents.event("kept"));
    }

    @AfterEach
    void stop() {
        http.close();
    }

    private void assertRefused(HttpFixture.Answer answer, int status, String code, String detail) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.isProblem()).as("content type " + answer.contentType()).isTrue();
        assertThat(answer.body()).contains("\"code\":\"" + code + "\"").contains(detail);
        assertThat(http.store.headPosition()).as("nothing stored").isZero();
        assertThat(http.store.readAll(0, Direction.FORWARD, 10)).hasSize(1);
        assertThat(http.get("/health").status()).as("still serving").isEqualTo(200);
    }

    @Test
    void theReservedSystemStreamsCannotBeWrittenAndAreListedOnlyWhenAskedFor() {
        String event = "{\"events\": [{\"type\": \"Forged\", \"data\": 1}]}";
        assertRefused(http.postJson("/api/streams/%24rewind.checkpoint.orders/events", event), 400, "BAD_REQUEST",
                "stream '$rewind.checkpoint.orders' is reserved");
        assertRefused(http.send("POST", "/api/streams/%24rewind.group.orders/events", "application/octet-stream",
                new byte[] {1, 2}, "Rewind-Event-Type", "Forged"), 400, "BAD_REQUEST",
                "stream '$rewind.group.orders' is reserved");
        assertRefused(http.postJson("/api/append", "{\"appends\": [{\"stream\": \"orders-1\", \"events\": "
                + "[{\"type\": \"t\", \"data\": 1}]}], \"checks\": [{\"stream\": \"$rewind.parked.orders\", "
                + "\"expected_version\": \"any\"}]}"), 400, "BAD_REQUEST", "stream '$rewind.parked.orders' is reserved");

        // The group service writes them through the store itself; users' listings leave them out.
        http.store.append("$rewind.group.orders", ExpectedVersion.any(), TestEvents.event("Defined"));
        assertThat(http.get("/api/streams").body()).contains("\"existing\"").doesNotContain("$rewind.");
        assertThat(http.get("/api/streams?prefix=%24rewind.").body()).contains("\"$rewind.group.orders\"");
    }

    @Test
    void malformedJsonIsRefusedWithWhereItBroke() {
        assertRefused(http.postJson("/api/streams/s/events", "{\"events\": [{\"type\": \"t\", \"data\": }]}"),
                400, "BAD_REQUEST", "malformed JSON at line 1, column");
        assertRefused(http.postJson("/api/streams/s/events", ""), 400, "BAD_REQUEST", "the body: must be an object, was nothing");
        assertRefused(http.postJson("/api/streams/s/events", "{\"events\": []} {}"), 400, "BAD_REQUEST",
                "more than one JSON value");
        assertRefused(http.postJson("/api/streams/s/events", "{\"events\": [], \"events\": []}"), 400, "BAD_REQUEST",
                "Duplicate field 'events'");
        assertRefused(http.postJson("/api/streams/s/events", "{\"events\": [{\"type\": \"t\", \"data\": "
                + "[".repeat(500)), 400, "BAD_REQUEST", "JSON limit");
    }

    @Test
    void everyBadFieldIsNamedByItsPath() {
        assertRefused(http.postJson("/api/streams/s/events", "{\"evnts\": []}"), 400, "BAD_REQUEST",
                "evnts: unknown field (known: expected_version, events)");
        assertRefused(http.postJson("/api/streams/s/events", "{\"events\": [{\"data\": 1}]}"), 400, "BAD_REQUEST",
                "events[0].type: missing");
        assertRefused(http.postJson("/api/streams/s/events", "{\"events\": [{\"type\": \"t\"}]}"), 400, "BAD_REQUEST",
                "events[0].data: missing");
        assertRefused(http.postJson("/api/streams/s/events", "{\"events\": [{\"type\": 7, \"data\": 1}]}"), 400,
                "BAD_REQUEST", "events[0].type: must be a string, was the number 7");
        assertRefused(http.postJson("/api/streams/s/events",
                "{\"events\": [{\"type\": \"t\", \"data\": 1}, {\"type\": \"t\", \"id\": \"nope\", \"data\": 1}]}"),
                400, "BAD_REQUEST", "events[1].id: not a UUID");
        assertRefused(http.postJson("/api/streams/s/events",
                "{\"events\": [{\"type\": \"t\", \"data_base64\": \"***\"}]}"), 400, "BAD_REQUEST",
                "events[0].data_base64: not standard base64");
        assertRefused(http.postJson("/api/streams/s/events",
                "{\"events\": [{\"type\": \"t\", \"data\": 1, \"data_base64\": \"AA==\"}]}"), 400, "BAD_REQUEST",
                "events[0].data: given twice");
        assertRefused(http.postJson("/api/streams/s/events", "{\"expected_version\": -3, \"events\": []}"), 400,
                "BAD_REQUEST", "expected_version: a version is >= 0, was -3");
        assertRefused(http.postJson("/api/streams/s/events",
                "{\"expected_version\": 99999999999999999999999, \"events\": []}"), 400, "BAD_REQUEST",
                "expected_version: version out of range");
        assertRefused(http.postJson("/api/streams/s/events", "{\"expected_version\": \"maybe\", \"events\": []}"), 400,
                "BAD_REQUEST", "expected_version: use \\\"any\\\"");
        assertRefused(http.postJson("/api/append", "{\"appends\": [{\"events\": []}]}"), 400, "BAD_REQUEST",
                "appends[0].stream: missing");
        assertRefused(http.postJson("/api/append", "{\"checks\": [{\"stream\": \"c\", \"events\": []}]}"), 400,
                "BAD_REQUEST", "checks[0].events: a check writes no events");
    }

    @Test
    void theStoresOwnRefusalsKeepTheirMessageAndCode() {
        assertRefused(http.postJson("/api/streams/s/events", "{\"events\": []}"), 400, "BAD_REQUEST",
                "an append must carry at least one event");
        String big = "\"" + "x".repeat(2000) + "\"";
        assertRefused(http.postJson("/api/streams/s/events", "{\"events\": [{\"type\": \"t\", \"data\": " + big + "}]}"),
                413, "TOO_LARGE", "1024");
        assertRefused(http.postJson("/api/streams/existing/events",
                "{\"expected_version\": \"no-stream\", \"events\": [{\"type\": \"t\", \"data\": 1}]}"), 409,
                "WRONG_EXPECTED_VERSION", "\"actual_version\":0");
        assertRefused(http.get("/api/streams/" + "x".repeat(256)), 400, "BAD_REQUEST",
                "stream name is 256 bytes of UTF-8, the limit is 255");
    }

    @Test
    void wrongMediaTypesAndHugeBodiesAreRefused() {
        assertRefused(http.send("POST", "/api/streams/s/events", "text/plain", "{}".getBytes(StandardCharsets.UTF_8)),
                415, "BAD_REQUEST", "Content-Type must be application/json or application/octet-stream, was text/plain");
        assertRefused(http.send("POST", "/api/append", null, "{}".getBytes(StandardCharsets.UTF_8)), 415, "BAD_REQUEST",
                "none was given");
        byte[] huge = new byte[200 * 1024];
        assertRefused(http.send("POST", "/api/streams/s/events", "application/octet-stream", huge), 413, "TOO_LARGE",
                "the limit is 65536");
        assertRefused(http.send("POST", "/api/streams/s/events", "application/octet-stream", new byte[10],
                "Rewind-Event-Id", "not-a-uuid"), 400, "BAD_REQUEST", "Rewind-Event-Id: not a UUID");
        assertRefused(http.send("POST", "/api/streams/s/events", "application/octet-stream", new byte[10],
                "Rewind-Expected-Version", "-1"), 400, "BAD_REQUEST", "Rewind-Expected-Version");
        HttpFixture.Answer headers = http.send("GET", "/api/head", null, null, "X-Huge", "h".repeat(32 * 1024));
        assertThat(headers.status()).isEqualTo(431);
        assertThat(headers.isProblem()).as(headers.contentType()).isTrue();
        assertThat(http.get("/health").status()).isEqualTo(200);
    }

    @Test
    void badParametersAndPathsAreRefused() {
        assertRefused(http.get("/api/all/events?limit=0"), 400, "BAD_REQUEST", "limit");
        assertRefused(http.get("/api/all/events?limit=99999999999999"), 400, "BAD_REQUEST", "limit");
        assertRefused(http.get("/api/all/events?from=-5"), 400, "BAD_REQUEST", "");
        assertRefused(http.get("/api/all/events?from=abc"), 400, "BAD_REQUEST", "from: not a whole number, was 'abc'");
        assertRefused(http.get("/api/all/events?from=99999999999999999999"), 400, "BAD_REQUEST", "from: not a whole number");
        assertRefused(http.get("/api/all/events?direction=sideways"), 400, "BAD_REQUEST", "direction: use forward or backward");
        assertRefused(http.get("/api/all/events?colour=red"), 400, "BAD_REQUEST", "colour: unknown query parameter");
        assertRefused(http.get("/api/subscriptions?colour=red"), 400, "BAD_REQUEST",
                "colour: unknown query parameter (known: none)");
        assertRefused(http.get("/api/all/events?limit=1&limit=2"), 400, "BAD_REQUEST", "limit: given twice");
        assertRefused(http.get("/api/all/events?consistency=strong"), 400, "BAD_REQUEST",
                "consistency: must be leader (or absent), was 'strong'");
        assertRefused(http.get("/api/streams/s/events?consistency="), 400, "BAD_REQUEST", "consistency: must be leader");
        assertRefused(http.get("/api/streams/%ED%A0%80/events"), 400, "BAD_REQUEST", "UTF-8");
        assertRefused(http.get("/api/events/not-a-uuid"), 400, "BAD_REQUEST", "event id: not a UUID");
        assertRefused(http.get("/api/position"), 400, "BAD_REQUEST", "time: missing");
        assertRefused(http.get("/api/position?time=yesterday"), 400, "BAD_REQUEST", "time: not an ISO-8601 instant");
        assertRefused(http.get("/api/feed?from=-2"), 400, "BAD_REQUEST", "from: start, end or a position >= 0");
        assertRefused(http.send("GET", "/api/feed", null, null, "Last-Event-ID", "x"), 400, "BAD_REQUEST",
                "Last-Event-ID");
    }

    @Test
    void aReadWithLeaderConsistencyIsAnsweredLikeAnyOtherOnASingleStore() {
        assertThat(http.get("/api/all/events?consistency=leader").status()).isEqualTo(200);
        assertThat(http.get("/api/streams/s/events?consistency=leader").status()).isEqualTo(200);
    }

    @Test
    void unknownRoutesAndMethodsAreRefused() {
        assertRefused(http.get("/nowhere"), 404, "NOT_FOUND", "no route /nowhere");
        assertRefused(http.get("/api/streams/s/elsewhere"), 404, "NOT_FOUND", "no route");
        HttpFixture.Answer delete = http.send("DELETE", "/api/streams/s/events", null, null);
        assertRefused(delete, 405, "BAD_REQUEST", "DELETE is not allowed");
        assertThat(delete.body()).contains("allowed: GET, POST");
        assertRefused(http.send("PUT", "/api/head", null, null), 405, "BAD_REQUEST", "allowed: GET");
    }

    @Test
    void aStreamNameWithSlashesDotsAndSpacesTravelsInOneSegment() {
        for (String name : new String[] {"a/b", "..", ".", "with space", "tab\there", "100%"}) {
            HttpFixture.Answer appended = http.postJson("/api/streams/" + HttpEventStore.segment(name) + "/events",
                    "{\"events\": [{\"type\": \"t\", \"data\": {\"n\": 1}}]}");
            assertThat(appended.status()).as(name + ": " + appended.body()).isEqualTo(200);
            assertThat(http.store.streamInfo(name)).as(name).isPresent();
            assertThat(http.store.readStream(name, 0, Direction.FORWARD, 1).get(0).data())
                    .isEqualTo("{\"n\":1}".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(http.store.headPosition()).isEqualTo(6);
        assertThat(EventStore.END).isPositive();
    }

    /**
     * A request whose body the server refuses before reading it (the HttpFuzzTest failure: a bad
     * query escape on a POST) must say {@code Connection: close}: the server discards the rest of
     * the body and may close the connection, and a client that reused it would lose its next request.
     * The body is never sent here, so the server cannot have read it whatever the timing.
     */
    @Test
    void aRequestRefusedBeforeItsBodyArrivedIsAnsweredWithConnectionClose() throws IOException {
        String[][] requests = {
            {"POST", "/api/all/events?direction=%FF", "400"},
            {"POST", "/api/streams/s/events?x=1", "400"},
            {"POST", "/api/head", "405"},
            {"POST", "/api/nowhere", "404"},
            {"GET", "/api/streams/s/events?direction=%FF", "400"},
        };
        for (String[] request : requests) {
            String head = rawHeadWithoutTheBody(request[0], request[1], 334);
            assertThat(head).as(request[0] + " " + request[1]).startsWith("HTTP/1.1 " + request[2] + " ");
            assertThat(head.toLowerCase(Locale.ROOT)).as(request[0] + " " + request[1] + ": " + head)
                    .contains("\r\nconnection: close\r\n");
        }
        assertThat(http.store.headPosition()).as("nothing stored").isZero();
        assertThat(http.get("/health").status()).as("still serving").isEqualTo(200);
    }

    /** Sends a request line and headers announcing {@code length} body bytes, none of them, and reads the answer's head. */
    private String rawHeadWithoutTheBody(String method, String target, int length) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), http.server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
