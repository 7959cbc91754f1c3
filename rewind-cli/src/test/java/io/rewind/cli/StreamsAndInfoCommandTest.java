package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamsAndInfoCommandTest {

    private final TestServer server = new TestServer();

    @AfterEach
    void stopServer() {
        server.close();
    }

    private void append(String stream, int count) {
        List<EventData> events = IntStream.range(0, count).mapToObj(i -> EventData.of("", new byte[] {(byte) i})).toList();
        server.store.append(stream, ExpectedVersion.any(), events);
    }

    @Test
    void listsStreamsByNameWithTheirCountsAndPositions() {
        append("orders-2", 2);
        append("orders-1", 3);
        append("users-1", 1);

        CliRun run = CliRun.run("streams", "--server", server.endpoint());

        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(run.lines()).containsExactly(
                "stream=orders-1 events=3 head_version=2 first_position=2 last_position=4",
                "stream=orders-2 events=2 head_version=1 first_position=0 last_position=1",
                "stream=users-1 events=1 head_version=0 first_position=5 last_position=5");
    }

    @Test
    void aPrefixSelectsStreamsAndEveryPageIsListed() {
        int count = StreamsCommand.PAGE_SIZE + 5;
        IntStream.range(0, count).forEach(i -> append(String.format("s-%05d", i), 1));
        append("t-0", 1);

        CliRun run = CliRun.run("streams", "--server", server.endpoint(), "--prefix", "s-", "--json");

        assertThat(run.exitCode()).as("%s", run.err()).isZero();
        List<Object> names = run.lines().stream().map(line -> FlatJson.parse(line).get("stream")).toList();
        assertThat(names).hasSize(count).startsWith("s-00000").endsWith(String.format("s-%05d", count - 1));
        assertThat(FlatJson.parse(run.lines().get(0))).isEqualTo(Map.of("stream", "s-00000", "events", 1L,
                "head_version", 0L, "first_position", 0L, "last_position", 0L));
    }

    @Test
    void infoShowsOneStream() {
        append("orders-1", 3);
        append("orders-2", 1);

        CliRun human = CliRun.run("info", "--server", server.endpoint(), "--stream", "orders-1");
        CliRun json = CliRun.run("info", "--server", server.endpoint(), "--stream", "orders-2", "--json");

        assertThat(human.exitCode()).as("%s", human).isZero();
        assertThat(human.lines()).containsExactly("stream          orders-1", "events          3",
                "head version    2   (expected version for the next append)", "first position  0",
                "last position   2");
        assertThat(FlatJson.parse(json.out().strip())).isEqualTo(Map.of("stream", "orders-2", "events", 1L,
                "head_version", 0L, "first_position", 3L, "last_position", 3L));
    }

    @Test
    void infoOnAStreamWithoutEventsIsAnError() {
        CliRun run = CliRun.run("info", "--server", server.endpoint(), "--stream", "nothing-here");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("rewind: stream 'nothing-here' does not exist (it has no events)\n");
    }
}
