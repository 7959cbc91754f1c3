package io.rewind.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The cluster routes of the HTTP layer over a stand-in {@link ClusterAdmin} ({@link FixedClusterAdmin}):
 * the JSON of the status, the body of an add, and each refusal as a problem with its status. The
 * routes over a real cluster are tested in rewind-cli (ClusterCommandTest).
 */
class ClusterHttpTest {

    @Test
    void theStatusAndEachChangeAnswerTheStatusAsJson() {
        try (HttpFixture http = new HttpFixture(new FixedClusterAdmin())) {
            HttpFixture.Answer status = http.get("/api/cluster");
            assertThat(status.status()).isEqualTo(200);
            assertThat(status.body()).isEqualTo("{\"node\":\"n1\",\"leader\":\"n1\",\"term\":2,\"configuration_index\":0,"
                    + "\"changing\":false,\"members\":[{\"id\":\"n1\",\"address\":\"127.0.0.1:9100\",\"role\":\"leader\","
                    + "\"applied_index\":7,\"applied_position\":3,\"entries_behind\":0,\"events_behind\":0}]}");
            HttpFixture.Answer added = http.postJson("/api/cluster/members", "{\"id\":\"n2\",\"address\":\"127.0.0.1:9200\"}");
            assertThat(added.status()).as(added.body()).isEqualTo(200);
            assertThat(added.body()).contains("{\"id\":\"n2\",\"address\":\"127.0.0.1:9200\",\"role\":\"follower\"");
            HttpFixture.Answer again = http.postJson("/api/cluster/members", "{\"id\":\"n2\",\"address\":\"127.0.0.1:9300\"}");
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.isProblem()).isTrue();
            assertThat(again.body()).contains("\"title\":\"Conflict\"").contains("node 'n2' is a member already");
            HttpFixture.Answer removed = http.send("DELETE", "/api/cluster/members/n2", null, null);
            assertThat(removed.status()).isEqualTo(200);
            assertThat(removed.body()).doesNotContain("\"n2\"");
            HttpFixture.Answer unknown = http.send("DELETE", "/api/cluster/members/n9", null, null);
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.body()).contains("\"code\":\"NOT_FOUND\"").contains("node 'n9' is not a member");
            HttpFixture.Answer last = http.send("DELETE", "/api/cluster/members/n1", null, null);
            assertThat(last.status()).isEqualTo(409);
            assertThat(last.body()).contains("the cluster's last member");
        }
    }

    @Test
    void aMalformedAddIsRefusedWithA400NamingWhatIsWrong() {
        try (HttpFixture http = new HttpFixture(new FixedClusterAdmin())) {
            assertBadRequest(http.postJson("/api/cluster/members", "{\"id\":\"n2\"}"), "address: missing");
            assertBadRequest(http.postJson("/api/cluster/members", "{\"address\":\"h:1\"}"), "id: missing");
            assertBadRequest(http.postJson("/api/cluster/members", "{\"id\":2,\"address\":\"h:1\"}"), "id: must be a string");
            assertBadRequest(http.postJson("/api/cluster/members", "{\"id\":\"n2\",\"address\":\"h:1\",\"x\":1}"),
                    "x: unknown field (known: id, address)");
            assertBadRequest(http.postJson("/api/cluster/members", "[1]"), "the body must be an object");
            assertBadRequest(http.postJson("/api/cluster/members", "{\"id\":"), "malformed JSON");
            HttpFixture.Answer text = http.send("POST", "/api/cluster/members", "text/plain",
                    "n2=h:1".getBytes(StandardCharsets.UTF_8));
            assertThat(text.status()).isEqualTo(415);
            assertThat(http.get("/api/cluster").body()).doesNotContain("\"n2\"");
        }
    }

    @Test
    void aServerThatIsNotAClusterNodeSaysSo() {
        try (HttpFixture http = new HttpFixture()) {
            for (HttpFixture.Answer answer : new HttpFixture.Answer[] {http.get("/api/cluster"),
                    http.postJson("/api/cluster/members", "{\"id\":\"n2\",\"address\":\"h:1\"}"),
                    http.send("DELETE", "/api/cluster/members/n1", null, null)}) {
                assertThat(answer.status()).isEqualTo(404);
                assertThat(answer.isProblem()).isTrue();
                assertThat(answer.body()).contains("\"title\":\"Not a cluster node\"")
                        .contains("this server is not a cluster node");
            }
        }
    }

    private static void assertBadRequest(HttpFixture.Answer answer, String detail) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.isProblem()).isTrue();
        assertThat(answer.body()).contains(detail);
    }
}
