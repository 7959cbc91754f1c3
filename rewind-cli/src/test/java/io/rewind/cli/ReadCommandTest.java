package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReadCommandTest {

    private final TestServer server = new TestServer();

    @AfterEach
    void stopServer() {
        server.close();
    }

    private void append(String stream, int count) {
        List<EventData> events = IntStream.range(0, count)
                .mapToObj(i -> EventData.of("Numbered", (stream + " " + i).getBytes(StandardCharsets.UTF_8))).toList();
        server.store.append(stream, ExpectedVersion.any(), events);
    }

    private CliRun read(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "read";
        all[1] = "--server";
        all[2] = server.endpoint();
        System.arraycopy(args, 0, all, 3, args.length);
        CliRun run = CliRun.run(all);
        assertThat(run.exitCode()).as("%s", run).isZero();
        return run;
    }

    /** The data of each JSON line. */
    private static List<String> data(CliRun run) {
        return run.lines().stream().map(line -> (String) FlatJson.parse(line).get("data")).toList();
    }

    @Test
    void printsOneLinePerEventForPeople() {
        append("orders-1", 1);
        RecordedEvent event = server.store.readAll(0, Direction.FORWARD, 1).get(0);

        assertThat(read("--stream", "orders-1").lines()).containsExactly("position=0 stream=orders-1 version=0 "
                + "type=Numbered time=" + event.timestamp() + " id=" + event.id() + " data=orders-1 0");
    }

    @Test
    void readsAStreamForwardsAndBackwardsFromAVersionWithALimit() {
        append("a", 5);
        append("b", 5);

        assertThat(data(read("--stream", "a", "--json"))).containsExactly("a 0", "a 1", "a 2", "a 3", "a 4");
        assertThat(data(read("--stream", "a", "--from", "3", "--json"))).containsExactly("a 3", "a 4");
        assertThat(data(read("--stream", "a", "--limit", "2", "--json"))).containsExactly("a 0", "a 1");
        assertThat(data(read("--stream", "a", "--backwards", "--json"))).containsExactly("a 4", "a 3", "a 2", "a 1", "a 0");
        assertThat(data(read("--stream", "a", "--backwards", "--from", "1", "--json"))).containsExactly("a 1", "a 0");
        assertThat(read("--stream", "missing").out()).isEmpty();
    }

    @Test
    void readsEveryStreamInGlobalOrderAcrossPages() {
        int perStream = ReadCommand.PAGE_SIZE + 200;
        append("a", perStream);
        append("b", perStream);

        List<Map<String, Object>> events = read("--all", "--json").lines().stream().map(FlatJson::parse).toList();
        assertThat(events).hasSize(2 * perStream);
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).get("position")).isEqualTo((long) i);
        }
        assertThat(data(read("--all", "--from", String.valueOf(perStream - 1), "--limit", "2", "--json")))
                .containsExactly("a " + (perStream - 1), "b 0");
        List<String> newestFirst = data(read("--all", "--backwards", "--limit", String.valueOf(perStream + 1), "--json"));
        assertThat(newestFirst).hasSize(perStream + 1).startsWith("b " + (perStream - 1)).endsWith("a " + (perStream - 1));
    }

    @Test
    void jsonCarriesEveryFieldAndBytesThatAreNotTextAsBase64() {
        byte[] binary = {0, (byte) 0xff, 0x10};
        server.store.append("bin", ExpectedVersion.noStream(),
                EventData.of("Blob", binary).withMetadata("{\"by\":\"me\"}".getBytes(StandardCharsets.UTF_8)));
        RecordedEvent event = server.store.readAll(0, Direction.FORWARD, 1).get(0);

        Map<String, Object> json = FlatJson.parse(read("--stream", "bin", "--json").lines().get(0));
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("stream", "bin");
        expected.put("version", 0L);
        expected.put("position", 0L);
        expected.put("id", event.id().toString());
        expected.put("type", "Blob");
        expected.put("timestamp", event.timestamp().toString());
        expected.put("metadata", "{\"by\":\"me\"}");
        expected.put("data_base64", Base64.getEncoder().encodeToString(binary));
        assertThat(json).containsExactlyEntriesOf(expected);
        assertThat(read("--stream", "bin").out()).contains(" metadata={\"by\":\"me\"} data(base64)=AP8Q");
    }

    @Test
    void usageErrorsExitWithTwo() {
        for (String[] args : List.of(new String[] {"read"}, new String[] {"read", "--all", "--stream", "x"},
                new String[] {"read", "--all", "--limit", "0"}, new String[] {"read", "--all", "--from", "-1"})) {
            CliRun run = CliRun.run(args);
            assertThat(run.exitCode()).as("%s", List.of(args)).isEqualTo(2);
            assertThat(run.err()).startsWith("rewind: ").contains("Try 'rewind read --help'.");
        }
    }
}
