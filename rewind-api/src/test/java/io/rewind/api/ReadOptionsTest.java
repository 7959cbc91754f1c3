package io.rewind.api;

import static io.rewind.api.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ReadOptionsTest {

    private static RecordedEvent event(long version, int dataBytes, int metadataBytes) {
        return new RecordedEvent("s", version, 100 + version, UUID.randomUUID(), "t", Instant.EPOCH,
                new byte[dataBytes], new byte[metadataBytes]);
    }

    @Test
    void defaultsAreDocumented() {
        ReadOptions forward = ReadOptions.forward();
        assertThat(forward.from()).isZero();
        assertThat(forward.direction()).isEqualTo(Direction.FORWARD);
        assertThat(forward.maxEvents()).isEqualTo(ReadOptions.DEFAULT_MAX_EVENTS).isEqualTo(1_000);
        assertThat(forward.maxBytes()).isEqualTo(ReadOptions.DEFAULT_MAX_BYTES).isEqualTo(16L << 20);
        assertThat(ReadOptions.backward()).isEqualTo(ReadOptions.from(EventStore.END, Direction.BACKWARD));
        assertThat(StreamListOptions.all()).isEqualTo(StreamListOptions.withPrefix(null).after(null));
        assertThat(StreamListOptions.all().maxStreams()).isEqualTo(1_000);
    }

    @Test
    void withersChangeOneThingAndCheckIt() {
        ReadOptions options = ReadOptions.forward().withFrom(5).withMaxEvents(7).withMaxBytes(0);
        assertThat(options).isEqualTo(ReadOptions.from(5, Direction.FORWARD).withMaxBytes(0).withMaxEvents(7));
        assertThat(options.toString()).contains("from=5", "maxEvents=7", "maxBytes=0");
        assertThat(ReadOptions.backward().withMaxBytes(ReadOptions.NO_BYTE_LIMIT).toString())
                .contains("from=END", "maxBytes=none");

        assertRefused(() -> options.withMaxEvents(0), "read limit (max events) must be 1 to 10000, was 0");
        assertRefused(() -> options.withMaxEvents(10_001), "was 10001");
        assertRefused(() -> options.withMaxBytes(-1), "read byte budget (max bytes) must be >= 0, was -1");
        assertRefused(() -> options.withFrom(-1), "read start must be >= 0 (or EventStore.END for the newest), was -1");
        assertRefused(() -> ReadOptions.from(0, null), "read direction must not be null");
        assertRefused(() -> StreamListOptions.all().withMaxStreams(0), "listing limit (max streams) must be 1 to 10000");
        assertRefused(() -> StreamListOptions.all().withMaxBytes(-1), "listing byte budget (max bytes) must be >= 0");
        assertRefused(() -> StreamListOptions.withPrefix("x".repeat(256)), "stream prefix is 256 bytes");
    }

    @Test
    void aPageTakesEventsUntilTheNextWouldExceedTheBudgetButAlwaysTheFirst() {
        EventPage.Builder page = EventPage.forStream(ReadOptions.forward().withMaxBytes(25));
        assertThat(page.offer(event(0, 10, 5))).isTrue();
        assertThat(page.offer(event(1, 10, 0))).as("15 + 10 = 25: exactly the budget").isTrue();
        assertThat(page.offer(event(2, 0, 0))).as("size 0 still fits a spent budget").isTrue();
        assertThat(page.offer(event(3, 1, 0))).isFalse();
        assertThat(page.isFull()).isTrue();
        assertThat(page.offer(event(3, 0, 0))).as("full stays full").isFalse();
        EventPage built = page.build();
        assertThat(built.events()).extracting(RecordedEvent::version).containsExactly(0L, 1L, 2L);
        assertThat(built.byteBudgetReached()).isTrue();
        assertThat(built.next()).hasValue(3);

        EventPage.Builder tiny = EventPage.forAll(ReadOptions.backward().withMaxBytes(0));
        assertThat(tiny.offer(event(0, 1_000, 0))).as("the first event, whatever its size").isTrue();
        assertThat(tiny.build().next()).as("a backward read of the whole store continues by position")
                .hasValue(99);
    }

    @Test
    void theLimitFillsAPageWithoutReachingTheBudget() {
        EventPage.Builder page = EventPage.forStream(ReadOptions.backward().withMaxEvents(2));
        page.offer(event(1, 1, 1));
        page.offer(event(0, 1, 1));
        assertThat(page.isFull()).isTrue();
        assertThat(page.offer(event(5, 1, 1))).isFalse();
        EventPage built = page.build();
        assertThat(built.byteBudgetReached()).isFalse();
        assertThat(built.next()).as("nothing before version 0").isEqualTo(OptionalLong.empty());
        assertThat(EventPage.forStream(ReadOptions.forward()).build())
                .isEqualTo(new EventPage(List.of(), false, OptionalLong.empty()));
    }

    @Test
    void aFetchSizeFollowsTheAverageEventSoFar() {
        EventPage.Builder unbounded = EventPage.forAll(ReadOptions.forward().withMaxEvents(500)
                .withMaxBytes(ReadOptions.NO_BYTE_LIMIT));
        assertThat(unbounded.expectedFit(256)).isEqualTo(256);
        EventPage.Builder page = EventPage.forAll(ReadOptions.forward().withMaxBytes(10_000));
        assertThat(page.expectedFit(256)).as("nothing known yet: a small first fetch").isEqualTo(16);
        page.offer(event(0, 1_000, 0));
        assertThat(page.expectedFit(256)).as("9 more of 1,000 bytes, and one to see whether it fits").isEqualTo(10);
    }

    @Test
    void aListingPageIsCutByTheUtf8BytesOfNames() {
        StreamPage.Builder page = StreamPage.builder(StreamListOptions.all().withMaxBytes(7));
        assertThat(page.offer(new StreamInfo("流a", 0, 0, 0))).as("4 bytes").isTrue();
        assertThat(page.offer(new StreamInfo("bcd", 0, 1, 1))).as("7 bytes in all").isTrue();
        assertThat(page.offer(new StreamInfo("e", 0, 2, 2))).isFalse();
        assertThat(page.build().nextAfter()).hasValue("bcd");
        assertThat(StreamListOptions.sizeOf(new StreamInfo("😀", 0, 0, 0))).as("a supplementary character").isEqualTo(4);
    }

    @Test
    void readArgumentsNameWhatIsMissing() {
        assertRefused(() -> ReadArguments.checkStreamRead(null, ReadOptions.forward()), "stream name must not be empty");
        assertRefused(() -> ReadArguments.checkStreamRead("s", null), "read options must not be null");
        assertRefused(() -> ReadArguments.checkEventId(null), "event id must not be null");
        assertRefused(() -> ReadArguments.checkListing(null), "stream listing options must not be null");
    }
}
