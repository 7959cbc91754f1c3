package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The GoRewind dialect (PROTOCOLS.md §2) over a real DEALER socket. */
class GoRewindDialectTest {

    private TestServer server;
    private TestClient client;

    @BeforeEach
    void start() {
        server = TestServer.start();
        client = server.dealer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private UUID publish(String stream, byte[] data) {
        client.sendDelimited(List.of(bytes("PUBLISH"), bytes(stream), data));
        List<String> reply = client.receiveText();
        assertThat(reply).as("a two-framed reply without delimiter").hasSize(2);
        assertThat(reply.get(0)).isEqualTo("PUBLISHED");
        return UUID.fromString(reply.get(1));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends a QUERY and collects EVENT messages up to END; returns [id, data] pairs as text. */
    private List<String> query(String stream, String from, String to) {
        client.sendDelimited(TestClient.texts("QUERY", stream, from, to));
        List<String> events = new ArrayList<>();
        while (true) {
            List<String> message = client.receiveText();
            if (message.equals(List.of("END"))) {
                return events;
            }
            assertThat(message).hasSize(3);
            assertThat(message.get(0)).isEqualTo("EVENT");
            events.add(message.get(1));
            events.add(message.get(2));
        }
    }

    @Test
    void publishReturnsTheStoredEventId() {
        UUID id = publish("orders-1", new byte[] {1, 2, 3});
        RecordedEvent stored = server.store.readEvent(id).orElseThrow();
        assertThat(stored.stream()).isEqualTo("orders-1");
        assertThat(stored.data()).containsExactly(1, 2, 3);
        assertThat(id.toString()).matches("[0-9a-f-]{36}");
    }

    @Test
    void queryStreamsOneMessagePerEventThenEnd() {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(publish("s", new byte[] {(byte) ('a' + i)}));
            publish("other", new byte[] {9});
        }
        assertThat(query("s", "", "")).containsExactly(ids.get(0).toString(), "a", ids.get(1).toString(), "b",
                ids.get(2).toString(), "c", ids.get(3).toString(), "d", ids.get(4).toString(), "e");
        assertThat(query("s", ids.get(1).toString(), ids.get(3).toString()))
                .containsExactly(ids.get(2).toString(), "c", ids.get(3).toString(), "d");
        assertThat(query("s", ids.get(4).toString(), "")).isEmpty();
    }

    @Test
    void aLongStreamIsStreamedCompletelyInOrder() {
        for (int i = 0; i < 1200; i++) {
            server.store.append("long", io.rewind.api.ExpectedVersion.any(),
                    io.rewind.api.EventData.of("", Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
        }
        List<String> pairs = query("long", "", "");
        assertThat(pairs).hasSize(2400);
        for (int i = 0; i < 1200; i++) {
            assertThat(pairs.get(2 * i + 1)).isEqualTo(Integer.toString(i));
        }
        List<RecordedEvent> stored = server.store.readStream("long", 0, Direction.FORWARD, 1);
        assertThat(pairs.get(0)).isEqualTo(stored.get(0).id().toString());
    }

    @Test
    void emptyOrUnknownStreamAnswersEnd() {
        assertThat(query("nothing-here", "", "")).isEmpty();
    }

    @Test
    void errorsAreOneFrameAndNothingFollows() {
        UUID inS = publish("s", new byte[] {1});
        UUID inOther = publish("other", new byte[] {1});
        client.sendDelimited(TestClient.texts("QUERY", "s", inOther.toString(), ""));
        assertThat(client.receiveText()).singleElement().asString().startsWith("ERROR Unknown event id");
        client.sendDelimited(TestClient.texts("PUBLISH", "s", "a", "b"));
        assertThat(client.receiveText()).containsExactly("ERROR Wrong number of frames for PUBLISH.");
        client.sendDelimited(TestClient.texts("QUERY", "s", "", "", "", ""));
        assertThat(client.receiveText()).containsExactly("ERROR Wrong number of frames for QUERY.");
        assertThat(query("s", "", "")).containsExactly(inS.toString(), "\u0001");
    }
}
