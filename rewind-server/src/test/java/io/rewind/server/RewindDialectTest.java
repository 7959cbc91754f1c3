package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The original Rewind dialect (PROTOCOLS.md §1) over a real REQ socket. */
class RewindDialectTest {

    private TestServer server;
    private TestClient client;

    @BeforeEach
    void start() {
        server = TestServer.start(b -> b.defaultStream("rewind"));
        client = server.req();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void publish(byte[] data) {
        client.send(List.of("PUBLISH".getBytes(StandardCharsets.US_ASCII), data));
        assertThat(client.receiveText()).containsExactly("PUBLISHED");
    }

    @Test
    void publishStoresTheBytesExactlyInTheDefaultStream() {
        byte[] data = {0, 1, (byte) 0xff, (byte) 0x80, 10};
        publish(data);
        publish(new byte[0]);
        List<RecordedEvent> stored = server.store.readStream("rewind", 0, Direction.FORWARD, 10);
        assertThat(stored).hasSize(2);
        assertThat(stored.get(0).data()).isEqualTo(data);
        assertThat(stored.get(1).data()).isEmpty();
    }

    @Test
    void queryPagesByHundredAndEndsWithEnd() {
        for (int i = 0; i < 250; i++) {
            publish(("e" + i).getBytes(StandardCharsets.UTF_8));
        }
        List<String> seen = new ArrayList<>();
        String from = "";
        int replies = 0;
        while (true) {
            client.sendText("QUERY", from, "");
            List<String> reply = client.receiveText();
            replies++;
            boolean end = reply.size() % 2 == 1;
            for (int i = 0; i + 1 < reply.size(); i += 2) {
                seen.add(reply.get(i + 1));
                from = reply.get(i);
            }
            if (end) {
                assertThat(reply.get(reply.size() - 1)).isEqualTo("END");
                break;
            }
            assertThat(reply).hasSize(200);
        }
        assertThat(replies).isEqualTo(3);
        assertThat(seen).hasSize(250);
        assertThat(seen.get(0)).isEqualTo("e0");
        assertThat(seen.get(249)).isEqualTo("e249");
    }

    @Test
    void exactlyHundredEventsAreFollowedByAnEmptyEndPage() {
        for (int i = 0; i < 100; i++) {
            publish(new byte[] {(byte) i});
        }
        client.sendText("QUERY", "", "");
        List<String> first = client.receiveText();
        assertThat(first).hasSize(200);
        client.sendText("QUERY", first.get(198), "");
        assertThat(client.receiveText()).containsExactly("END");
    }

    @Test
    void queryCoversEveryStreamInGlobalOrderWithExclusiveFromAndInclusiveTo() {
        List<RecordedEvent> events = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String stream = i % 2 == 0 ? "a" : "b";
            server.store.append(stream, ExpectedVersion.any(), EventData.of("t", new byte[] {(byte) i}));
        }
        events.addAll(server.store.readAll(0, Direction.FORWARD, 10));
        client.sendText("QUERY", events.get(1).id().toString(), events.get(4).id().toString());
        List<String> reply = client.receiveText();
        assertThat(reply).containsExactly(events.get(2).id().toString(), "\u0002",
                events.get(3).id().toString(), "\u0003", events.get(4).id().toString(), "\u0004", "END");
    }

    @Test
    void emptyStoreAnswersEnd() {
        client.sendText("QUERY", "", "");
        assertThat(client.receiveText()).containsExactly("END");
    }

    @Test
    void unknownIdsAndReversedRangesAreErrors() {
        publish(new byte[] {1});
        publish(new byte[] {2});
        List<RecordedEvent> events = server.store.readAll(0, Direction.FORWARD, 10);
        client.sendText("QUERY", "0f8fad5b-d9cb-469f-a165-70867728950e", "");
        assertThat(client.receiveText()).singleElement().asString().startsWith("ERROR Unknown event id");
        client.sendText("QUERY", events.get(1).id().toString(), events.get(0).id().toString());
        assertThat(client.receiveText()).singleElement().asString().startsWith("ERROR ").contains("after");
        client.sendText("QUERY", "not an id", "");
        assertThat(client.receiveText()).singleElement().asString().startsWith("ERROR ");
        client.sendText("QUERY", "", "");
        assertThat(client.receiveText()).hasSize(5);
    }

    @Test
    void unknownRequestTypeIsAnErrorAndTheServerKeepsServing() {
        client.sendText("FETCH", "a", "b", "c");
        assertThat(client.receiveText()).containsExactly("ERROR Unknown request type");
        publish(new byte[] {7});
    }
}
